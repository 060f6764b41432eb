# shellcheck shell=bash
# Names, addresses and paths of the e2e cluster; sourced after versions.sh.
NODE_NAME=e2e-node
# The kubelet refuses a loopback node IP, so the node gets its own address on a portless
# bridge (this kernel has no dummy links): reachable from this host only, like loopback,
# and gone with `cluster.sh down`.
NODE_LINK=e2e0
NODE_IP=10.87.255.1
APISERVER_PORT=6443
ETCD_CLIENT_PORT=2379
ETCD_PEER_PORT=2380
SERVICE_CIDR=10.96.0.0/16
SERVICE_IP=10.96.0.1
POD_CIDR=10.88.0.0/16
CNI_BRIDGE=e2ebr0
PAUSE_TAG=3.10
PAUSE_IMAGE=e2e.local/pause:$PAUSE_TAG
BUSYBOX_TAG=1.35.0
BUSYBOX_IMAGE=e2e.local/busybox:$BUSYBOX_TAG

PKI="$E2E_WORK/pki"
CONF="$E2E_WORK/conf"
LOGS="$E2E_WORK/logs"
PIDS="$E2E_WORK/pids"
CONTAINERD_SOCK="$E2E_WORK/run/containerd.sock"
# containerd 2's root and state (test/tools/containerd.sh builds it): apart from the
# containerd/ directory that Debian's containerd 1.6 used, so the two never share a metadata
# database (images are imported again, once).
CONTAINERD_DIR="$E2E_WORK/containerd2"
# Where containerd's CRI plugin reads CDI specs: the device plugin DaemonSet's CDI hostPath.
CDI_SPEC_DIR=/var/run/cdi
KUBELET_ROOT="$E2E_WORK/kubelet"
KUBECONFIG_ADMIN="$CONF/admin.kubeconfig"
# containerd's registry host configs (hosts.toml per host:port), e.g. the release test's registry.
REGISTRY_HOSTS_DIR="$CONF/certs.d"
PLUGIN_IMAGE_REPO=e2e.local/gpu-device-plugin
# Inside the DaemonSet's device-plugins hostPath: the plugin reads XID events from here, the
# tests append to it on the host. The kubelet only ever removes sockets from that directory.
FAKE_NVML_EVENTS_DIR=/var/lib/kubelet/device-plugins/fake-nvml
