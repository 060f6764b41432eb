#!/usr/bin/env bash
# Collects the CRDs that dist/'s third-party kinds need into .cache/e2e/crds (prints the
# directory): the real ones from the controllers' modules on the Go proxy, plus the
# stand-ins in test/e2e/crds/ for what the proxy does not serve. Idempotent.
set -euo pipefail
. "$(dirname "$0")/versions.sh"
out="$E2E_CACHE/crds"
mkdir -p "$out"
for entry in "${CRD_MODULES[@]}"; do
  read -r module file <<<"$entry"
  dest="$out/$(basename "$file")"
  [ -s "$dest" ] && continue
  dir=$(go mod download -json "$module" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
  [ -f "$dir/$file" ] || { echo "crds: $file not found in $module ($dir)" >&2; exit 1; }
  cp "$dir/$file" "$dest.part" && mv "$dest.part" "$dest"
done
cp "$(dirname "$0")"/crds/*.yaml "$out/"
echo "$out"
