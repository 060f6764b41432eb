# shellcheck shell=bash
# `cluster.sh down`: stops what `up` started and removes what it left in the kernel
# (mounts, network namespaces, links, cgroups, sysctls). Sourced by cluster.sh; safe to
# run twice or after a crash.

crictl_e2e() { "$K8S_BIN/crictl" --runtime-endpoint "unix://$CONTAINERD_SOCK" --timeout 30s "$@"; }

# Pods are stopped through the CRI so containerd runs the CNI DEL for each of them.
remove_pods() {
  running containerd || return 0
  if [ -x "$K8S_BIN/crictl" ]; then
    local ids; ids=$(crictl_e2e pods -q 2>/dev/null || true)
    if [ -n "$ids" ]; then
      # shellcheck disable=SC2086
      crictl_e2e stopp $ids >/dev/null 2>&1 || true
      # shellcheck disable=SC2086
      crictl_e2e rmp -f $ids >/dev/null 2>&1 || true
      echo "  removed $(echo "$ids" | wc -l) pod sandbox(es)"
    fi
  fi
  # Whatever the CRI could not remove: kill the tasks so their shims exit.
  local c
  for c in $(ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
    ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks kill -s SIGKILL "$c" >/dev/null 2>&1 || true
    sleep 0.2
    ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks delete -f "$c" >/dev/null 2>&1 || true
  done
}

# Shims outlive containerd by design; ours are the ones bound to our containerd's socket.
kill_shims() {
  local pid
  for pid in $(pgrep -f -- "containerd-shim-runc-v2 .*-address $CONTAINERD_SOCK" || true); do
    kill -KILL "$pid" 2>/dev/null && echo "  killed leftover shim $pid" || true
  done
}

unmount_under() {
  local dir m
  # Mount points are listed by their real path; the work dir may sit behind a symlinked .cache.
  dir=$(realpath -m "$1")
  # Deepest first; mountinfo escapes spaces as \040, which our paths do not contain.
  for m in $(awk -v d="$dir" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || echo "  could not unmount $m" >&2
  done
}

# live_process NAME: a process of that name runs (zombies, like the kubelet we just stopped
# before init reaps it, do not count: their cmdline is empty).
live_process() {
  local pid
  for pid in $(pgrep -x "$1" || true); do
    [ -n "$(tr -d '\0' < "/proc/$pid/cmdline" 2>/dev/null)" ] && return 0
  done
  return 1
}

remove_cgroups() {
  local root dir
  for root in /sys/fs/cgroup/*/; do
    [ -d "$root/kubepods" ] || continue
    # Children before parents; rmdir only succeeds on empty cgroups, which is the point.
    find "$root/kubepods" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    [ -d "$root/kubepods" ] && echo "  cgroup $root/kubepods still busy" >&2
  done
  return 0
}

remove_iptables_chains() {
  local table chain
  for table in filter nat mangle; do
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
      iptables -t "$table" -S 2>/dev/null | awk -v c="$chain" '$1 == "-A" && $0 ~ ("-j " c "( |$)") {sub("^-A", "-D"); print}' |
        while read -r rule; do eval "iptables -t $table $rule" 2>/dev/null || true; done
      iptables -t "$table" -F "$chain" 2>/dev/null || true
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}

restore_sysctls() {
  [ -s "$E2E_WORK/sysctl.orig" ] || return 0
  sysctl -q -p "$E2E_WORK/sysctl.orig" >/dev/null 2>&1 || true
  rm -f "$E2E_WORK/sysctl.orig"
}

down() {
  local purge=false
  [ "${1:-}" = --purge ] && purge=true
  stop kubelet
  remove_pods
  stop containerd
  kill_shims
  stop kube-scheduler
  stop kube-controller-manager
  stop kube-apiserver
  stop etcd
  unmount_under "$E2E_WORK"
  remove_cgroups
  remove_iptables_chains
  ip link del "$CNI_BRIDGE" 2>/dev/null || true
  ip link del "$NODE_LINK" 2>/dev/null || true
  restore_sysctls
  # The kubelet's device-plugin directory is fixed, whatever its root dir: take back what it left.
  rm -f /var/lib/kubelet/device-plugins/kubelet.sock /var/lib/kubelet/device-plugins/kubelet_internal_checkpoint
  rm -rf "$FAKE_NVML_EVENTS_DIR"
  # Container logs go to the kubelet's fixed /var/log/pods; pods removed through the CRI
  # above leave theirs. No other kubelet runs on these machines (checked), so all are ours.
  if ! live_process kubelet; then
    rm -rf /var/log/pods/* /var/log/containers/*
  fi
  rm -rf "$E2E_WORK/etcd" "$KUBELET_ROOT" "$E2E_WORK/cni" "$E2E_WORK/run" "$E2E_WORK/containerd/state" "$CONTAINERD_DIR/state"
  if $purge; then rm -rf "$E2E_WORK"; echo "cluster: down, state purged"; else echo "cluster: down"; fi
}
