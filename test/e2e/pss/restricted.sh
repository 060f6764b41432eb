#!/usr/bin/env bash
# Pod Security, checked by the real kube-apiserver's PodSecurity admission of the e2e
# cluster (test/e2e/cluster.sh up), all with --dry-run=server so nothing is scheduled:
#   1. dist/gpu-job.k8s.yaml applies to a namespace labelled enforce/warn/audit=restricted
#      without a single PodSecurity warning;
#   2. its pod template, created as a Pod there, is admitted (enforce applies to Pods);
#   3. the device plugin's pod template is refused there (the namespace really enforces);
#   4. the plugin's DaemonSet and pod are admitted in a namespace carrying the
#      pod-security labels of dist/device-plugin.k8s.yaml (privileged).
# The two scratch namespaces are real (a dry-run namespace cannot hold dry-run objects)
# and are deleted on exit. Exit 0 when all four hold; each failure says which and why.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cluster="$here/../cluster.sh"
k() { "$cluster" kubectl "$@"; }
obj() { node "$here/pod-of.js" "$@"; }

if ! k get --raw /readyz >/dev/null 2>&1; then
  echo "pss/restricted.sh: the e2e cluster does not answer; start it with test/e2e/cluster.sh up" >&2
  exit 1
fi

suffix="$$-$RANDOM"
restricted="pss-restricted-$suffix"
privileged="pss-privileged-$suffix"
cleanup() { k delete namespace "$restricted" "$privileged" --ignore-not-found --wait=false >/dev/null 2>&1 || true; }
trap cleanup EXIT

k create namespace "$restricted" >/dev/null
k label namespace "$restricted" pod-security.kubernetes.io/enforce=restricted \
  pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/audit=restricted >/dev/null
# The plugin namespace gets exactly the pod-security labels the construct writes.
k create namespace "$privileged" >/dev/null
mapfile -t labels < <(obj "$repo/dist/device-plugin.k8s.yaml" Namespace "$privileged" \
  | node -e 'const o=JSON.parse(require("fs").readFileSync(0,"utf-8")); for (const [k,v] of Object.entries(o.metadata.labels)) if (k.startsWith("pod-security.kubernetes.io/")) console.log(`${k}=${v}`);')
if [ "${#labels[@]}" -eq 0 ]; then
  echo "pss/restricted.sh: FAIL: dist/device-plugin.k8s.yaml's Namespace has no pod-security.kubernetes.io labels" >&2
  exit 1
fi
k label namespace "$privileged" "${labels[@]}" >/dev/null

failed=0
fail() { echo "pss/restricted.sh: FAIL: $*" >&2; failed=1; }
pass() { echo "pss/restricted.sh: ok: $*"; }

# 1. The Job: admitted with no PodSecurity warning.
if out="$(obj "$repo/dist/gpu-job.k8s.yaml" Job "$restricted" | k apply --dry-run=server -f - 2>&1)"; then
  if grep -qi 'PodSecurity' <<<"$out"; then fail "dist/gpu-job.k8s.yaml draws a PodSecurity warning in a restricted namespace: $out"
  else pass "GpuJob applies to a restricted namespace without a PodSecurity warning"; fi
else fail "dist/gpu-job.k8s.yaml was refused in a restricted namespace: $out"; fi

# 2. Its pod: admitted under enforce=restricted.
if out="$(obj "$repo/dist/gpu-job.k8s.yaml" Job "$restricted" pod | k create --dry-run=server -f - 2>&1)"; then
  pass "GpuJob's pod is admitted by enforce=restricted"
else fail "GpuJob's pod was refused by enforce=restricted: $out"; fi

# 3. Negative control: the plugin's pod is refused there, naming what breaks restricted.
if out="$(obj "$repo/dist/device-plugin.k8s.yaml" DaemonSet "$restricted" pod | k create --dry-run=server -f - 2>&1)"; then
  fail "the device plugin's pod was admitted by enforce=restricted, so the check proves nothing"
elif grep -q 'violates PodSecurity "restricted' <<<"$out"; then
  pass "the device plugin's pod is refused by enforce=restricted (${out##*: })"
else fail "the device plugin's pod was refused, but not by PodSecurity: $out"; fi

# 4. The plugin in a namespace labelled as the construct labels it.
if out="$(obj "$repo/dist/device-plugin.k8s.yaml" DaemonSet "$privileged" | k apply --dry-run=server -f - 2>&1)" \
    && ! grep -qi 'PodSecurity' <<<"$out"; then
  pass "the device plugin DaemonSet applies to its privileged namespace without a PodSecurity warning"
else fail "the device plugin DaemonSet in its privileged namespace: $out"; fi
if out="$(obj "$repo/dist/device-plugin.k8s.yaml" DaemonSet "$privileged" pod | k create --dry-run=server -f - 2>&1)"; then
  pass "the device plugin's pod is admitted in its privileged namespace"
else fail "the device plugin's pod was refused in its privileged namespace: $out"; fi

exit "$failed"
