#!/usr/bin/env bash
# Ingest throughput of one serve process against three behind HAProxy
# (deploy/haproxy.cfg), on one PostgreSQL, in the same run: the figures of
# docs/deploy.md's capacity model. Cases alternate, ROUNDS times:
#   direct   one process, no proxy (the baseline)
#   proxy-1  one process behind HAProxy (the proxy's own cost)
#   proxy-3  three processes behind HAProxy
# Load: wrk -t2 -c$CONNS for $DURATION with bench's report script (a fresh
# report_id per request, 10,000 installations). Needs wrk, haproxy and a
# PostgreSQL at $INDEXPILOT_TEST_POSTGRES (default: local, trust auth).
#
#   bash scripts/bench-cluster.sh            # ROUNDS=2 DURATION=20s CONNS=32
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-2}" DURATION="${DURATION:-20s}" CONNS="${CONNS:-32}"
export PGOPTIONS="-c client_min_messages=warning"
ADMIN="${INDEXPILOT_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
export PATH="$PATH:/usr/sbin"
for tool in wrk haproxy psql; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 1; }; done

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -XAqc "DROP DATABASE IF EXISTS ipa_bench_cluster WITH (FORCE)" "$ADMIN" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/ipa" ./cmd/indexpilot-analytics

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_serve N: N processes (--processes N), their addresses in $servers.
start_serve() {
  servers=()
  for _ in $(seq 1 "$1"); do
    local addr="127.0.0.1:$(port)"
    "$work/ipa" serve --listen "$addr" --database "$DSN" --processes "$1" --trusted-proxies 127.0.0.1 \
      --log-level warn 2>>"$work/serve.log" &
    pids+=($!)
    servers+=("$addr")
  done
  for a in "${servers[@]}"; do
    for _ in $(seq 1 100); do curl -sf "http://$a/healthz" >/dev/null && break; sleep 0.1; done
  done
}

# start_proxy: HAProxy on the example config; each of its three server
# lines gets one of $servers (repeated when there are fewer).
start_proxy() {
  lb="127.0.0.1:$(port)"
  IPA_LISTEN="$lb" IPA_SERVER_1="${servers[0]}" IPA_SERVER_2="${servers[1]:-${servers[0]}}" \
    IPA_SERVER_3="${servers[2]:-${servers[0]}}" haproxy -db -f deploy/haproxy.cfg 2>>"$work/haproxy.log" &
  pids+=($!)
  for _ in $(seq 1 100); do curl -sf "http://$lb/healthz" >/dev/null && break; sleep 0.1; done
}

stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}

# run CASE: a fresh database, the case's processes, one wrk run.
run() {
  psql -XAqc "DROP DATABASE IF EXISTS ipa_bench_cluster WITH (FORCE)" -c "CREATE DATABASE ipa_bench_cluster" "$ADMIN" >/dev/null
  DSN="${ADMIN%/*}/ipa_bench_cluster?sslmode=disable"
  "$work/ipa" migrate --database "$DSN" >/dev/null
  key=$("$work/ipa" keys create --kind fleet --database "$DSN" 2>/dev/null)
  case "$1" in
    direct) start_serve 1; url="http://${servers[0]}" ;;
    proxy-1) start_serve 1; start_proxy; url="http://$lb" ;;
    proxy-3) start_serve 3; start_proxy; url="http://$lb" ;;
  esac
  commits0=$(commits)
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s internal/bench/wrk/report.lua "$url/api/v1/telemetry" -- "$key")
  stop_all
  sleep 1 # PostgreSQL publishes its counters within a second
  rate=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  stored=$(psql -XAtc "SELECT count(*) FROM reports" "$DSN")
  n=$(( $(commits) - commits0 ))
  printf '%-8s %10s req/s  p99 %-8s non-2xx %-6s stored %-7s commits %-6s reports/commit %s\n' \
    "$1" "$rate" "$p99" "${non2xx:-0}" "$stored" "$n" "$(awk -v s="$stored" -v n="$n" 'BEGIN {printf "%.1f", s / n}')"
}

# commits: transactions committed in the benchmark database so far.
commits() {
  psql -XAtc "SELECT xact_commit FROM pg_stat_database WHERE datname = 'ipa_bench_cluster'" "$ADMIN"
}

echo "$(date -u +%FT%TZ) rounds=$ROUNDS duration=$DURATION connections=$CONNS load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  for c in direct proxy-1 proxy-3; do run "$c"; done
done
