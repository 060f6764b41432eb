#!/usr/bin/env bash
# Installs the Debian packages the e2e cluster runs on: etcd, containerd (for its `ctr`, which
# imports the images; the node itself runs containerd 2 from test/tools/containerd.sh), runc,
# the CNI plugins, umoci to build OCI images offline from a root filesystem, busybox-static
# for that root filesystem, and the network tools kubelet and the CNI bridge plugin call. Idempotent: asks apt only for what is missing.
set -euo pipefail

packages=(etcd-server containerd runc containernetworking-plugins umoci busybox-static
          openssl iproute2 iptables conntrack util-linux mount)
# The release image and registry tests (test/release): skopeo copies the image index, Debian's
# docker-registry (CNCF distribution) is the local OCI registry, qemu-user-static runs the
# arm64 image's node, dpkg-deb/apt (always there) unpack the Debian runtime libraries.
packages+=(skopeo docker-registry qemu-user-static)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep 'install ok installed' >/dev/null || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "install-deps: run as root to install ${missing[*]}" >&2; exit 1; }
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Other jobs on a shared machine may hold the dpkg lock for a while: wait instead of failing.
apt_opts=(-o DPkg::Lock::Timeout=600 -y -qq --no-install-recommends)
apt-get "${apt_opts[@]:0:2}" update -qq
# Debian starts packaged daemons on install; the e2e cluster starts its own, with its own
# configs, so keep the packaged services from starting (policy-rc.d 101 = action forbidden).
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; own_policy=true
fi
trap '$own_policy && rm -f "$policy"' EXIT
apt-get "${apt_opts[@]}" install "${missing[@]}"
