#!/usr/bin/env bash
# Installs the pinned kube-score (manifest linter) into <repo>/.cache/tools/bin
# (ignored by git) and prints the binary's path on stdout. Idempotent: a binary of
# the pinned version already there is reused, so tests and CI can call this every time.
#
# Why kube-score and not kube-linter (which issue 8 names): the Go module proxy
# refuses kube-linter under both module paths with 403 Forbidden
# ("golang.stackrox.io/...: Go module host not permitted",
# "github.com/stackrox/kube-linter: This module version is not available"), and the
# Go module proxy is the only registry for Go tools these machines reach. kube-score
# is a pure Go module on the proxy, runs offline (no schema downloads), and checks
# the same ground: security contexts, capabilities, probes, resources, pull policy.
set -euo pipefail

KUBE_SCORE_VERSION="${KUBE_SCORE_VERSION:-v1.20.0}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin_dir="${repo_root}/.cache/tools/bin"
bin="${bin_dir}/kube-score"
stamp="${bin_dir}/.kube-score-version"

# The stamp names the version and the build recipe: a change to either rebuilds.
recipe="${KUBE_SCORE_VERSION} ldflags-v1"

up_to_date() {
  [[ -x "${bin}" && -f "${stamp}" && "$(cat "${stamp}")" == "${recipe}" ]]
}

if up_to_date; then
  echo "${bin}"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "kube-score.sh: the Go toolchain is needed to build kube-score ${KUBE_SCORE_VERSION}, but 'go' is not on PATH. Install Go (https://go.dev/dl/) and run this script again." >&2
  exit 1
fi

mkdir -p "${bin_dir}"
# One builder at a time: parallel jest workers and CI steps wait, then reuse the binary.
exec 9>"${bin_dir}/.kube-score.lock"
flock 9
if up_to_date; then
  echo "${bin}"
  exit 0
fi

echo "kube-score.sh: building kube-score ${KUBE_SCORE_VERSION} with go install (first run takes a minute or two)..." >&2
if ! GOBIN="${bin_dir}" GOFLAGS="${GOFLAGS:--buildvcs=false}" nice -n 10 \
    go install -ldflags "-w -s -X main.version=${KUBE_SCORE_VERSION}" "github.com/zegl/kube-score/cmd/kube-score@${KUBE_SCORE_VERSION}" >&2; then
  echo "kube-score.sh: 'go install github.com/zegl/kube-score/cmd/kube-score@${KUBE_SCORE_VERSION}' failed; see the Go output above (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))." >&2
  exit 1
fi

# `go install` leaves the version at "development"; the ldflag stamps the pinned one, and
# checking it proves the binary runs and is the release we asked for.
if ! "${bin}" version 2>/dev/null | grep -qF "version: ${KUBE_SCORE_VERSION},"; then
  echo "kube-score.sh: built ${bin} but 'kube-score version' does not run or does not say ${KUBE_SCORE_VERSION} (got: $("${bin}" version 2>&1 | head -1))." >&2
  exit 1
fi
echo "${recipe}" >"${stamp}"
echo "${bin}"
