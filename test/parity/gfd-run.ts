/**
 * GPU Feature Discovery labels from both sides on the same NVML: our plugin with
 * --gfd-output-file (run until the file appears, then stopped with SIGTERM, which must remove
 * it) and NVIDIA's gpu-feature-discovery v0.20.0 (built from ../shared/peers by
 * test/tools/peers.sh) with --oneshot and an output file. The NVML is either NVIDIA's mock
 * libnvidia-ml.so.1 with one of its GPU profiles (peers.sh mock-nvml) or our fake one.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { ensureOurPluginBuilt } from './plugin-process';
import { watchChild } from '../helpers/child-output';
import { peerPath } from '../helpers/tools';

const repoRoot = path.resolve(__dirname, '..', '..');

export type Labels = Record<string, string>;

/** How a process finds its NVML: the library file and the env that configures it. */
export interface NvmlUnderTest {
  library: string;
  env: Record<string, string>;
}

function peer(name: string, what: string): string {
  return peerPath(name, what, 'there is nothing to compare with');
}

/** NVIDIA's gpu-feature-discovery binary; throws with the build's reason. */
export function nvidiaGfdBinary(): string {
  return peer('gpu-feature-discovery', "NVIDIA's gpu-feature-discovery");
}

/** NVIDIA's mock NVML with one of its profiles (a100, h100, b200, gb200, gb300, l40s, t4). */
export function mockNvml(profile: string): NvmlUnderTest {
  const dir = peer('mock-nvml', "NVIDIA's mock NVML");
  const config = path.join(dir, 'configs', `mock-nvml-config-${profile}.yaml`);
  if (!fs.existsSync(config)) throw new Error(`NVIDIA's mock NVML has no profile ${profile} (${config} is missing)`);
  return { library: path.join(dir, 'libnvidia-ml.so.1'), env: { MOCK_NVML_CONFIG: config } };
}

export function parseFeatureFile(text: string): Labels {
  const labels: Labels = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    labels[line.slice(0, at)] = line.slice(at + 1);
  }
  return labels;
}

export interface LabelRun {
  labels: Labels;
  output: string;
}

export interface GfdOptions {
  /** NVIDIA's `version: v1` config file (flags.migStrategy, sharing, …). */
  config?: object;
  /** Content of the DMI product name file. */
  machine?: string;
}

function workDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gfd-'));
}

function setup(dir: string, opts: GfdOptions): { configFile: string; machineFile: string } {
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, stringify(opts.config ?? { version: 'v1' }));
  const machineFile = path.join(dir, 'product_name');
  fs.writeFileSync(machineFile, `${opts.machine ?? 'PowerEdge XE9680'}\n`);
  return { configFile, machineFile };
}

/** NVIDIA's gpu-feature-discovery --oneshot; throws with its output when it fails. */
export function nvidiaLabels(nvml: NvmlUnderTest, opts: GfdOptions = {}): LabelRun {
  const bin = nvidiaGfdBinary();
  const dir = workDir();
  try {
    const { configFile, machineFile } = setup(dir, opts);
    const out = path.join(dir, 'gfd');
    let output = '';
    try {
      output = execFileSync(
        bin,
        [
          '--oneshot',
          '--use-node-feature-api=false',
          '--no-timestamp',
          `--output-file=${out}`,
          `--machine-type-file=${machineFile}`,
          `--config-file=${configFile}`,
        ],
        {
          env: { PATH: process.env.PATH, LD_LIBRARY_PATH: path.dirname(nvml.library), ...nvml.env },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 60000,
        },
      );
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; status?: number };
      const stderr = String(e.stderr ?? '');
      const missing = /undefined symbol: (\w+)/.exec(stderr);
      const why = missing
        ? ` because ${nvml.library} has no ${missing[1]}, which NVIDIA's GFD calls; the fake NVML needs it`
        : '';
      throw new Error(`NVIDIA's gpu-feature-discovery failed (exit ${e.status})${why}:\n${stderr.slice(-2000)}`);
    }
    return { labels: parseFeatureFile(fs.readFileSync(out, 'utf8')), output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Our plugin with --gfd-output-file until the file is written; checks that SIGTERM removes it. */
export async function ourLabels(nvml: NvmlUnderTest, opts: GfdOptions = {}): Promise<LabelRun> {
  ensureOurPluginBuilt();
  const dir = workDir();
  const { configFile, machineFile } = setup(dir, opts);
  const out = path.join(dir, 'features.d', 'gfd');
  const dp = path.join(dir, 'dp');
  fs.mkdirSync(dp);
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'plugin', 'bin', 'gpu-device-plugin.js'),
      `--device-plugin-path=${dp}`,
      `--nvml-library-path=${nvml.library}`,
      `--config-file=${configFile}`,
      `--gfd-output-file=${out}`,
      `--machine-type-file=${machineFile}`,
      '--driver-root=/',
      '--metrics-port=0',
      '--log-level=info',
    ],
    { env: { PATH: process.env.PATH, ...nvml.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const { output, exitCode, exited } = watchChild(child);
  try {
    const deadline = Date.now() + 20000;
    // The file is written during start, before the servers are up (with MPS the plugin then
    // waits for the MPS daemon, which these runs do not start); signals are handled from the
    // start on, so a SIGTERM after the write is a clean stop in either phase.
    while (!fs.existsSync(out) || !/"msg":"wrote GPU Feature Discovery labels"/.test(output())) {
      if (exitCode() !== undefined)
        throw new Error(`our plugin exited with ${exitCode()} before writing ${out}:\n${output().slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`our plugin wrote no ${out} in 20 s:\n${output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const labels = parseFeatureFile(fs.readFileSync(out, 'utf8'));
    child.kill('SIGTERM');
    await exited;
    if (exitCode() !== 0) throw new Error(`our plugin exited with ${exitCode()} on SIGTERM:\n${output().slice(-3000)}`);
    if (fs.existsSync(out)) throw new Error(`our plugin left ${out} behind after a clean stop`);
    return { labels, output: output() };
  } finally {
    if (exitCode() === undefined) {
      child.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
