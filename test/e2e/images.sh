#!/usr/bin/env bash
# Builds the e2e cluster's base images offline and imports them into the running
# containerd: the pod sandbox ("pause", a static C program) and busybox (busybox-static
# with its applet links). Idempotent: archives are cached, imports skipped when present.
set -euo pipefail
. "$(dirname "$0")/versions.sh"
. "$(dirname "$0")/shell/cluster-env.sh"
. "$(dirname "$0")/shell/oci.sh"

out="$E2E_CACHE/images"
mkdir -p "$out"

build_pause() {
  local archive="$out/pause-$PAUSE_TAG.tar"
  [ -s "$archive" ] && return 0
  local root; root=$(mktemp -d "$E2E_CACHE/tmp.rootfs.XXXXXX")
  gcc -Os -static -o "$root/pause" "$E2E_ROOT/test/e2e/images/pause.c"
  strip "$root/pause"
  oci_archive "$root" "$archive" "$PAUSE_TAG" --config.entrypoint /pause --config.user 65535:65535
  rm -rf "$root"
}

build_busybox() {
  local archive="$out/busybox-$BUSYBOX_TAG.tar"
  [ -s "$archive" ] && return 0
  local root; root=$(mktemp -d "$E2E_CACHE/tmp.rootfs.XXXXXX")
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' > "$root/etc/group"
  oci_archive "$root" "$archive" "$BUSYBOX_TAG" --config.cmd /bin/sh --config.env PATH=/bin
  rm -rf "$root"
}

build_pause
build_busybox
oci_has "$PAUSE_IMAGE" || oci_import "$out/pause-$PAUSE_TAG.tar" "${PAUSE_IMAGE%:*}"
oci_has "$BUSYBOX_IMAGE" || oci_import "$out/busybox-$BUSYBOX_TAG.tar" "${BUSYBOX_IMAGE%:*}"
echo "images: $PAUSE_IMAGE and $BUSYBOX_IMAGE in containerd"
