#!/usr/bin/env bash
# Installs the pinned helm CLI into <repo>/.cache/tools/bin (ignored by git) and
# prints the binary's path on stdout. Idempotent: a binary of the pinned version
# already there is reused, so tests and CI can call this every time.
#
# Helm is built from source with `go install` because the Go module proxy is the
# one registry these machines can reach; the first build takes a few minutes.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.19.0}"

# shellcheck source=test/tools/go-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-tool.sh"

# helm's release Makefile stamps the version and the Kubernetes version that
# `helm template` and `helm lint` assume (its client-go minor, as v1.<minor>.0);
# a plain `go install` would leave them at "v3.19" and v1.20.0, and a chart with
# `kubeVersion: >=1.25` would then be refused. Read client-go's version from
# helm's own go.mod so the flags stay right when HELM_VERSION moves.
helm_ldflags() {
  local module="helm.sh/helm/v3@${HELM_VERSION}" gomod client_go kube_minor pkg
  gomod="$(go mod download -json "${module}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  client_go="$(awk '$1 == "k8s.io/client-go" { print $2 }' "${gomod}")"
  if [[ ! "${client_go}" =~ ^v0\.([0-9]+)\. ]]; then
    echo "helm.sh: could not read the k8s.io/client-go version from ${gomod:-the go.mod of helm} (got '${client_go}')." >&2
    exit 1
  fi
  kube_minor="${BASH_REMATCH[1]}"
  go_tool_ldflags="-w -s -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    go_tool_ldflags+=" -X ${pkg}.k8sVersionMajor=1 -X ${pkg}.k8sVersionMinor=${kube_minor}"
  done
}

helm_check() {
  if ! "$1" version --short >/dev/null 2>&1; then
    echo "helm.sh: built $1 but it does not run ('helm version' failed)." >&2
    exit 1
  fi
}

# The recipe's suffix names the build flags: bump it when helm_ldflags changes.
go_tool_install helm "${HELM_VERSION}" "${HELM_VERSION} ldflags-v2" helm.sh/helm/v3/cmd/helm \
  "a few minutes" helm_ldflags helm_check
