#!/usr/bin/env bash
# Installs the pinned helm CLI into <repo>/.cache/tools/bin (ignored by git) and
# prints the binary's path on stdout. Idempotent: a binary of the pinned version
# already there is reused, so tests and CI can call this every time.
#
# Helm is built from source with `go install` because the Go module proxy is the
# one registry these machines can reach; the first build takes a few minutes.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.19.0}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin_dir="${repo_root}/.cache/tools/bin"
helm_bin="${bin_dir}/helm"
stamp="${bin_dir}/.helm-version"

# The stamp names the version and the build recipe: a change to either rebuilds.
recipe="${HELM_VERSION} ldflags-v2"

up_to_date() {
  [[ -x "${helm_bin}" && -f "${stamp}" && "$(cat "${stamp}")" == "${recipe}" ]]
}

if up_to_date; then
  echo "${helm_bin}"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "helm.sh: the Go toolchain is needed to build helm ${HELM_VERSION}, but 'go' is not on PATH. Install Go (https://go.dev/dl/) and run this script again." >&2
  exit 1
fi

mkdir -p "${bin_dir}"
# Serialise concurrent callers (parallel jest workers, CI steps) on one lock so
# only one of them builds; the others wait and then reuse the binary.
exec 9>"${bin_dir}/.helm.lock"
flock 9
if up_to_date; then
  echo "${helm_bin}"
  exit 0
fi

# helm's release Makefile stamps the version and the Kubernetes version that
# `helm template` and `helm lint` assume (its client-go minor, as v1.<minor>.0);
# a plain `go install` would leave them at "v3.19" and v1.20.0, and a chart with
# `kubeVersion: >=1.25` would then be refused. Read client-go's version from
# helm's own go.mod so the flags stay right when HELM_VERSION moves.
module="helm.sh/helm/v3@${HELM_VERSION}"
echo "helm.sh: building helm ${HELM_VERSION} with go install (first run takes a few minutes)..." >&2
gomod="$(go mod download -json "${module}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
client_go="$(awk '$1 == "k8s.io/client-go" { print $2 }' "${gomod}")"
if [[ ! "${client_go}" =~ ^v0\.([0-9]+)\. ]]; then
  echo "helm.sh: could not read the k8s.io/client-go version from ${gomod:-the go.mod of helm} (got '${client_go}')." >&2
  exit 1
fi
kube_minor="${BASH_REMATCH[1]}"
ldflags="-w -s -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags+=" -X ${pkg}.k8sVersionMajor=1 -X ${pkg}.k8sVersionMinor=${kube_minor}"
done

if ! GOBIN="${bin_dir}" GOFLAGS="${GOFLAGS:--buildvcs=false}" nice -n 10 \
    go install -ldflags "${ldflags}" "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" >&2; then
  echo "helm.sh: 'go install helm.sh/helm/v3/cmd/helm@${HELM_VERSION}' failed; see the Go output above (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))." >&2
  exit 1
fi

if ! "${helm_bin}" version --short >/dev/null 2>&1; then
  echo "helm.sh: built ${helm_bin} but it does not run ('helm version' failed)." >&2
  exit 1
fi
echo "${recipe}" >"${stamp}"
echo "${helm_bin}"
