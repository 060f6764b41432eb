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
