#!/usr/bin/env node
// Entry point of the `gpu-device-plugin` command; the code is compiled from src/ into lib/.
'use strict';

require('../lib/cli.js')
  .runCli(process.argv.slice(2), process.env)
  .then((code) => {
    process.exit(code);
  })
  .catch((err) => {
    process.stderr.write(`gpu-device-plugin: unexpected error: ${(err && err.stack) || err}\n`);
    process.exit(1);
  });
