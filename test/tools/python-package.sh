#!/usr/bin/env bash
# Builds the Python package of the construct library with jsii-pacmak (from the .jsii assembly
# that `npm run build` writes) and installs it into a fresh venv with cdk8s, cdk8s-plus-28 and
# constructs from PyPI, pinned to the versions package.json pins for npm. Prints the venv's
# python on stdout.
#
#   test/tools/python-package.sh
#
# Both live under <repo>/.cache/python, keyed by the SHA-256 of .jsii, the pacmak version and the
# pins, so an unchanged library is built and installed once; a changed one gets a new wheel and a
# new venv. Safe to call from parallel jest workers (flock). Fails, saying why, when python3,
# its venv module, jsii-pacmak or PyPI is missing; it never skips.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "${repo_root}"
me="python-package.sh"
die() { echo "${me}: $*" >&2; exit 1; }

[[ -f .jsii ]] || die ".jsii is missing: run 'npm run build' (jsii) first"
command -v python3 >/dev/null || die "python3 is not installed (apt-get install python3 python3-venv)"
python3 -c 'import venv, ensurepip' 2>/dev/null || die "python3 has no venv/ensurepip module (apt-get install python3-venv)"
[[ -x node_modules/.bin/jsii-pacmak ]] || die "jsii-pacmak is missing: run 'npm ci'"

pin() { node -p "require('./package.json').devDependencies['$1']"; }
pacmak_version="$(node -p "require('jsii-pacmak/package.json').version")"
# The Python jsii runtime must match the pacmak that generated the bindings.
pins="cdk8s==$(pin cdk8s) cdk8s-plus-28==$(pin cdk8s-plus-28) constructs==$(pin constructs) jsii==${pacmak_version}"
key="$( (sha256sum .jsii; echo "${pacmak_version} ${pins} $(python3 --version)") | sha256sum | cut -c1-16)"
base="${repo_root}/.cache/python"
mkdir -p "${base}"
exec 9>"${base}/.lock"
flock 9

venv="${base}/venv-${key}"
if [[ ! -f "${venv}/.done" ]]; then
  rm -rf "${venv}" "${base}/wheel-${key}"
  echo "${me}: jsii-pacmak --targets python (pacmak ${pacmak_version}) …" >&2
  node_modules/.bin/jsii-pacmak --targets python --outdir "${base}/wheel-${key}" --force >&2 \
    || die "jsii-pacmak failed to build the Python package"
  wheel="$(ls "${base}/wheel-${key}"/python/*.whl 2>/dev/null | head -1)"
  [[ -n "${wheel}" ]] || die "jsii-pacmak wrote no wheel under ${base}/wheel-${key}/python"
  python3 -m venv "${venv}" || die "python3 -m venv ${venv} failed"
  echo "${me}: pip install ${wheel##*/} ${pins} …" >&2
  "${venv}/bin/python" -m pip install --quiet --disable-pip-version-check "${wheel}" ${pins} >&2 \
    || die "pip install of ${wheel##*/} with ${pins} failed (is PyPI reachable?)"
  # Older venvs (about 50 MB each) stay: .cache may be shared by several worktrees whose tests
  # are using theirs right now. Remove .cache/python to reclaim the space.
  touch "${venv}/.done"
fi
echo "${venv}/bin/python"
