#!/usr/bin/env bash
# Builds NVIDIA's reference device plugin (k8s-device-plugin, the peer of the parity
# tests and benchmarks) at the pinned release into <repo>/.cache/tools/bin (ignored by
# git) and prints the binary's path on stdout. Idempotent: a binary of the pinned
# version already there is reused.
#
#   NVIDIA_DEVICE_PLUGIN_BIN      use this binary (built elsewhere) instead of building
#   NVIDIA_DEVICE_PLUGIN_VERSION  tag to build (default: the one src/common/version.ts pins)
#
# On failure it exits 1, prints why on stderr and keeps the Go output in
# .cache/tools/nvidia-device-plugin.error so tests can quote it.
set -euo pipefail

# shellcheck source=test/tools/go-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-tool.sh"
repo_root="${go_tool_repo_root}"
bin_dir="${go_tool_bin_dir}"
binary="${bin_dir}/nvidia-device-plugin"
error_file="${repo_root}/.cache/tools/nvidia-device-plugin.error"
module="github.com/NVIDIA/k8s-device-plugin"

if [[ -n "${NVIDIA_DEVICE_PLUGIN_BIN:-}" ]]; then
  if [[ ! -x "${NVIDIA_DEVICE_PLUGIN_BIN}" ]]; then
    echo "nvidia-plugin.sh: NVIDIA_DEVICE_PLUGIN_BIN=${NVIDIA_DEVICE_PLUGIN_BIN} is not an executable file; point it at a built nvidia-device-plugin or unset it to build one." >&2
    exit 1
  fi
  echo "${NVIDIA_DEVICE_PLUGIN_BIN}"
  exit 0
fi

# The pin lives in one place: the constant the constructs stamp into manifests.
version="${NVIDIA_DEVICE_PLUGIN_VERSION:-$(sed -n "s/^export const NVIDIA_DEVICE_PLUGIN_VERSION = '\(v[0-9.]*\)';$/\1/p" "${repo_root}/src/common/version.ts")}"
if [[ ! "${version}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then
  echo "nvidia-plugin.sh: could not read NVIDIA_DEVICE_PLUGIN_VERSION from src/common/version.ts (got '${version}')." >&2
  exit 1
fi

if go_tool_ready nvidia-device-plugin "${version}"; then
  echo "${binary}"
  exit 0
fi

fail() {
  mkdir -p "$(dirname "${error_file}")"
  printf '%s\n' "$1" >"${error_file}"
  echo "nvidia-plugin.sh: $1" >&2
  exit 1
}

command -v go >/dev/null 2>&1 || fail "the Go toolchain is needed to build ${module}@${version}, but 'go' is not on PATH. Install Go and run this script again."
command -v gcc >/dev/null 2>&1 || fail "gcc is needed: NVIDIA's plugin loads NVML through cgo (CGO_ENABLED=1). Install gcc and run this script again."

go_tool_lock nvidia-device-plugin
if go_tool_ready nvidia-device-plugin "${version}"; then
  echo "${binary}"
  exit 0
fi

echo "nvidia-plugin.sh: building ${module}/cmd/nvidia-device-plugin@${version} (first run takes several minutes)..." >&2
log="$(mktemp)"
trap 'rm -f "${log}"' EXIT
# -p 1 and nice: the build machines have two shared cores.
if ! GOBIN="${bin_dir}" CGO_ENABLED=1 GOFLAGS="${GOFLAGS:--buildvcs=false}" nice -n 10 \
    go install -p 1 "${module}/cmd/nvidia-device-plugin@${version}" >"${log}" 2>&1; then
  cat "${log}" >&2
  # Say which tags the proxy does serve, so the next step is obvious.
  served="$( (go list -m -versions "${module}" 2>&1 || true) | tr "\n" " ")"
  fail "'go install ${module}/cmd/nvidia-device-plugin@${version}' failed with: $(tr '\n' ' ' <"${log}")| tags the Go module proxy ($(go env GOPROXY)) serves: ${served}| Without this binary the live parity run and NVIDIA's column of the benchmarks cannot run; build it on a machine that can reach the module and set NVIDIA_DEVICE_PLUGIN_BIN to it."
fi

"${binary}" --version >/dev/null 2>&1 || fail "built ${binary} but '${binary} --version' failed."
rm -f "${error_file}"
go_tool_stamp nvidia-device-plugin "${version}"
echo "${binary}"
