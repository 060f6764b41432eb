#!/usr/bin/env node
// Prints, one per line and relative to the repository root, the package directories that
// the plugin needs at run time: the closure of plugin/package.json's dependencies (and
// the optional ones that are installed, e.g. koffi's per-platform binary), resolved the
// way Node resolves them (nearest node_modules up the tree). What `npm ci --omit=dev`
// would install, taken from the node_modules already on disk; no registry involved.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..', '..');
const found = new Set();

function locate(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (dir === root || dir === path.dirname(dir)) return undefined;
  }
}

function visit(pkgDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const required = Object.keys(pkg.dependencies || {});
  const optional = Object.keys(pkg.optionalDependencies || {});
  for (const name of [...required, ...optional]) {
    const dir = locate(name, pkgDir);
    if (dir === undefined) {
      if (required.includes(name) && !optional.includes(name)) {
        throw new Error(`${name} (needed by ${pkg.name}) is not installed under ${root}: run npm ci`);
      }
      continue;
    }
    if (found.has(dir)) continue;
    found.add(dir);
    visit(dir);
  }
}

visit(path.join(root, 'plugin'));
for (const dir of [...found].sort()) process.stdout.write(`${path.relative(root, dir)}\n`);
