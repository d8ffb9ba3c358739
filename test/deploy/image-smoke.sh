#!/usr/bin/env bash
# Smoke test of the nrdot-collector image (after `make image`), with podman and runc (the image's
# default command, user and its OTLP input and state: test/deploy/image.test.ts):
#   1. as the Kubernetes agent runs it: the host's /proc mounted read-only under /hostfs with the
#      scraper's root_path, the data folder on a volume, a read-only root and no capabilities: the
#      agent scrapes the host's processes (many more than the container's one) and writes
#      optimized, tiered metrics to the volume (the optimizer's state there, its checkpoint after a
#      SIGKILL and what OTLP input becomes: test/deploy/image.test.ts);
#   2. the two tiers of deploy/kubernetes on a podman network: an agent with the base's agent
#      config and the DaemonSet's args sends through the load_balancing exporter (DNS resolver) to
#      a gateway with the local overlay's gateway config and the StatefulSet's port variables,
#      which writes what it receives and answers its probes' port.
# Prints "N passed, N failed". Needs root, podman and runc (scripts/ci-container-engine.sh) and
# loopback ports 18081-18082 and 18889 free (NRDOT_SMOKE_PORT_BASE, default 18080, moves them).
set -uo pipefail
cd "$(dirname "$0")/../.."

version=$(awk '/^dist:/ {d = 1; next} d && /^[^ #]/ {d = 0} d && $1 == "version:" {print $2; exit}' builder-config.yaml)
image=${NRDOT_IMAGE:-nrdot-collector:$version}
export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs}
runtime="$PWD/scripts/oci-runtime-norlimit.sh"
podman=(podman --storage-driver "$STORAGE_DRIVER" --runtime "$runtime")
base=${NRDOT_SMOKE_PORT_BASE:-18080}
passed=0 failed=0
containers=()
network=
work=$(mktemp -d)

cleanup() {
  for c in "${containers[@]}"; do "${podman[@]}" rm -f "$c" >/dev/null 2>&1; done
  [[ -z $network ]] || "${podman[@]}" network rm "$network" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

ok() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# wait_for SECONDS CMD...: until CMD succeeds.
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}

# host_points PORT: the points the host_metrics receiver accepted, on the collector's Prometheus
# endpoint.
host_points() {
  curl -fsS "http://127.0.0.1:$1/metrics" | awk '$1 ~ /^otelcol_receiver_accepted_metric_points.*host_metrics/ {s += $NF} END {print s + 0}'
}
more_host_points_than() { (($(host_points "$1") > $2)); }

if ! "${podman[@]}" image exists "$image"; then
  echo "image-smoke: $image is not in podman's storage ($STORAGE_DRIVER): run make image"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "image-smoke: $image, $("${podman[@]}" image inspect -f '{{.Size}}' "$image" | numfmt --to=iec-i --suffix=B)"

