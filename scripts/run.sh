#!/usr/bin/env bash
# Runs the built collector on this host with the default config (configs/balanced/agent.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
export NRDOT_DATA_DIR=${NRDOT_DATA_DIR:-$PWD/data}
export NRDOT_WASM_DIR=${NRDOT_WASM_DIR:-$PWD/build/wasm}
config=${NRDOT_CONFIG:-configs/balanced/agent.yaml}
# The optimizer degrades by memory pressure relative to Go's soft memory limit; pair it with the
# memory_limiter's 400 MiB in the default config.
export GOMEMLIMIT=${GOMEMLIMIT:-360MiB}
mkdir -p "$NRDOT_DATA_DIR"
echo "nrdot: running bin/nrdot-collector with $config"
echo "nrdot: optimized process metrics are written to $NRDOT_DATA_DIR/metrics.jsonl (Ctrl-C stops)"
exec bin/nrdot-collector --config "$config"
