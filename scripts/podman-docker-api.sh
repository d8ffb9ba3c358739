#!/usr/bin/env bash
# Prepares podman so that a client of its Docker-compatible API (testcontainers, in
# test/deploy/image.test.ts) can run the NRDOT image on this project's CI machines (Debian, root,
# no Docker engine, no registry, no CAP_SYS_RESOURCE). A client of the API cannot pass podman's
# command-line flags, so what scripts/image.sh and test/deploy/image-smoke.sh pass as flags must be
# podman's own defaults here:
#   1. podman and runc installed (scripts/ci-container-engine.sh, only when missing);
#   2. the storage driver vfs, where scripts/image.sh puts the image: written to
#      /etc/containers/storage.conf only when podman's driver is not vfs already and that file
#      names no driver (a driver someone chose is left alone, and reported);
#   3. the rlimit-free runtime wrapper (scripts/oci-runtime-norlimit.sh), only when root lacks
#      CAP_SYS_RESOURCE (runc then fails with "error setting rlimit type 7") and podman's runtime is
#      not the wrapper already: the wrapper is copied to /usr/local/libexec/nrdot/ (a path that
#      outlives this checkout) and made the default in
#      /etc/containers/containers.conf.d/50-nrdot-norlimit.conf ([engine] runtime, [engine.runtimes]).
# It starts nothing: the test starts `podman system service` itself, when no engine answers, and
# stops it at the end. Idempotent; prints what it changed. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "podman-docker-api: $*"; }

if [[ $(id -u) != 0 ]]; then
  say "needs root to configure podman (run as root, or start a Docker engine / a podman service yourself and set DOCKER_HOST)" >&2
  exit 1
fi
# 1. Not unconditionally: ci-container-engine.sh checks podman with the vfs driver, which fails on a
# podman whose storage uses another driver (step 2 leaves such a choice alone).
if ! command -v podman >/dev/null || ! command -v runc >/dev/null; then
  scripts/ci-container-engine.sh
fi

# 2. Storage.
driver=$(podman info --format '{{.Store.GraphDriverName}}' 2>/dev/null || true)
conf=/etc/containers/storage.conf
if [[ $driver == vfs ]]; then
  say "storage driver: vfs already"
elif [[ -f $conf ]] && grep -Eq '^[[:space:]]*driver[[:space:]]*=' "$conf"; then
  say "storage driver: $driver, set in $conf; left alone (build the image with STORAGE_DRIVER=$driver scripts/image.sh)"
else
  mkdir -p /etc/containers
  if [[ -f $conf ]] && grep -q '^\[storage\]' "$conf"; then
    sed -i '/^\[storage\]/a driver = "vfs"' "$conf"
  else
    printf '[storage]\ndriver = "vfs"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' >>"$conf"
  fi
  say "storage driver: set vfs in $conf (was ${driver:-unknown})"
fi

# 3. Runtime.
cap_eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
wrapper=/usr/local/libexec/nrdot/oci-runtime-norlimit
dropin=/etc/containers/containers.conf.d/50-nrdot-norlimit.conf
if (((0x$cap_eff >> 24) & 1)); then
  say "runtime: root has CAP_SYS_RESOURCE, podman's own runtime works; no wrapper"
else
  if ! cmp -s scripts/oci-runtime-norlimit.sh "$wrapper"; then
    install -D -m 0755 scripts/oci-runtime-norlimit.sh "$wrapper"
    say "runtime: installed the rlimit-free wrapper at $wrapper"
  fi
  current=$(podman info --format '{{.Host.OCIRuntime.Path}}' 2>/dev/null || true)
  if [[ $current == "$wrapper" ]]; then
    say "runtime: $wrapper already"
  else
    mkdir -p "$(dirname "$dropin")"
    cat >"$dropin" <<EOF
# Written by NRDOT's scripts/podman-docker-api.sh: root here lacks CAP_SYS_RESOURCE, so runc cannot
# set the rlimits podman asks for; this wrapper removes them and runs /usr/bin/runc.
[engine]
runtime = "nrdot-norlimit"

[engine.runtimes]
nrdot-norlimit = ["$wrapper"]
EOF
    current=$(podman info --format '{{.Host.OCIRuntime.Path}}' 2>/dev/null || true)
    if [[ $current != "$wrapper" ]]; then
      say "runtime: wrote $dropin but podman still uses '${current:-?}' (containers.conf.d not read by $(podman --version)?)" >&2
      exit 1
    fi
    say "runtime: made $wrapper podman's default in $dropin"
  fi
fi
say "ready: $(podman --version), storage $(podman info --format '{{.Store.GraphDriverName}}'), runtime $(podman info --format '{{.Host.OCIRuntime.Path}}')"
