#!/usr/bin/env bash
# Installs the pinned Helm 4 CLI into <repo>/.cache/tools/helm4/bin (ignored by git) and
# prints the binary's path on stdout. Helm 4 is the current Helm line: the release flow
# pushes the chart with it (`helm push` to an OCI registry) and the e2e suite installs the
# pushed chart with it. test/tools/helm.sh keeps Helm 3.19 for lint and template.
# Idempotent, built once with `go install` from the Go module proxy like helm.sh.
set -euo pipefail

HELM4_VERSION="${HELM4_VERSION:-v4.3.2}"

# shellcheck source=test/tools/go-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-tool.sh"
# Its own directory: the command is called helm, like Helm 3's in .cache/tools/bin.
go_tool_bin_dir="${go_tool_repo_root}/.cache/tools/helm4/bin"

# What helm's Makefile stamps, so `helm version` says v4.x.y rather than "v4.3".
helm4_ldflags() {
  go_tool_ldflags="-w -s -X helm.sh/helm/v4/internal/version.version=${HELM4_VERSION}"
}

helm4_check() {
  local got
  got="$("$1" version --template '{{.Version}}' 2>/dev/null || true)"
  if [[ "${got}" != "${HELM4_VERSION}" ]]; then
    echo "helm4.sh: built $1 but 'helm version' says '${got}', not ${HELM4_VERSION}." >&2
    exit 1
  fi
}

go_tool_install helm "${HELM4_VERSION}" "${HELM4_VERSION} ldflags-v1" helm.sh/helm/v4/cmd/helm \
  "a few minutes" helm4_ldflags helm4_check
