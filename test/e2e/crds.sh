#!/usr/bin/env bash
# Collects the CRDs that dist/'s third-party kinds need into one directory and prints it: the
# Flux and Prometheus Operator CRDs from the controllers' modules on the Go proxy, and NVIDIA's
# real ClusterPolicy CRD of the pinned GPU Operator release (GPU_OPERATOR_VERSION in
# src/operator/releases.ts), from its chart in ../shared/peers (test/tools/peers.sh). With
# `crds.sh --gpu-operator VERSION` the ClusterPolicy CRD is that release's instead. Idempotent.
set -euo pipefail
. "$(dirname "$0")/versions.sh"
gpu_operator="$GPU_OPERATOR_VERSION"
if [ "${1:-}" = "--gpu-operator" ]; then
  gpu_operator="${2:?crds.sh --gpu-operator needs a version, e.g. v25.10.1}"
fi
# One directory per GPU Operator release: a directory never holds two ClusterPolicy CRDs.
out="$E2E_CACHE/crds-gpu-operator-$gpu_operator"
mkdir -p "$out"
for entry in "${CRD_MODULES[@]}"; do
  read -r module file <<<"$entry"
  dest="$out/$(basename "$file")"
  [ -s "$dest" ] && continue
  dir=$(go mod download -json "$module" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
  [ -f "$dir/$file" ] || { echo "crds: $file not found in $module ($dir)" >&2; exit 1; }
  cp "$dir/$file" "$dest.part" && mv "$dest.part" "$dest"
done
chart=$("$E2E_ROOT/test/tools/peers.sh" "gpu-operator-chart-$gpu_operator") || {
  echo "crds: NVIDIA's gpu-operator $gpu_operator chart (the real ClusterPolicy CRD) is not available: test/tools/peers.sh failed (see above)" >&2
  exit 1
}
crd="$chart/crds/nvidia.com_clusterpolicies.yaml"
[ -s "$crd" ] || { echo "crds: $crd is missing from the gpu-operator $gpu_operator chart" >&2; exit 1; }
cp "$crd" "$out/nvidia.com_clusterpolicies.yaml.part" && mv "$out/nvidia.com_clusterpolicies.yaml.part" "$out/nvidia.com_clusterpolicies.yaml"
echo "$out"
