#!/usr/bin/env bash
# Prepares a fresh CI machine (Debian, root, no Docker engine, no reachable container registry)
# to build and run the NRDOT image: `make image` and test/deploy/image-smoke.sh.
#   - installs buildah, podman and runc from Debian's packages, only when one is missing
#     (about 25 s with apt-get update: ~34 MB, 31 packages, on this project's machines);
#   - needs jq or python3 for scripts/oci-runtime-norlimit.sh (both are on these machines);
#   - checks that podman works with the vfs storage driver and the rlimit-free runtime wrapper.
# It changes no configuration file: the scripts pass the vfs storage driver, chroot isolation and
# --runtime themselves (scripts/podman-docker-api.sh makes them podman's defaults, for clients of
# its Docker API such as testcontainers). Idempotent; prints what it did and how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

missing=()
for cmd in buildah podman runc; do
  command -v "$cmd" >/dev/null || missing+=("$cmd")
done
if ((${#missing[@]} > 0)); then
  echo "ci-container-engine: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq buildah podman runc ca-certificates >/dev/null
else
  echo "ci-container-engine: buildah, podman and runc already installed"
fi
if ! command -v jq >/dev/null && ! command -v python3 >/dev/null; then
  apt-get install -y -qq jq >/dev/null
fi
[[ -f /etc/ssl/certs/ca-certificates.crt ]] || apt-get install -y -qq ca-certificates >/dev/null

export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs}
podman --storage-driver "$STORAGE_DRIVER" info --format '{{.Store.GraphDriverName}}' >/dev/null
"$PWD/scripts/oci-runtime-norlimit.sh" --version >/dev/null
echo "ci-container-engine: ready ($(podman --version), $(buildah --version | cut -d' ' -f1-3), storage $STORAGE_DRIVER) in $(($(date +%s) - start)) s"
