#!/usr/bin/env bash
# Builds test/tools/cdi-validate (a tiny validator on the CDI project's own Go library,
# tags.cncf.io/container-device-interface, pinned in its go.mod/go.sum) into
# <repo>/.cache/tools/bin/cdi-validate once and prints the binary's path. Rebuilds when the
# module's files change (the stamp is their SHA-256). Dependencies come from the Go module
# proxy; when it cannot serve them the script exits 1 with go's own message on stderr.
set -euo pipefail
# shellcheck source=go-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-tool.sh"

name="cdi-validate"
src="${go_tool_repo_root}/test/tools/cdi-validate"
recipe="$(cd "${src}" && cat go.mod go.sum main.go | sha256sum | cut -d' ' -f1)"

if ! go_tool_ready "${name}" "${recipe}"; then
  go_tool_lock "${name}"
  if ! go_tool_ready "${name}" "${recipe}"; then
    command -v go >/dev/null || { echo "cdi-validate.sh: go is not installed; install Go 1.23 or newer (test/e2e/install-deps.sh does)." >&2; exit 1; }
    echo "cdi-validate.sh: building the CDI validator (tags.cncf.io/container-device-interface, about 30 s the first time)" >&2
    if ! (cd "${src}" && GOFLAGS=-mod=readonly CGO_ENABLED=0 nice go build -trimpath -o "${go_tool_bin_dir}/${name}" . 2>&1 >&2); then
      echo "cdi-validate.sh: could not build ${src} (see go's message above); the CDI spec cannot be validated without it." >&2
      exit 1
    fi
    go_tool_stamp "${name}" "${recipe}"
  fi
fi
echo "${go_tool_bin_dir}/${name}"