# The DaemonSet's collector args: its config file, then the overrides it runs that config with.
k=deploy/kubernetes
mapfile -t agent_args < <(sed -n '/^          args:/,/^          env:/p' $k/base/agent/daemonset.yaml | sed -n 's/^ *- "\{0,1\}\(--config[^"]*\)"\{0,1\}$/\1/p')
if ((${#agent_args[@]} < 2)); then
  echo "image-smoke: no --config args found in $k/base/agent/daemonset.yaml"
  echo "0 passed, 1 failed"
  exit 1
fi

# 1. As the Kubernetes agent: the image's agent config with the DaemonSet's overrides.
c2=nrdot-smoke-agent-$$
containers+=("$c2")
mkdir -p "$work/data" && chown 10001:10001 "$work/data"
# GOMEMLIMIT as the downward API gives limits.memory: plain bytes.
if "${podman[@]}" run -d --name "$c2" --read-only --cap-drop ALL --security-opt no-new-privileges \
  -e GOMEMLIMIT=536870912 -v /proc:/hostfs/proc:ro -v "$work/data:/var/lib/nrdot" \
  -p "127.0.0.1:$((base + 1)):13133" -p "127.0.0.1:$((base + 809)):8888" "$image" \
  --config=/etc/nrdot/agent.yaml "${agent_args[@]:1}" >/dev/null; then
  if wait_for 30 curl -fsS "http://127.0.0.1:$((base + 1))/"; then
    ok "agent: healthy with a read-only root, no capabilities, the host's /proc under /hostfs"
  else
    fail "agent: health_check did not answer in 30 s"; "${podman[@]}" logs "$c2" 2>&1 | tail -20
  fi
  # The container alone has one process (~10 points a scrape); the host has many.
  host_procs=$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l)
  if wait_for 40 more_host_points_than "$((base + 809))" 50; then
    ok "agent: scraped the host's processes ($(host_points "$((base + 809))") points accepted; $host_procs processes on the host)"
  else
    fail "agent: too few points scraped: $(host_points "$((base + 809))") (the container's own /proc?)"
  fi
  if wait_for 40 grep -q '"nrdot.tier"' "$work/data/metrics.jsonl"; then
    ok "agent: optimized, tiered metrics written to the data volume ($(wc -c <"$work/data/metrics.jsonl") bytes)"
  else
    fail "agent: no tiered metrics in the data volume"; "${podman[@]}" logs "$c2" 2>&1 | tail -20
  fi
else
  fail "agent: podman run failed"
fi

# 2. Agent -> gateway, as deployed by deploy/kubernetes.
network=nrdot-smoke-$$
gw=nrdot-smoke-gateway-$$ ag=nrdot-smoke-agent-tier-$$
containers+=("$gw" "$ag")
mkdir -p "$work/gw" "$work/ag" && chown 10001:10001 "$work/gw" "$work/ag"
if "${podman[@]}" network create "$network" >/dev/null &&
  "${podman[@]}" run -d --name "$gw" --network "$network" --read-only --cap-drop ALL \
    -e NRDOT_HEALTH_ENDPOINT=0.0.0.0:13133 -e NRDOT_TELEMETRY_PORT=8888 -p "127.0.0.1:$((base + 2)):13133" \
    -v "$PWD/$k/overlays/local/config:/etc/nrdot/gateway:ro" -v "$work/gw:/var/lib/nrdot" \
    "$image" --config=/etc/nrdot/gateway/gateway.yaml >/dev/null &&
  "${podman[@]}" run -d --name "$ag" --network "$network" --read-only --cap-drop ALL \
    -e "NRDOT_GATEWAY_HOST=$gw" -e NRDOT_GATEWAY_PORT=4317 \
    -v "$PWD/$k/base/config:/etc/nrdot/agent:ro" -v /proc:/hostfs/proc:ro -v "$work/ag:/var/lib/nrdot" \
    "$image" "${agent_args[@]}" >/dev/null; then
  # The StatefulSet's probes: health_check on 13133 (the generated gateway's own default is 13134).
  if wait_for 30 curl -fsS "http://127.0.0.1:$((base + 2))/"; then
    ok "tiers: the gateway answers its probes' port 13133 (NRDOT_HEALTH_ENDPOINT)"
  else
    fail "tiers: the gateway's health_check did not answer on 13133 in 30 s"
  fi
  if wait_for 60 grep -q '"nrdot.tier"' "$work/gw/metrics.jsonl"; then
    ok "tiers: the agent's optimized, tiered metrics reached the gateway ($(wc -c <"$work/gw/metrics.jsonl") bytes)"
  else
    fail "tiers: nothing reached the gateway in 60 s"
    "${podman[@]}" logs "$ag" 2>&1 | tail -10; "${podman[@]}" logs "$gw" 2>&1 | tail -10
  fi
else
  fail "tiers: podman network or run failed"
fi

echo "$passed passed, $failed failed"
((failed == 0))
