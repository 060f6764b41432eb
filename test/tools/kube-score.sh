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

# shellcheck source=test/tools/go-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-tool.sh"

kube_score_ldflags() {
  go_tool_ldflags="-w -s -X main.version=${KUBE_SCORE_VERSION}"
}

# `go install` leaves the version at "development"; the ldflag stamps the pinned one, and
# checking it proves the binary runs and is the release we asked for.
kube_score_check() {
  if ! "$1" version 2>/dev/null | grep -qF "version: ${KUBE_SCORE_VERSION},"; then
    echo "kube-score.sh: built $1 but 'kube-score version' does not run or does not say ${KUBE_SCORE_VERSION} (got: $("$1" version 2>&1 | head -1))." >&2
    exit 1
  fi
}

# The recipe's suffix names the build flags: bump it when kube_score_ldflags changes.
go_tool_install kube-score "${KUBE_SCORE_VERSION}" "${KUBE_SCORE_VERSION} ldflags-v1" github.com/zegl/kube-score/cmd/kube-score \
  "a minute or two" kube_score_ldflags kube_score_check
