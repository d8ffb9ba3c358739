#!/usr/bin/env bash
# Runs the built collector on this host with the default config (configs/balanced/agent.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
export NRDOT_DATA_DIR=${NRDOT_DATA_DIR:-$PWD/data}
export NRDOT_WASM_DIR=${NRDOT_WASM_DIR:-$PWD/build/wasm}
config=${NRDOT_CONFIG:-configs/balanced/agent.yaml}
# The optimizer degrades by memory pressure: live heap relative to Go's soft memory limit. Set it
# to the memory_limiter's soft limit in the default config (limit 400 MiB − spike 50 MiB), so
# every shedding level (0.6 .. 0.9 of it) comes before the memory_limiter refuses whole scrapes
# (docs/operations/memory.md).
export GOMEMLIMIT=${GOMEMLIMIT:-350MiB}
mkdir -p "$NRDOT_DATA_DIR"
# One collector per data dir: a second one would share the output file and the state and queue
# databases (whose own lock only makes it time out). The lock is held on fd 9, which the
# collector inherits through exec: it lasts exactly as long as the collector, even after SIGKILL.
lock="$NRDOT_DATA_DIR/nrdot.lock"
exec 9>>"$lock"
if ! flock -n 9; then
  echo "nrdot: $NRDOT_DATA_DIR is in use by another collector (pid $(cat "$lock" 2>/dev/null || echo unknown) holds the lock $lock)" >&2
  echo "  hint: stop that one, or give this one its own NRDOT_DATA_DIR" >&2
  exit 1
fi
echo $$ >"$lock" # exec keeps the pid: the collector's
echo "nrdot: running bin/nrdot-collector with $config"
echo "nrdot: optimized process metrics are written to $NRDOT_DATA_DIR/metrics.jsonl (Ctrl-C stops)"
exec bin/nrdot-collector --config "$config"
