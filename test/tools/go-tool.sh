# Sourced (not run) by the test/tools scripts that build a pinned Go tool with
# `go install` into <repo>/.cache/tools/bin (ignored by git) and print its path.
#
# Next to each binary NAME sit .NAME-version, the stamp that names the recipe it was
# built with (version and build flags: a change to either rebuilds), and .NAME.lock,
# which serialises concurrent callers (parallel jest workers, CI steps) so that only
# one of them builds; the others wait and then reuse the binary.
#
# Messages start with the name of the script that sourced this file.

go_tool_repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
go_tool_bin_dir="${go_tool_repo_root}/.cache/tools/bin"
go_tool_script="$(basename "${BASH_SOURCE[1]:-go-tool.sh}")"

# go_tool_ready NAME RECIPE: whether NAME is built and its stamp says RECIPE.
go_tool_ready() {
  local bin="${go_tool_bin_dir}/$1" stamp="${go_tool_bin_dir}/.$1-version"
  [[ -x "${bin}" && -f "${stamp}" && "$(cat "${stamp}")" == "$2" ]]
}

# go_tool_lock NAME: waits for NAME's build lock and holds it until the script exits.
go_tool_lock() {
  mkdir -p "${go_tool_bin_dir}"
  exec 9>"${go_tool_bin_dir}/.$1.lock"
  flock 9
}

# go_tool_stamp NAME RECIPE: records that NAME was built with RECIPE.
go_tool_stamp() {
  echo "$2" >"${go_tool_bin_dir}/.$1-version"
}

# go_tool_install NAME VERSION RECIPE PACKAGE FIRST_RUN LDFLAGS_FN CHECK_FN
#   NAME        the binary's name in .cache/tools/bin
#   VERSION     the tag to build: `go install PACKAGE@VERSION`
#   RECIPE      what the stamp records (VERSION and the build recipe)
#   PACKAGE     the command's Go package path
#   FIRST_RUN   how long the first build takes, for the progress line ("a few minutes")
#   LDFLAGS_FN  function that sets go_tool_ldflags to the -ldflags value; runs only
#               when building, in this shell (so `set -e` stops the script on failure)
#   CHECK_FN    function called with the built binary's path; it exits 1 with a
#               sentence on stderr when the binary does not run or is not VERSION
# Prints the binary's path on stdout. Exits 1 with a sentence on stderr when it
# cannot build; the Go output goes to stderr.
go_tool_install() {
  local name="$1" version="$2" recipe="$3" package="$4" first_run="$5" ldflags_fn="$6" check_fn="$7"
  local bin="${go_tool_bin_dir}/${name}"
  if go_tool_ready "${name}" "${recipe}"; then
    echo "${bin}"
    exit 0
  fi

  if ! command -v go >/dev/null 2>&1; then
    echo "${go_tool_script}: the Go toolchain is needed to build ${name} ${version}, but 'go' is not on PATH. Install Go (https://go.dev/dl/) and run this script again." >&2
    exit 1
  fi

  go_tool_lock "${name}"
  if go_tool_ready "${name}" "${recipe}"; then
    echo "${bin}"
    exit 0
  fi

  echo "${go_tool_script}: building ${name} ${version} with go install (first run takes ${first_run})..." >&2
  go_tool_ldflags=""
  "${ldflags_fn}"
  # nice: the build machines have two cores, shared with whatever else is running.
  if ! GOBIN="${go_tool_bin_dir}" GOFLAGS="${GOFLAGS:--buildvcs=false}" nice -n 10 \
      go install -ldflags "${go_tool_ldflags}" "${package}@${version}" >&2; then
    echo "${go_tool_script}: 'go install ${package}@${version}' failed; see the Go output above (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))." >&2
    exit 1
  fi

  "${check_fn}" "${bin}"
  go_tool_stamp "${name}" "${recipe}"
  echo "${bin}"
}
