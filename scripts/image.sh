#!/usr/bin/env bash
# Builds the OCI image nrdot-collector:<version> (version: dist.version in builder-config.yaml)
# from deploy/image/Containerfile, and writes it as an OCI archive to
# build/nrdot-collector-<version>.oci.tar.
#
# Engine: docker when `docker info` answers (a client without an engine does not count), else
# podman, else buildah. podman and buildah get the storage driver in $STORAGE_DRIVER (default vfs:
# works as root without overlay support, and is what test/deploy/image-smoke.sh runs from) and the
# isolation in $BUILDAH_ISOLATION (default chroot). NRDOT_IMAGE_ENGINE=docker|podman|buildah
# forces one.
#
# Needs bin/nrdot-collector and build/wasm/*.wasm (`make build`; NRDOT_COLLECTOR and
# NRDOT_WASM_BUILD name others) and node_modules (the CLI generates the New Relic variants of the
# agent configs).
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(awk '/^dist:/ {d = 1; next} d && /^[^ #]/ {d = 0} d && $1 == "version:" {print $2; exit}' builder-config.yaml)
[[ -n $version ]] || { echo "image: no dist.version in builder-config.yaml" >&2; exit 1; }
image=${NRDOT_IMAGE:-nrdot-collector:$version}
archive=build/nrdot-collector-$version.oci.tar

collector=${NRDOT_COLLECTOR:-bin/nrdot-collector}
wasm=${NRDOT_WASM_BUILD:-build/wasm}
for f in "$collector" "$wasm/optimize.wasm" "$wasm/classify.wasm" /etc/ssl/certs/ca-certificates.crt; do
  [[ -f $f ]] || { echo "image: $f is missing (run make build; CA certificates come from the ca-certificates package)" >&2; exit 1; }
done
[[ $(head -c4 "$collector" | tail -c3) == ELF ]] || { echo "image: $collector is not an ELF binary" >&2; exit 1; }

# The build context: the image's files laid out as in the image.
ctx=build/image/context
rm -rf "$ctx"
root=$ctx/rootfs
mkdir -p "$root/usr/lib/nrdot/wasm" "$root/etc/nrdot/profiles" "$root/etc/nrdot/configs" \
  "$root/etc/ssl/certs" "$ctx/state"
install -m 0755 "$collector" "$root/nrdot-collector"
install -m 0644 "$wasm"/*.wasm "$root/usr/lib/nrdot/wasm/"
install -m 0644 profiles/*.yaml "$root/etc/nrdot/profiles/"
install -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
for dir in configs/*/; do
  p=$(basename "$dir")
  [[ -f $dir/agent.yaml ]] || continue
  mkdir -p "$root/etc/nrdot/configs/$p"
  install -m 0644 "$dir/agent.yaml" "$root/etc/nrdot/configs/$p/agent.yaml"
  # The same profile exporting to New Relic (the key stays in the environment).
  if [[ -f profiles/$p.yaml ]]; then
    node src/bin/nrdot.mjs generate --profile "$p" --backend newrelic -o "$ctx/gen/$p" >/dev/null
    install -m 0644 "$ctx/gen/$p/agent.yaml" "$root/etc/nrdot/configs/$p/agent-newrelic.yaml"
  fi
done
# The default: the project's default profile, as `make run` uses it.
install -m 0644 configs/balanced/agent.yaml "$root/etc/nrdot/agent.yaml"
chmod -R a+rX "$root"

# Every config in the image, with the overrides of the image's default command (the yaml: sources
# of the Containerfile's CMD), must pass the collector's validate (modules from the image's
# folder, a scratch data folder).
mapfile -t overrides < <(node -e '
  const cf = require("fs").readFileSync("deploy/image/Containerfile", "utf8").replace(/\\\n/g, " ");
  for (const a of JSON.parse(/^CMD\s+(\[.*\])\s*$/m.exec(cf)[1])) if (a.startsWith("--config=yaml:")) console.log(a);')
((${#overrides[@]} > 0)) || { echo "image: no --config=yaml: overrides in deploy/image/Containerfile's CMD" >&2; exit 1; }
for cfg in "$root/etc/nrdot/agent.yaml" "$root"/etc/nrdot/configs/*/*.yaml; do
  if ! out=$(NRDOT_WASM_DIR="$root/usr/lib/nrdot/wasm" NRDOT_DATA_DIR="$ctx/validate" NEW_RELIC_LICENSE_KEY=validate \
    "$collector" validate "--config=$cfg" "${overrides[@]}" 2>&1); then
    echo "image: ${cfg#"$root"} does not pass the collector's validate:" >&2
    echo "$out" >&2
    exit 1
  fi
done

engine=${NRDOT_IMAGE_ENGINE:-}
if [[ -z $engine ]]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then engine=docker
  elif command -v podman >/dev/null; then engine=podman
  elif command -v buildah >/dev/null; then engine=buildah
  else echo "image: no container engine (docker with a running engine, podman or buildah); scripts/ci-container-engine.sh installs one" >&2; exit 1
  fi
fi
storage=${STORAGE_DRIVER:-vfs}
isolation=${BUILDAH_ISOLATION:-chroot}

# vfs keeps a full copy of every image: the one this build replaces is removed afterwards.
previous=
case $engine in
  podman | buildah) previous=$($engine --storage-driver "$storage" images -q --no-trunc "$image" 2>/dev/null | head -1) ;;
esac

echo "image: building $image with $engine"
rm -f "$archive"
case $engine in
  docker)
    docker build -f deploy/image/Containerfile --build-arg "VERSION=$version" -t "$image" "$ctx"
    # Docker 25 and later save an OCI image layout.
    docker save -o "$archive" "$image"
    size=$(docker image inspect -f '{{.Size}}' "$image")
    ;;
  podman)
    podman --storage-driver "$storage" build --layers=false --isolation "$isolation" -f deploy/image/Containerfile --build-arg "VERSION=$version" -t "$image" "$ctx"
    podman --storage-driver "$storage" save --format oci-archive -o "$archive" "$image"
    size=$(podman --storage-driver "$storage" image inspect -f '{{.Size}}' "$image")
    ;;
  buildah)
    buildah --storage-driver "$storage" bud --isolation "$isolation" -f deploy/image/Containerfile --build-arg "VERSION=$version" -t "$image" "$ctx"
    buildah --storage-driver "$storage" push "$image" "oci-archive:$archive:$image"
    size=$(buildah --storage-driver "$storage" images --format '{{.Size}}' "$image")
    ;;
  *) echo "image: unknown engine $engine" >&2; exit 1 ;;
esac
if [[ -n $previous ]] && [[ $($engine --storage-driver "$storage" images -q --no-trunc "$image" | head -1) != "$previous" ]]; then
  $engine --storage-driver "$storage" rmi "$previous" >/dev/null 2>&1 || true
fi
[[ $size =~ ^[0-9]+$ ]] && size=$(numfmt --to=iec-i --suffix=B "$size")
echo "image: $image ($engine), $size unpacked"
echo "image: OCI archive $archive ($(du -h "$archive" | cut -f1))"
