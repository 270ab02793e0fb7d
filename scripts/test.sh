#!/usr/bin/env bash
# Runs every test of the project the way CI does: vet, the race detector,
# the PostgreSQL suites against a real server (started here when it is not
# running), and short fuzzing runs. Needs Go and PostgreSQL; see README.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "FAIL: $*" >&2; exit 1; }

# PostgreSQL: the store, collector and crash tests need a real server. A
# missing one is a failure, never a skip.
export INDEXPILOT_TEST_POSTGRES="${INDEXPILOT_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
export INDEXPILOT_TEST_REQUIRE_POSTGRES=1
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "starting PostgreSQL…"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && break; sleep 1; done
fi
pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null ||
  fail "PostgreSQL is not reachable at 127.0.0.1:5432 (install it, or set INDEXPILOT_TEST_POSTGRES)"

command -v go >/dev/null || fail "Go is not installed"

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
[ -z "$unformatted" ] || fail "gofmt would change: $unformatted"

# --- browser (issue 6) ---
# The dashboard's end-to-end test (e2e/) drives Debian's Chromium headless.
# Install it when missing; a browser that still is not there is a failure,
# never a skipped test.
if ! command -v chromium >/dev/null; then
  echo "installing chromium…"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 || true
fi
command -v chromium >/dev/null || fail "chromium is not installed and apt-get could not install it; the browser test needs it"
export INDEXPILOT_TEST_REQUIRE_BROWSER=1
# --- end browser ---

# --- load balancer (issue 18) ---
# The multi-process test runs three serve processes behind Debian's HAProxy
# with deploy/haproxy.cfg. Install it when missing; missing is a failure.
if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then
  echo "installing haproxy…"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy; } >/dev/null 2>&1 || true
fi
export PATH="$PATH:/usr/sbin"
command -v haproxy >/dev/null || fail "haproxy is not installed and apt-get could not install it; the multi-process test needs it"
# --- end load balancer ---

# --- python (issue 19) ---
# python/'s test builds the wheel, installs it into a fresh venv with pip
# --no-index and runs the package's tests there: python3 with venv and
# ensurepip is required. Install Debian's python3-venv when missing;
# missing is a failure.
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "installing python3-venv…"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv; } >/dev/null 2>&1 || true
fi
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 ||
  fail "python3 with venv and ensurepip is not installed and apt-get could not install it; the Python package's test needs it"
export INDEXPILOT_TEST_REQUIRE_PYTHON=1
# --- end python ---

go vet ./...
go test -race -count=1 -timeout 20m ./...
# The experiment simulations (seeded, pure arithmetic) build without the race
# detector, which would only make them ten times slower: run them here.
go test -count=1 -timeout 10m ./internal/experiment/

# Short, bounded fuzzing: panics and leaked secrets are failures.
for pkg in ./scrub ./internal/client ./report ./internal/store/pack; do
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$pkg"/*_test.go 2>/dev/null | sed 's/^func //'); do
    go test -run '^$' -fuzz "^${target}\$" -fuzztime 15s "$pkg/"
  done
done
echo "all tests passed"
