#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, for the e2e tests:
#   cluster.sh up        install what is missing, build the pinned release, start everything
#                        (idempotent: what already runs is kept), wait for the node to be Ready
#   cluster.sh down      stop every process it started, unmount, remove the cluster's state
#                        (keeps the cached binaries, images and certificates); --purge drops all
#   cluster.sh status    what runs, and the node
#   cluster.sh smoke     a busybox pod runs to completion and its log is read back
#   cluster.sh restart-kubelet   stop and start the kubelet only (pods keep running)
#   cluster.sh kubectl … kubectl as cluster admin
#   cluster.sh env       shell lines that point kubectl/helm at the cluster
# etcd, the apiserver, containerd's CRI stream server and the kubelet's health port listen on
# loopback; the kubelet API listens on the node's own address on a dummy link.
set -Eeuo pipefail
trap 'echo "cluster: failed at ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND" >&2' ERR
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/versions.sh"
. "$here/shell/cluster-env.sh"
. "$here/shell/procs.sh"
. "$here/shell/certs.sh"
. "$here/shell/configs.sh"
. "$here/shell/teardown.sh"
export PATH="$K8S_BIN:$PATH"

kubectl_admin() { "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

# The kubelet rewrites a few kernel tunables (vm.overcommit_memory, kernel.panic…); keep
# the host's values so `down` can put them back on a shared machine.
save_sysctls() {
  [ -s "$E2E_WORK/sysctl.orig" ] && return 0
  sysctl vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops \
    kernel.keys.root_maxkeys kernel.keys.root_maxbytes 2>/dev/null | sed 's/ = /=/' > "$E2E_WORK/sysctl.orig"
}

node_link() {
  ip link show "$NODE_LINK" >/dev/null 2>&1 || ip link add "$NODE_LINK" type bridge
  ip addr show dev "$NODE_LINK" | grep "inet $NODE_IP/" >/dev/null || ip addr add "$NODE_IP/32" dev "$NODE_LINK"
  ip link set "$NODE_LINK" up
}

start_control_plane() {
  start etcd etcd --name e2e --data-dir "$E2E_WORK/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "e2e=http://127.0.0.1:$ETCD_PEER_PORT" --log-level warn
  wait_for etcd 60 curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health"

  # No kube-proxy runs, so the `kubernetes` Service could not route anyway; and its
  # endpoints may not be a loopback address: no endpoint reconciler.
  start kube-apiserver "$K8S_BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
    --endpoint-reconciler-type none --service-cluster-ip-range "$SERVICE_CIDR" \
    --client-ca-file "$PKI/ca.crt" --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$PKI/ca.crt" --kubelet-preferred-address-types InternalIP \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction,PodSecurity \
    --allow-privileged=true --anonymous-auth=false --profiling=false
  wait_for kube-apiserver 120 kubectl_admin get --raw /readyz

  start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
    --kubeconfig "$CONF/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$CONF/controller-manager.kubeconfig" --authorization-kubeconfig "$CONF/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" --profiling=false
  start kube-scheduler "$K8S_BIN/kube-scheduler" \
    --kubeconfig "$CONF/scheduler.kubeconfig" \
    --authentication-kubeconfig "$CONF/scheduler.kubeconfig" --authorization-kubeconfig "$CONF/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --profiling=false
  # Pods cannot be created before the controller-manager made the namespace's ServiceAccount.
  wait_for kube-controller-manager 60 kubectl_admin -n default get serviceaccount default
}

start_kubelet() {
  start kubelet "$K8S_BIN/kubelet" --config "$CONF/kubelet.yaml" --kubeconfig "$CONF/kubelet.kubeconfig" \
    --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --root-dir "$KUBELET_ROOT" --v 2
  wait_for kubelet 120 curl -fsS http://127.0.0.1:10248/healthz
}

# What the e2e tests do to a node in maintenance: the kubelet goes away and comes back,
# pods and containerd keep running.
restart_kubelet() {
  stop kubelet
  start_kubelet
}

# containerd 2 with CDI (Debian's 1.6 has none), built once by test/tools/containerd.sh;
# its runc shim sits beside it and is found on PATH.
containerd_bin_dir() {
  bash "$E2E_ROOT/test/tools/containerd.sh"
}

start_node() {
  local ctrd_dir; ctrd_dir=$(containerd_bin_dir)
  PATH="$ctrd_dir:$PATH" start containerd "$ctrd_dir/containerd" --config "$CONF/containerd.toml"
  wait_for containerd 60 ctr --address "$CONTAINERD_SOCK" version
  "$here/images.sh"
  start_kubelet
  wait_for kubelet 120 kubectl_admin get node "$NODE_NAME"
  wait_for kubelet 120 kubectl_admin wait --for=condition=Ready "node/$NODE_NAME" --timeout 2s
}

up() {
  local t0; t0=$(date +%s)
  [ "$(id -u)" = 0 ] || { echo "cluster: run as root (containerd, the kubelet and the CNI bridge need it)" >&2; exit 1; }
  "$here/install-deps.sh"
  "$here/build-k8s.sh"
  mkdir -p "$E2E_WORK" "$CONF" "$LOGS" "$PIDS"
  save_sysctls
  node_link
  make_pki
  write_kubeconfig "$KUBECONFIG_ADMIN" admin
  write_kubeconfig "$CONF/controller-manager.kubeconfig" controller-manager
  write_kubeconfig "$CONF/scheduler.kubeconfig" scheduler
  write_kubeconfig "$CONF/kubelet.kubeconfig" kubelet
  write_containerd_config
  write_kubelet_config
  start_control_plane
  start_node
  echo "cluster: up in $(( $(date +%s) - t0 )) s; node $NODE_NAME Ready; KUBECONFIG=$KUBECONFIG_ADMIN"
}

status() {
  local name
  for name in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet; do
    if running "$name"; then echo "$name: running (pid $(cat "$PIDS/$name.pid"))"; else echo "$name: stopped"; fi
  done
  if running kube-apiserver; then kubectl_admin get nodes -o wide || true; fi
}

smoke() {
  local ns=default pod="e2e-smoke-$$"
  kubectl_admin -n "$ns" run "$pod" --image "$BUSYBOX_IMAGE" --image-pull-policy Never --restart Never \
    --command -- sh -c 'echo "hello from $(hostname) on $(cat /proc/1/cgroup | head -1)"'
  if ! kubectl_admin -n "$ns" wait --for=jsonpath='{.status.phase}'=Succeeded "pod/$pod" --timeout 120s; then
    kubectl_admin -n "$ns" describe pod "$pod" >&2
    kubectl_admin -n "$ns" delete pod "$pod" --wait=false >/dev/null 2>&1 || true
    return 1
  fi
  kubectl_admin -n "$ns" logs "$pod"
  kubectl_admin -n "$ns" delete pod "$pod" >/dev/null
  echo "cluster: smoke pod ran to completion"
}

case "${1:-}" in
  up) up ;;
  down) shift; down "$@" ;;
  status) status ;;
  smoke) smoke ;;
  restart-kubelet) restart_kubelet ;;
  kubectl) shift; trap - ERR; exec "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@" ;;
  env) echo "export KUBECONFIG=$KUBECONFIG_ADMIN PATH=$K8S_BIN:\$PATH" ;;
  *) echo "usage: $0 up|down [--purge]|status|smoke|restart-kubelet|kubectl ARGS…|env" >&2; exit 2 ;;
esac
