#!/bin/sh
# The gate between rollout steps: every shadow agent (DaemonSet nrdot-agent-shadow, on the step's
# canary nodes) has written the unoptimized reference, the control's and the treatment's output of
# the same scrapes on its node; this copies each node's three streams and runs
# `nrdot experiment analyze` on them, node by node.
#
#   deploy/kubernetes/rollout/gate.sh SPEC [DIR]
#
# Exit 0 when every node passes: go on to the next step. Otherwise stop and re-apply the previous
# step: 3 when a node fails the spec, 1 on an error (no shadow agent, a copy or the analysis
# failed), 4 when a node is inconclusive (not enough evidence yet: wait and run it again). The
# streams and each node's report (analyze --json) stay in DIR (default: a new temporary folder).
# NRDOT_NAMESPACE (default nrdot) and NRDOT (default `npx nrdot`) override the namespace and the CLI.
set -eu
spec=${1:?usage: gate.sh SPEC [DIR]}
dir=${2:-$(mktemp -d)}
ns=${NRDOT_NAMESPACE:-nrdot}
nrdot=${NRDOT:-npx nrdot}
pods=$(kubectl -n "$ns" get pods -l app.kubernetes.io/name=nrdot-agent-shadow \
  -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName}{"\n"}{end}')
if [ -z "$pods" ]; then
  echo "gate: no shadow agent in namespace $ns (apply a rollout step first)" >&2
  exit 1
fi
failed=0 errors=0 open=0
while read -r pod node; do
  [ -n "$pod" ] || continue
  d="$dir/$node"
  mkdir -p "$d"
  ok=1
  for s in reference control treatment; do
    # The collector's image has no shell: read through the streams container. The last line may
    # be a scrape still being written: leave it out.
    kubectl -n "$ns" exec "$pod" -c streams -- sed '$d' "/var/lib/nrdot/$s.jsonl" > "$d/$s.jsonl" || ok=0
  done
  if [ "$ok" = 0 ]; then
    echo "gate: $node ($pod): could not copy the streams" >&2
    errors=$((errors + 1))
    continue
  fi
  code=0
  $nrdot experiment analyze "$spec" --reference "$d/reference.jsonl" --control "$d/control.jsonl" \
    --treatment "$d/treatment.jsonl" --json > "$d/result.json" || code=$?
  verdict=$(sed -n 's/^  "verdict": "\([a-z]*\)".*/\1/p' "$d/result.json" | head -n 1)
  echo "gate: $node: ${verdict:-error} (exit $code), $d/result.json"
  case $code in
    0) ;;
    3) failed=$((failed + 1)) ;;
    4) open=$((open + 1)) ;;
    *) errors=$((errors + 1)) ;;
  esac
done <<PODS
$pods
PODS
if [ "$failed" -gt 0 ]; then echo "gate: FAIL on $failed node(s): re-apply the previous step" >&2; exit 3; fi
if [ "$errors" -gt 0 ]; then echo "gate: $errors node(s) could not be analyzed: stop" >&2; exit 1; fi
if [ "$open" -gt 0 ]; then echo "gate: inconclusive on $open node(s): not yet, run it again later" >&2; exit 4; fi
echo "gate: pass on every node"
