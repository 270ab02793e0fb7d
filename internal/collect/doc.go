// Package collect reads what an IndexPilot installation did since its last
// telemetry report from the PostgreSQL database IndexPilot manages and from
// indexpilot_config.yaml, and fills the metrics of a report.
//
// Rules the package must keep:
//
//   - Only counts, statistics and fixed vocabulary words leave it. It never
//     reads a table, field, index or tenant name, details_json as a whole,
//     details_json.user_id, ip_address, index_sql, reason or any other free
//     text. Values outside IndexPilot's known vocabulary (mutation types,
//     algorithm names, A/B variants) are counted as "other" by the query
//     itself, so they never reach this process.
//   - A/B experiment names are always sent as Anonymize(salt, name), an HMAC
//     keyed with a per-installation salt that never leaves the machine.
//     IndexPilot's anonymize_data=false does not change that: the report
//     contract accepts only hashes there, and the report carries no other
//     name that the setting could reveal.
//   - It never slows the database: one connection named ApplicationName,
//     one REPEATABLE READ READ ONLY transaction, statement_timeout (default
//     DefaultStatementTimeout) and lock_timeout set for that transaction, no
//     object created, and every scan bounded by a primary-key range (the
//     tracking tables have no index on created_at).
//   - A metric whose table is missing or whose query fails or times out is
//     left out and explained in Result.Notes; Collect fails only when it
//     cannot reach the database at all.
package collect
