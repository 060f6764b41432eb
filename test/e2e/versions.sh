# shellcheck shell=bash
# Pinned versions and cache paths for the e2e cluster; sourced by every test/e2e script.
#
# Kubernetes 1.33 is the newest minor whose kubelet still starts on a cgroup v1 host
# without opting out (1.35+ refuse cgroup v1 unless failCgroupV1 is false); 1.31 and
# 1.32 are older and closer to end of life. v1.33.13 is the latest 1.33 patch the Go
# module proxy serves.
E2E_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
K8S_VERSION="${K8S_VERSION:-v1.33.13}"
E2E_CACHE="${E2E_CACHE:-$E2E_ROOT/.cache/e2e}"
K8S_BIN="$E2E_CACHE/bin/$K8S_VERSION"
K8S_COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl)
# Working directory of a running cluster: certificates, configs, data, logs, pid files.
E2E_WORK="${E2E_WORK:-$E2E_CACHE/cluster}"
# crictl: only for tearing pods down through the CRI (and for debugging); its skew with
# containerd 1.6's CRI v1 is loose. The oldest release the Go proxy serves.
CRICTL_VERSION="${CRICTL_VERSION:-v1.34.0}"
# CRDs of the third-party kinds dist/ contains, from the controllers' own modules on the Go
# proxy (Flux 2.7's helm-controller and source-controller, prometheus-operator). NVIDIA's
# gpu-operator module is not served by the proxy: crds.sh takes the real ClusterPolicy CRD
# from the pinned release's chart in ../shared/peers (test/tools/peers.sh).
CRD_MODULES=(
  "github.com/fluxcd/helm-controller@v1.4.0 config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml"
  "github.com/fluxcd/source-controller@v1.7.0 config/crd/bases/source.toolkit.fluxcd.io_helmrepositories.yaml"
  "github.com/prometheus-operator/prometheus-operator@v0.85.0 example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml"
)
# The GPU Operator release the constructs pin (its ClusterPolicy CRD is the one test 1 validates against).
GPU_OPERATOR_VERSION="$(sed -n "s/^export const GPU_OPERATOR_VERSION = '\(v[0-9.]*\)';$/\1/p" "$E2E_ROOT/src/operator/releases.ts")"
[[ "$GPU_OPERATOR_VERSION" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "versions.sh: could not read GPU_OPERATOR_VERSION from src/operator/releases.ts (got '$GPU_OPERATOR_VERSION')" >&2; return 1; }
