#!/usr/bin/env bash
# Prints the path of NVIDIA's reference device plugin (k8s-device-plugin, the peer of the
# parity tests and benchmarks) at the release src/common/version.ts pins, built by
# test/tools/peers.sh from ../shared/peers (or `go install` where the proxy serves it).
#
#   NVIDIA_DEVICE_PLUGIN_BIN  use this binary (built elsewhere) instead of building
#
# On failure it exits 1, prints why on stderr and keeps the message in
# .cache/tools/nvidia-device-plugin.error so tests and the bench can quote it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
error_file="${here}/../../.cache/tools/nvidia-device-plugin.error"

if [[ -n "${NVIDIA_DEVICE_PLUGIN_BIN:-}" ]]; then
  if [[ ! -x "${NVIDIA_DEVICE_PLUGIN_BIN}" ]]; then
    echo "nvidia-plugin.sh: NVIDIA_DEVICE_PLUGIN_BIN=${NVIDIA_DEVICE_PLUGIN_BIN} is not an executable file; point it at a built nvidia-device-plugin or unset it to build one." >&2
    exit 1
  fi
  echo "${NVIDIA_DEVICE_PLUGIN_BIN}"
  exit 0
fi

log="$(mktemp)"
trap 'rm -f "${log}"' EXIT
if ! bin="$(bash "${here}/peers.sh" nvidia-device-plugin 2>"${log}")"; then
  cat "${log}" >&2
  mkdir -p "$(dirname "${error_file}")"
  tail -n 1 "${log}" >"${error_file}"
  exit 1
fi
cat "${log}" >&2
if ! "${bin}" --version >/dev/null 2>&1; then
  echo "nvidia-plugin.sh: built ${bin} but '${bin} --version' failed." | tee "${error_file}" >&2
  exit 1
fi
rm -f "${error_file}"
echo "${bin}"
