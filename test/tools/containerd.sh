#!/usr/bin/env bash
# Builds containerd v2 (a release with CDI support, which Debian's containerd 1.6 lacks) for the
# CDI end-to-end test into <repo>/.cache/tools/containerd-VERSION/bin once and prints that
# directory: it holds `containerd` and `containerd-shim-runc-v2`, nothing else (no ctr, no tests).
#
# containerd's go.mod carries `exclude` directives, so `go install
# github.com/containerd/containerd/v2/cmd/containerd@VERSION` is refused by Go. The wrapper module
# in test/tools/containerd (go.mod + go.sum committed) requires containerd VERSION and this script
# builds the two commands from it with `go build -trimpath`, CGO off (a static binary; the btrfs
# snapshotter, which needs cgo, is left out: the e2e node uses overlayfs). Dependencies come from
# the Go module proxy (checked against go.sum). The first build takes about 15 minutes on two
# busy cores; later calls reuse it. The stamp names the version and the SHA-256 of the wrapper
# module and of this recipe, so a change to either rebuilds; a lock serialises parallel callers.
# When it cannot build it exits 1 and says why on stderr.
set -euo pipefail
# shellcheck source=go-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-tool.sh"

src="${go_tool_repo_root}/test/tools/containerd"
version="$(sed -n 's#^require github.com/containerd/containerd/v2 \(v[0-9.]*\)$#\1#p' "${src}/go.mod")"
[[ "${version}" =~ ^v2\.[0-9]+\.[0-9]+$ ]] ||
  { echo "containerd.sh: could not read the pinned containerd version from ${src}/go.mod (got '${version}')." >&2; exit 1; }
name="containerd-${version}"
out="${go_tool_repo_root}/.cache/tools/${name}/bin"
ldflags="-s -w -X github.com/containerd/containerd/v2/version.Version=${version} -X github.com/containerd/containerd/v2/version.Package=github.com/containerd/containerd/v2"
recipe="$(cd "${src}" && { cat go.mod go.sum tools.go; echo "${ldflags} CGO_ENABLED=0 -trimpath"; } | sha256sum | cut -d' ' -f1)"

# Built and stamped with this recipe (go_tool_stamp writes .cache/tools/bin/.NAME-version).
ready() {
  local stamp="${go_tool_bin_dir}/.${name}-version"
  [[ -x "${out}/containerd" && -x "${out}/containerd-shim-runc-v2" && -f "${stamp}" && "$(cat "${stamp}")" == "${recipe}" ]]
}

if ! ready; then
  go_tool_lock "${name}"
  if ! ready; then
    command -v go >/dev/null || { echo "containerd.sh: go is not installed; install Go 1.23 or newer to build containerd ${version}." >&2; exit 1; }
    echo "containerd.sh: building containerd ${version} and its runc shim from the Go module proxy (about 15 minutes the first time)" >&2
    mkdir -p "${out}"
    for cmd in containerd containerd-shim-runc-v2; do
      if ! (cd "${src}" && GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 nice -n 10 \
        go build -trimpath -ldflags "${ldflags}" -o "${out}/${cmd}.tmp" "github.com/containerd/containerd/v2/cmd/${cmd}" 2>&1 >&2); then
        echo "containerd.sh: could not build ${cmd} ${version} from ${src} (see go's message above; is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))." >&2
        exit 1
      fi
      mv -f "${out}/${cmd}.tmp" "${out}/${cmd}"
    done
    got="$("${out}/containerd" --version 2>&1 || true)"
    [[ "${got}" == *" ${version} "* || "${got}" == *" ${version}" ]] ||
      { echo "containerd.sh: the built containerd reports '${got}', not ${version}." >&2; exit 1; }
    go_tool_stamp "${name}" "${recipe}"
  fi
fi
echo "${out}"
