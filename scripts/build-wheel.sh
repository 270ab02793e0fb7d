#!/usr/bin/env bash
# Builds the indexpilot-telemetry binary for this machine and the platform
# wheel that carries it (python/, the Python package indexpilot_telemetry)
# into dist/, or into the folder given as the first argument. Offline: Go
# builds from the module cache the repository already uses, and the wheel
# is written by python/build_wheel.py with the standard library alone.
#
#   bash scripts/build-wheel.sh
#   python3 -m venv /tmp/v && /tmp/v/bin/pip install --no-index dist/indexpilot_telemetry-*.whl
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "build-wheel: $*" >&2; exit 1; }
command -v go >/dev/null || fail "Go is not installed"
command -v python3 >/dev/null || fail "python3 is not installed"

dist="${1:-dist}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exe=indexpilot-telemetry
[ "$(go env GOOS)" = windows ] && exe=indexpilot-telemetry.exe
# A static binary: the wheel must run wherever this platform's Python does.
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$work/$exe" ./cmd/indexpilot-telemetry
python3 python/build_wheel.py --binary "$work/$exe" --out "$dist"
