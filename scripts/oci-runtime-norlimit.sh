#!/usr/bin/env bash
# An OCI runtime for podman (`podman --runtime scripts/oci-runtime-norlimit.sh ...`) on hosts
# where root lacks CAP_SYS_RESOURCE, such as this project's sandboxed machines: podman always
# asks the runtime to set RLIMIT_NOFILE/NPROC, and runc then fails with
# "error setting rlimit type 7: operation not permitted". This removes process.rlimits from the
# bundle's config.json (the container keeps the limits it inherits) and runs the real runtime
# ($NRDOT_OCI_RUNTIME, default /usr/bin/runc) with the same arguments.
set -euo pipefail
runtime=${NRDOT_OCI_RUNTIME:-/usr/bin/runc}

bundle=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --bundle | -b) bundle=${args[i + 1]:-} ;;
    --bundle=* | -b=*) bundle=${args[i]#*=} ;;
  esac
done

if [[ -n $bundle && -f $bundle/config.json ]]; then
  cfg=$bundle/config.json
  if command -v jq >/dev/null; then
    jq 'del(.process.rlimits)' "$cfg" >"$cfg.norlimit"
  else
    python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))
c.get("process", {}).pop("rlimits", None)
json.dump(c, open(sys.argv[2], "w"))' "$cfg" "$cfg.norlimit"
  fi
  mv "$cfg.norlimit" "$cfg"
fi
exec "$runtime" "$@"
