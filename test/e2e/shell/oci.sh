# shellcheck shell=bash
# Builds OCI images offline from a root filesystem with umoci (no Docker engine, no
# registry) and imports them into containerd's k8s.io namespace, where the CRI plugin
# finds them. Sourced by images.sh.

# oci_archive ROOTFS ARCHIVE TAG [umoci config flags...]: packs ROOTFS as a one-layer image.
oci_archive() {
  local rootfs=$1 archive=$2 tag=$3; shift 3
  local tmp; tmp=$(mktemp -d "$E2E_CACHE/tmp.oci.XXXXXX")
  umoci init --layout "$tmp/layout"
  umoci new --image "$tmp/layout:$tag"
  umoci unpack --image "$tmp/layout:$tag" "$tmp/bundle" >/dev/null
  cp -a "$rootfs/." "$tmp/bundle/rootfs/"
  umoci repack --image "$tmp/layout:$tag" "$tmp/bundle"
  umoci config --image "$tmp/layout:$tag" --os linux --architecture amd64 "$@"
  umoci gc --layout "$tmp/layout"
  tar -C "$tmp/layout" -cf "$archive.part" .
  mv "$archive.part" "$archive"
  rm -rf "$tmp"
}

# oci_import ARCHIVE REPO: imports the archive as REPO:<tag of the archive>.
oci_import() {
  ctr --address "$CONTAINERD_SOCK" -n k8s.io images import --base-name "$2" "$1" >/dev/null
}

# oci_has IMAGE: whether containerd's k8s.io namespace already holds IMAGE.
oci_has() {
  ctr --address "$CONTAINERD_SOCK" -n k8s.io images ls -q 2>/dev/null | grep -xF "$1" >/dev/null
}
