#!/usr/bin/env node
// Entry point of the `gpu-device-plugin` command; the code is compiled from src/ into lib/.
'use strict';

const cli = require('../lib/cli.js');

cli
  .runCli(process.argv.slice(2), process.env)
  .then((code) => {
    // Not process.exit: that waits for an NVML event wait still running (cli.ts, exitProcess).
    cli.exitProcess(code);
  })
  .catch((err) => {
    process.stderr.write(`gpu-device-plugin: unexpected error: ${(err && err.stack) || err}\n`);
    cli.exitProcess(1);
  });
