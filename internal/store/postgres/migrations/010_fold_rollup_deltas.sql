-- The last read of rollup_deltas, the pending deltas of servers older than
-- migration 006: its rows become delta batches (rollup.AppendRows' layout,
-- format 3, one row per batch), which compaction folds like any other, and
-- the table goes. On a database created with this migration the table is
-- empty; on an older one its rows were written before migration 006 and
-- the counters added since (usage_*, perf_sum_sq) hold 0, read as 0 when
-- their columns do not exist yet.

-- An unsigned LEB128 varint, as Go's binary.AppendUvarint writes it.
CREATE FUNCTION pg_temp.uvarint(v numeric) RETURNS bytea LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    out bytea := '\x'::bytea;
BEGIN
    WHILE v >= 128 LOOP
        out := out || set_byte('\x00'::bytea, 0, (mod(v, 128) + 128)::int);
        v := div(v, 128);
    END LOOP;
    RETURN out || set_byte('\x00'::bytea, 0, v::int);
END $$;

-- A signed (zig-zag) varint, as Go's binary.AppendVarint writes it.
CREATE FUNCTION pg_temp.varint(v bigint) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.uvarint(CASE WHEN v >= 0 THEN 2 * v::numeric ELSE -2 * v::numeric - 1 END)
$$;

-- A length-prefixed string.
CREATE FUNCTION pg_temp.str(s text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.uvarint(octet_length(convert_to(s, 'UTF8'))) || convert_to(s, 'UTF8')
$$;

-- A counter of a delta row as JSON, 0 where the column does not exist.
CREATE FUNCTION pg_temp.counter(r jsonb, col text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.varint(coalesce((r ->> col)::bigint, 0))
$$;

-- Format 3, one row, 20 counters in rollup.Counters order, then the row.
INSERT INTO rollup_delta_batches (rows)
SELECT '\x03'::bytea || pg_temp.uvarint(1) || pg_temp.uvarint(20)
    || pg_temp.varint(d.day) || pg_temp.str(d.dim) || pg_temp.str(d.key)
    || pg_temp.counter(j, 'reports') || pg_temp.counter(j, 'total')
    || pg_temp.counter(j, 'indexes_created') || pg_temp.counter(j, 'indexes_recommended')
    || pg_temp.counter(j, 'queries_analyzed') || pg_temp.counter(j, 'perf_sum') || pg_temp.counter(j, 'perf_n')
    || pg_temp.counter(j, 'error_reports') || pg_temp.counter(j, 'errors')
    || pg_temp.counter(j, 'lat_p50_sum') || pg_temp.counter(j, 'lat_p95_sum') || pg_temp.counter(j, 'lat_p99_sum')
    || pg_temp.counter(j, 'lat_n') || pg_temp.counter(j, 'ab_sum') || pg_temp.counter(j, 'ab_sumsq')
    || pg_temp.counter(j, 'perf_sum_sq')
    || pg_temp.counter(j, 'usage_successes') || pg_temp.counter(j, 'usage_uses_sq')
    || pg_temp.counter(j, 'usage_cross') || pg_temp.counter(j, 'usage_successes_sq')
    || pg_temp.uvarint(octet_length(d.installs)) || d.installs
FROM rollup_deltas d, LATERAL (SELECT to_jsonb(d) - 'installs' AS j) x;

DROP TABLE rollup_deltas;

DROP FUNCTION pg_temp.counter(jsonb, text);
DROP FUNCTION pg_temp.str(text);
DROP FUNCTION pg_temp.varint(bigint);
DROP FUNCTION pg_temp.uvarint(numeric);
