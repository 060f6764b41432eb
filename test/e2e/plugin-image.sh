#!/usr/bin/env bash
# Builds the device plugin's e2e test image offline and imports it into the cluster's
# containerd; prints the image reference. Usage: plugin-image.sh <8gpu|mig>
#
# The image holds what plugin/Dockerfile's runtime stage holds (the compiled plugin, its
# proto, its production node_modules, Node), with the host's Node binary and its shared
# libraries instead of a node base image, plus the fake libnvidia-ml.so.1 as the driver
# library and a fake topology (8 A100s, or 2 A100s with MIG). The topology's events file
# is in the device-plugins hostPath the DaemonSet mounts, so tests inject XIDs from the host.
# Idempotent: the tag is a hash of every input; a built archive or imported image is reused.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/versions.sh"
. "$here/shell/cluster-env.sh"
. "$here/shell/oci.sh"

spec=${1:-}
[ "$spec" = 8gpu ] || [ "$spec" = mig ] || { echo "usage: $0 <8gpu|mig>" >&2; exit 2; }
cd "$E2E_ROOT"

# The plugin's JavaScript: compiled when a source is newer than the last build.
if [ ! -f plugin/lib/cli.js ] || [ -n "$(find plugin/src plugin/tsconfig.json -newer plugin/lib/cli.js -print -quit)" ]; then
  echo "plugin-image: compiling plugin/ (tsc)" >&2
  nice -n 10 npx tsc -p plugin/tsconfig.json >&2
fi
fake_lib=$(bash test/fixtures/fake-nvml/build.sh | tail -n 1)
node_bin=$(readlink -f "$(command -v node)")
modules=$(node "$here/images/prod-modules.js")

tag=$( {
  echo "$spec $FAKE_NVML_EVENTS_DIR $("$node_bin" --version)"
  # shellcheck disable=SC2086
  find plugin/lib plugin/proto plugin/bin plugin/package.json "$here/images/fake-nvml-config.ts" "$here/plugin-image.sh" \
    test/plugin/helpers/fake-nvml.ts -type f -print0 | sort -z | xargs -0 sha256sum
  sha256sum "$fake_lib"
  echo "$modules"
} | sha256sum | cut -c1-12)
tag="$spec-$tag"
image="$PLUGIN_IMAGE_REPO:$tag"
archive="$E2E_CACHE/images/gpu-device-plugin-$tag.tar"
mkdir -p "$E2E_CACHE/images"

if [ ! -s "$archive" ]; then
  t0=$(date +%s)
  root=$(mktemp -d "$E2E_CACHE/tmp.rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  app="$root/opt/gpu-device-plugin"
  mkdir -p "$app/plugin" "$root/usr/local/bin" "$root/usr/lib/x86_64-linux-gnu" "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"
  chmod 1777 "$root/tmp"
  # Node and the shared libraries it links (the image has no libc of its own).
  cp "$node_bin" "$root/usr/local/bin/node"
  for lib in $(ldd "$node_bin" | awk '/=>/ {print $3} /^[ \t]*\// {print $1}'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  cp -a plugin/package.json plugin/lib plugin/proto plugin/bin "$app/plugin/"
  find "$app/plugin/lib" -name '*.map' -delete
  for m in $modules; do mkdir -p "$app/$(dirname "$m")"; cp -a "$m" "$app/$(dirname "$m")/"; done
  cp "$fake_lib" "$root/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1"
  npx ts-node --transpile-only --project tsconfig.dev.json "$here/images/fake-nvml-config.ts" \
    "$root/etc/fake-nvml" "$spec" "$FAKE_NVML_EVENTS_DIR/$spec.events" >/dev/null
  oci_archive "$root" "$archive" "$tag" \
    --config.entrypoint node --config.entrypoint /opt/gpu-device-plugin/plugin/bin/gpu-device-plugin.js \
    --config.workingdir /opt/gpu-device-plugin \
    --config.env PATH=/usr/local/bin:/usr/bin:/bin --config.env NODE_ENV=production \
    --config.env NVIDIA_VISIBLE_DEVICES=all --config.env NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    --config.env FAKE_NVML_CONFIG=/etc/fake-nvml/fake-nvml.conf \
    --config.env GPU_DEVICE_PLUGIN_SYSFS_ROOT=/etc/fake-nvml/sys
  echo "plugin-image: built $image ($(du -h "$archive" | cut -f1)) in $(( $(date +%s) - t0 )) s" >&2
fi
mkdir -p "$FAKE_NVML_EVENTS_DIR"
touch "$FAKE_NVML_EVENTS_DIR/$spec.events"
oci_has "$image" || oci_import "$archive" "$PLUGIN_IMAGE_REPO"
echo "$image"
