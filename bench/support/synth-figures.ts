/**
 * Synthesis cost: a fresh `node` process that loads the compiled construct library (lib/,
 * from `npm run build`) and synthesizes the default GpuDevicePlugin stack, or 1,000
 * GpuJobs, against a fresh `helm template` of the generated chart with default values.
 * Whole-process wall time on both sides, since that is what a pipeline pays.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Figures } from './plugin-figures';

const repoRoot = path.resolve(__dirname, '..', '..');

/** Program for `node -e`: synthesizes `jobs` GpuJobs, or the default plugin stack when 0. */
function synthProgram(jobs: number): string {
  return `
const { App, Chart } = require('cdk8s');
const lib = require(${JSON.stringify(path.join(repoRoot, 'lib', 'index.js'))});
const app = new App();
const chart = new Chart(app, 'bench');
if (${jobs} === 0) new lib.GpuDevicePlugin(chart, 'DevicePlugin');
for (let i = 0; i < ${jobs}; i++) new lib.GpuJob(chart, 'job-' + i, { image: 'nvcr.io/nvidia/pytorch:24.01-py3', command: ['python', 'train.py'], gpus: 1 });
const yaml = app.synthYaml();
if (!yaml.includes('kind:')) throw new Error('synth produced no objects');
`;
}

function wallMs(file: string, args: string[]): number {
  const t0 = performance.now();
  execFileSync(file, args, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 256 << 20 });
  return performance.now() - t0;
}

export function helmBinary(): string {
  return execFileSync('bash', [path.join(repoRoot, 'test', 'tools', 'helm.sh')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
}

export function synthRun(helm: string): Figures {
  if (!fs.existsSync(path.join(repoRoot, 'lib', 'index.js'))) {
    throw new Error(
      'lib/index.js is missing: run `npm run build` first (the synthesis figures load the compiled library)',
    );
  }
  return {
    synthDefaultMs: wallMs(process.execPath, ['-e', synthProgram(0)]),
    synthJobsMs: wallMs(process.execPath, ['-e', synthProgram(1000)]),
    helmTemplateMs: wallMs(helm, ['template', 'gpu-device-plugin', path.join(repoRoot, 'charts', 'gpu-device-plugin')]),
  };
}
