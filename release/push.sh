#!/usr/bin/env bash
# Publishes the release artifacts to an OCI registry (docs/release.md). The tests run these
# same commands against a local registry (test/release/publish.test.ts).
#
#   release/push.sh image REGISTRY/REPOSITORY [skopeo flags...]
#       copies the image index that `npm run image` built (out/image/gpu-device-plugin,
#       reference v<version>) with both architectures, digests preserved, to
#       REGISTRY/REPOSITORY:v<version>; prints the pushed index digest.
#   release/push.sh chart oci://REGISTRY/PATH [helm push flags...]
#       packages charts/gpu-device-plugin into out/chart-repo and pushes it with Helm 4
#       (`helm push`), as oci://REGISTRY/PATH/gpu-device-plugin:<version>; prints the digest.
#
# Credentials: skopeo and helm read the registry login (`skopeo login`, `helm registry
# login`); nothing here handles secrets. Local registries without TLS: pass
# --dest-tls-verify=false (image) or --plain-http (chart).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
version=$(node -p 'require("./package.json").version')
plugin_version=$(node -p 'require("./plugin/package.json").version')
if [ "$version" != "$plugin_version" ]; then
  echo "push: package.json says $version but plugin/package.json says $plugin_version: release both at one version" >&2
  exit 1
fi

what=${1:-}
target=${2:-}
[ -n "$target" ] || { echo "usage: $0 image REGISTRY/REPOSITORY | chart oci://REGISTRY/PATH [flags...]" >&2; exit 2; }
shift 2

case "$what" in
  image)
    layout="${IMAGE_OUT:-$repo/out/image}/gpu-device-plugin"
    [ -f "$layout/index.json" ] || { echo "push: no image at $layout: run 'npm run image' first" >&2; exit 1; }
    command -v skopeo >/dev/null || { echo "push: skopeo is missing (Debian: apt-get install skopeo)" >&2; exit 1; }
    case "$target" in *:*/*|*.*/*) ;; *) echo "push: '$target' is not REGISTRY/REPOSITORY (e.g. ghcr.io/cdk8s-gpu/gpu-device-plugin)" >&2; exit 2 ;; esac
    # --all: the index and both per-architecture images; --preserve-digests: fail rather than
    # convert a manifest, so the digest users pin is the one `npm run image` printed.
    skopeo copy --quiet --all --preserve-digests "$@" "oci:$layout:v$version" "docker://$target:v$version" >&2
    skopeo inspect --raw "${@/--dest-tls-verify/--tls-verify}" "docker://$target:v$version" | sha256sum | sed 's/^\([0-9a-f]*\).*/sha256:\1/'
    ;;
  chart)
    case "$target" in oci://*) ;; *) echo "push: '$target' is not oci://REGISTRY/PATH" >&2; exit 2 ;; esac
    helm=$(bash test/tools/helm4.sh)
    mkdir -p out/chart-repo
    "$helm" package charts/gpu-device-plugin --destination out/chart-repo >&2
    "$helm" push "out/chart-repo/gpu-device-plugin-$version.tgz" "$target" "$@" 2>&1 | tee out/chart-repo/push.log >&2
    sed -n 's/^Digest: //p' out/chart-repo/push.log
    ;;
  *)
    echo "push: '$what' is not image or chart" >&2
    exit 2
    ;;
esac
