#!/usr/bin/env bash
# Builds or unpacks one of the real upstream projects this project is measured against (its
# "peers") into <repo>/.cache/peers (ignored by git) and prints the path a caller needs on
# stdout. Idempotent and safe to call from parallel test workers: each peer has a build lock
# and a stamp that names the archive's SHA-256 and the build recipe, so a second call reuses
# the build and a new archive or recipe rebuilds it.
#
#   test/tools/peers.sh PEER
#
# PEER                          prints
#   nvidia-device-plugin        the binary (NVIDIA's k8s-device-plugin, cmd/nvidia-device-plugin)
#   gpu-feature-discovery       the binary (same archive, cmd/gpu-feature-discovery)
#   mps-control-daemon          the binary (same archive, cmd/mps-control-daemon)
#   config-manager              the binary (same archive, cmd/config-manager)
#   nvidia-device-plugin-src    the unpacked source tree (chart in deployments/helm/nvidia-device-plugin)
#   mock-nvml                   the directory holding NVIDIA's mock libnvidia-ml.so.1 (and its configs/)
#   kube-linter                 the binary
#   gpu-operator-chart-VERSION  the unpacked chart directory (deployments/gpu-operator), e.g. VERSION=v26.7.0
#
# Where the sources come from, in this order:
#   1. the source archives in $PEERS_DIR (default: <repo>/../shared/peers), checked against
#      the SHA256SUMS file beside them; a mismatch is an error, never a silent rebuild;
#   2. where no archive is there (a user's clone), `go install MODULE/cmd/X@TAG` from the Go
#      module proxy, for the Go binaries whose module the proxy serves. Charts and the mock NVML
#      have no such fallback.
# When neither works it exits 1 and says why on stderr; tests quote that message. It never
# skips silently.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peers_dir="${PEERS_DIR:-${repo_root}/../shared/peers}"
cache="${repo_root}/.cache/peers"
me="peers.sh"

# The pinned releases: one line per archive. The device plugin's tag is the one the constructs
# stamp into manifests (src/common/version.ts), so the peer cannot drift from what we claim.
nvidia_plugin_version="$(sed -n "s/^export const NVIDIA_DEVICE_PLUGIN_VERSION = '\(v[0-9.]*\)';$/\1/p" "${repo_root}/src/common/version.ts")"
declare -A archive=(
  [nvidia-k8s-device-plugin]="nvidia-k8s-device-plugin-${nvidia_plugin_version}.tar.xz"
  [mock-nvml]="nvidia-k8s-test-infra-3b2b865d-mocknvml.tar.xz"
  [kube-linter]="stackrox-kube-linter-v0.8.3.tar.xz"
)
kube_linter_version="v0.8.3"

die() {
  echo "${me}: $*" >&2
  exit 1
}

