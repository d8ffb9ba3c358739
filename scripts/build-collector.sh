#!/usr/bin/env bash
# Builds bin/nrdot-collector from builder-config.yaml with the pinned ocb.
#
# ocb's own module step (`go mod download` of the whole graph) fails here because it also asks for
# Windows-only modules the proxy does not serve, which the Linux build never needs. So the
# distribution's go.mod/go.sum are checked in (pinned), ocb only regenerates the sources, and we
# compile them ourselves. After editing builder-config.yaml run `make distribution` to re-resolve.
set -euo pipefail
cd "$(dirname "$0")/.."
builder=${BUILDER:-.tools/builder}
"$builder" --config=builder-config.yaml --skip-get-modules --skip-compilation >/dev/null 2>build/ocb.log || {
  cat build/ocb.log >&2; exit 1; }
mkdir -p bin
cd collector/distribution
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o ../../bin/nrdot-collector .
echo "built bin/nrdot-collector"
