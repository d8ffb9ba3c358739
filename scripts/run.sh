#!/usr/bin/env bash
# Runs the built collector on this host with the default config (configs/balanced/agent.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
export NRDOT_DATA_DIR=${NRDOT_DATA_DIR:-$PWD/data}
export NRDOT_WASM_DIR=${NRDOT_WASM_DIR:-$PWD/build/wasm}
config=${NRDOT_CONFIG:-configs/balanced/agent.yaml}
# Go's soft memory limit: the config's memory_pressure_limit_mib, which generated configs set to
# the memory_limiter's soft limit (limit_mib − spike_limit_mib), so the GC works harder before the
# limiter refuses whole scrapes (docs/operations/memory.md); 350 MiB when the config does not say.
soft=$(sed -n 's/^ *memory_pressure_limit_mib: *\([0-9][0-9]*\) *$/\1/p;T;q' "$config" 2>/dev/null || true)
export GOMEMLIMIT=${GOMEMLIMIT:-${soft:-350}MiB}
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