[[ $# -eq 1 ]] || die "usage: test/tools/peers.sh PEER (nvidia-device-plugin, gpu-feature-discovery, mps-control-daemon, config-manager, nvidia-device-plugin-src, mock-nvml, kube-linter, gpu-operator-chart-VERSION)"
peer="$1"
[[ "${nvidia_plugin_version}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  die "could not read NVIDIA_DEVICE_PLUGIN_VERSION from src/common/version.ts (got '${nvidia_plugin_version}')."

# archive_sum FILE: the SHA-256 that SHA256SUMS lists for FILE, after checking the file has it.
# Prints nothing (and returns 1) when the archive is not there.
archive_sum() {
  local file="$1" path="${peers_dir}/$1" listed actual
  [[ -f "${path}" ]] || return 1
  [[ -f "${peers_dir}/SHA256SUMS" ]] || die "${peers_dir}/SHA256SUMS is missing, so ${file} cannot be checked; restore it beside the archives."
  listed="$(awk -v f="${file}" '$2 == f || $2 == "*" f { print $1 }' "${peers_dir}/SHA256SUMS")"
  [[ -n "${listed}" ]] || die "${file} is not listed in ${peers_dir}/SHA256SUMS; add its line or remove the archive."
  actual="$(sha256sum "${path}" | cut -d' ' -f1)"
  [[ "${actual}" == "${listed}" ]] ||
    die "${path} has SHA-256 ${actual}, but SHA256SUMS lists ${listed}: the archive is damaged or was replaced. Restore it; nothing was built."
  echo "${actual}"
}

# unpack FILE SUM: unpacks FILE into ${cache}/src/<SUM prefix>/ once and prints the top folder.
unpack() {
  local file="$1" sum="$2" dest="${cache}/src/${2:0:16}"
  if [[ ! -f "${dest}/.unpacked" ]]; then
    rm -rf "${dest}"
    mkdir -p "${dest}"
    tar -xJf "${peers_dir}/${file}" -C "${dest}" || die "could not unpack ${peers_dir}/${file} into ${dest}."
    touch "${dest}/.unpacked"
  fi
  local top
  top="$(find "${dest}" -mindepth 1 -maxdepth 1 -type d | head -1)"
  [[ -n "${top}" ]] || die "${peers_dir}/${file} unpacked to nothing in ${dest}."
  echo "${top}"
}

# with_lock NAME: holds NAME's build lock until the script exits (parallel jest workers, CI steps).
with_lock() {
  mkdir -p "${cache}"
  exec 9>"${cache}/.$1.lock"
  flock 9
}

stamp_ok() { [[ -f "$1" && "$(cat "$1")" == "$2" ]]; }

need_go() {
  command -v go >/dev/null 2>&1 || die "the Go toolchain is needed to build $1, but 'go' is not on PATH. Install Go and run this again."
  command -v gcc >/dev/null 2>&1 || die "gcc is needed to build $1 (cgo). Install gcc and run this again."
}

# go_binary NAME CMD ARCHIVE_KEY MODULE VERSION [LDFLAGS]: builds MODULE/CMD from the archive
# (vendored modules, or the proxy for the rest) or, with no archive, with go install.
go_binary() {
  local name="$1" cmd="$2" key="$3" module="$4" version="$5" ldflags="${6:-}"
  local bin="${cache}/bin/${name}" stamp="${cache}/bin/.${name}.stamp" sum recipe src log
  if sum="$(archive_sum "${archive[${key}]}")"; then
    recipe="archive ${sum} ${cmd} ${ldflags} v1"
  else
    recipe="go-install ${module}/${cmd}@${version} ${ldflags} v1"
  fi
  if [[ -x "${bin}" ]] && stamp_ok "${stamp}" "${recipe}"; then echo "${bin}"; return; fi
  with_lock "${name}"
  if [[ -x "${bin}" ]] && stamp_ok "${stamp}" "${recipe}"; then echo "${bin}"; return; fi
  need_go "${name}"
  mkdir -p "${cache}/bin"
  log="$(mktemp)"
  if [[ -n "${sum}" ]]; then
    src="$(unpack "${archive[${key}]}" "${sum}")"
    echo "${me}: building ${name} from ${peers_dir}/${archive[${key}]} (about a minute or two on 2 cores)..." >&2
    local modflag=""
    [[ -d "${src}/vendor" ]] && modflag="-mod=vendor"
    # nice: the build machines have two cores, shared with whatever else is running.
    if ! (cd "${src}" && CGO_ENABLED=1 GOFLAGS="-buildvcs=false" nice -n 10 \
        go build ${modflag} -trimpath -ldflags "-s -w ${ldflags}" -o "${bin}.tmp" "./${cmd}") >"${log}" 2>&1; then
      cat "${log}" >&2
      rm -f "${log}"
      die "building ${name} from ${archive[${key}]} failed; the Go output is above."
    fi
  else
    echo "${me}: ${peers_dir}/${archive[${key}]} is not there; trying 'go install ${module}/${cmd}@${version}' from the Go module proxy..." >&2
    local gobin
    gobin="$(mktemp -d)"
    if ! GOBIN="${gobin}" CGO_ENABLED=1 GOFLAGS="-buildvcs=false" nice -n 10 \
        go install -trimpath -ldflags "-s -w ${ldflags}" "${module}/${cmd}@${version}" >"${log}" 2>&1; then
      cat "${log}" >&2
      rm -f "${log}"
      die "no source archive at ${peers_dir}/${archive[${key}]} and 'go install ${module}/${cmd}@${version}' failed (output above; the Go module proxy $(go env GOPROXY) may refuse the module). Put the archive there (PEERS_DIR=… to look elsewhere) or build ${name} elsewhere."
    fi
    mv "${gobin}/$(basename "${cmd}")" "${bin}.tmp"
    rm -rf "${gobin}"
  fi
  rm -f "${log}"
  mv "${bin}.tmp" "${bin}"
  echo "${recipe}" >"${stamp}"
  echo "${bin}"
}

nvidia_src() {
  local sum
  sum="$(archive_sum "${archive[nvidia-k8s-device-plugin]}")" ||
    die "NVIDIA's k8s-device-plugin source is needed, but ${peers_dir}/${archive[nvidia-k8s-device-plugin]} is not there (PEERS_DIR=… to look elsewhere)."
  unpack "${archive[nvidia-k8s-device-plugin]}" "${sum}"
}

mock_nvml() {
  local sum src dir stamp recipe log
  sum="$(archive_sum "${archive[mock-nvml]}")" ||
    die "NVIDIA's mock NVML is built from ${peers_dir}/${archive[mock-nvml]}, which is not there, and the Go module proxy refuses github.com/NVIDIA/k8s-test-infra, so there is no fallback. Put the archive there (PEERS_DIR=… to look elsewhere)."
  dir="${cache}/mock-nvml/${sum:0:16}"
  stamp="${dir}/.stamp"
  recipe="archive ${sum} make NO_PADDING=1 v1"
  if [[ -e "${dir}/libnvidia-ml.so.1" ]] && stamp_ok "${stamp}" "${recipe}"; then echo "${dir}"; return; fi
  with_lock mock-nvml
  if [[ -e "${dir}/libnvidia-ml.so.1" ]] && stamp_ok "${stamp}" "${recipe}"; then echo "${dir}"; return; fi
  need_go mock-nvml
  src="$(unpack "${archive[mock-nvml]}" "${sum}")/pkg/gpu/mocknvml"
  echo "${me}: building NVIDIA's mock NVML from ${peers_dir}/${archive[mock-nvml]} (about a minute)..." >&2
  log="$(mktemp)"
  if ! (cd "${src}" && GOFLAGS="-buildvcs=false" nice -n 10 make NO_PADDING=1) >"${log}" 2>&1; then
    cat "${log}" >&2
    rm -f "${log}"
    die "'make NO_PADDING=1' in ${src} failed; the output is above."
  fi
  rm -f "${log}"
  rm -rf "${dir}"
  mkdir -p "${dir}"
  # The real file and both links, as a driver installs them; the profiles beside them.
  cp -a "${src}"/libnvidia-ml.so* "${dir}/"
  rm -f "${dir}"/*.h
  cp -a "${src}/configs" "${dir}/configs"
  echo "${recipe}" >"${stamp}"
  echo "${dir}"
}

operator_chart() {
  local version="$1" file="nvidia-gpu-operator-$1-chart.tar.xz" sum top
  [[ "${version}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "gpu-operator-chart-VERSION needs a version like v26.7.0 (got '${version}')."
  sum="$(archive_sum "${file}")" ||
    die "the GPU Operator chart ${version} comes from ${peers_dir}/${file}, which is not there (archives present: $(cd "${peers_dir}" 2>/dev/null && ls nvidia-gpu-operator-*-chart.tar.xz 2>/dev/null | tr '\n' ' '))."
  top="$(unpack "${file}" "${sum}")"
  [[ -f "${top}/deployments/gpu-operator/Chart.yaml" ]] || die "${file} holds no deployments/gpu-operator/Chart.yaml."
  echo "${top}/deployments/gpu-operator"
}

case "${peer}" in
  nvidia-device-plugin | gpu-feature-discovery | mps-control-daemon | config-manager)
    # NVIDIA's Makefile stamps the version into internal/info; --version then says it.
    go_binary "${peer}" "cmd/${peer}" nvidia-k8s-device-plugin github.com/NVIDIA/k8s-device-plugin "${nvidia_plugin_version}" \
      "-X github.com/NVIDIA/k8s-device-plugin/internal/info.version=${nvidia_plugin_version} -X github.com/NVIDIA/k8s-device-plugin/internal/info.gitCommit=1b826acc6af3"
    ;;
  nvidia-device-plugin-src) nvidia_src ;;
  mock-nvml) mock_nvml ;;
  kube-linter)
    go_binary kube-linter cmd/kube-linter kube-linter golang.stackrox.io/kube-linter "${kube_linter_version}" \
      "-X golang.stackrox.io/kube-linter/internal/version.version=${kube_linter_version}"
    ;;
  gpu-operator-chart-*) operator_chart "${peer#gpu-operator-chart-}" ;;
  *) die "unknown peer '${peer}'; known: nvidia-device-plugin, gpu-feature-discovery, mps-control-daemon, config-manager, nvidia-device-plugin-src, mock-nvml, kube-linter, gpu-operator-chart-VERSION" ;;
esac
