#!/usr/bin/env node
// Bundles the compiled plugin (lib/, from `tsc`) and its JavaScript dependencies into one
// file, lib/bundle/gpu-device-plugin.js, with esbuild (pinned in plugin/package.json). The
// release image runs this file: one file read and compiled at start instead of about 330
// modules resolved, stat'ed, read and wrapped one by one (docs/benchmarks.md has the figures).
//
// koffi stays outside (EXTERNAL): it loads its native binary for the platform from its own
// package, so the image ships node_modules with koffi and nothing else. The bundle sits at
// the same depth under plugin/ as lib/kubelet/api-proto.js, so the relative path to
// proto/api.proto is the same in both.
//
//   node scripts/bundle.js [PLUGIN_DIR [OUTFILE]]
//     PLUGIN_DIR  a directory with bin/gpu-device-plugin.js and lib/ (default: plugin/)
//     OUTFILE     default: PLUGIN_DIR/lib/bundle/gpu-device-plugin.js
//   node scripts/bundle.js --externals   prints the packages the bundle leaves outside
'use strict';
const path = require('path');

/** Packages the bundle requires at run time from node_modules. */
const EXTERNAL = ['koffi'];

if (process.argv[2] === '--externals') {
  process.stdout.write(`${EXTERNAL.join('\n')}\n`);
  process.exit(0);
}

const esbuild = require('esbuild');
const pluginDir = path.resolve(process.argv[2] || path.join(__dirname, '..'));
const outfile = path.resolve(process.argv[3] || path.join(pluginDir, 'lib', 'bundle', 'gpu-device-plugin.js'));
const entry = path.join(pluginDir, 'bin', 'gpu-device-plugin.js');

esbuild
  .build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: EXTERNAL,
    // Module paths inside the bundle are relative to this directory: the repository root, so
    // the same sources give the same bytes wherever the checkout or the output is.
    absWorkingDir: path.resolve(__dirname, '..', '..'),
    // The dependencies are those of this checkout, wherever PLUGIN_DIR is (the image build
    // compiles into a temporary directory).
    nodePaths: [path.resolve(__dirname, '..', '..', 'node_modules'), path.resolve(__dirname, '..', 'node_modules')],
    // Whitespace only: names stay, so stack traces and logged errors read as in lib/.
    minifyWhitespace: true,
    legalComments: 'eof',
    logLevel: 'warning',
    metafile: true,
  })
  .then((result) => {
    const inputs = Object.keys(result.metafile.inputs).length;
    const out = Object.values(result.metafile.outputs)[0];
    process.stderr.write(
      `bundle: ${path.relative(process.cwd(), outfile)} from ${inputs} files, ${(out.bytes / 1048576).toFixed(2)} MiB\n`,
    );
  })
  .catch((err) => {
    process.stderr.write(`bundle: esbuild could not bundle ${entry}: ${err.message}\n`);
    process.exit(1);
  });
