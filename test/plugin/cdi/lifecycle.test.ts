/**
 * The CDI spec file over the plugin's life, with the real process on the fake node: written
 * at start under a CDI strategy (and only then), rewritten when a SIGHUP changes what the
 * spec says, removed on a clean stop; a node the spec cannot be built for stops the plugin
 * with a message that names what is missing. Plus the spec builder's own rules.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { readSoname } from '../../../plugin/src/cdi/elf';
import { buildCdiSpec, CdiSpecError } from '../../../plugin/src/cdi/spec';
import type { DeviceInventory } from '../../../plugin/src/devices/types';
import { defaultSpec, gpuUuid } from '../helpers/fake-nvml';
import { CDI_SPEC_NAME, createCdiNode, type CdiNode } from '../../parity/cdi-node';
import { ensureOurPluginBuilt } from '../../parity/plugin-process';
import { watchChild } from '../../helpers/child-output';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startOurs(node: CdiNode, cdiDir: string, extraEnv: Record<string, string>): Running {
  const dp = fs.mkdtempSync(path.join(node.dir, 'dp-'));
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'plugin', 'bin', 'gpu-device-plugin.js'),
      `--device-plugin-path=${dp}`,
      `--nvml-library-path=${node.libraryPath}`,
      `--cdi-root=${cdiDir}`,
      `--driver-root=${node.driverRoot}`,
      `--container-driver-root=${node.driverRoot}`,
      `--config-file=${node.configFile}`,
      '--metrics-port=0',
    ],
    {
      env: {
        PATH: process.env.PATH,
        FAKE_NVML_CONFIG: node.configPath,
        GPU_DEVICE_PLUGIN_SYSFS_ROOT: node.sysfsRoot,
        GPU_DEVICE_PLUGIN_PROC_ROOT: node.procRoot,
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const { output, exited } = watchChild(child);
  return { child, output, exited };
}

async function waitFor(what: string, cond: () => boolean, run: Running, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${run.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(() => ensureOurPluginBuilt(), 180000);

describe('the plugin process', () => {
  let node: CdiNode;
  beforeEach(() => {
    node = createCdiNode(defaultSpec(2), { version: 'v1', flags: { plugin: { deviceListStrategy: ['cdi-cri'] } } });
  });
  afterEach(() => node.remove());

  test('writes the spec at start, rewrites it on SIGHUP when the config changes it, removes it on SIGTERM', async () => {
    const cdiDir = path.join(node.dir, 'cdi');
    const run = startOurs(node, cdiDir, {});
    const file = path.join(cdiDir, CDI_SPEC_NAME);
    try {
      // Signals are handled once the servers are up (the spec is written before).
      await waitFor(
        'the CDI spec and the servers',
        () => fs.existsSync(file) && /serving device plugin/.test(run.output()),
        run,
      );
      const first = JSON.parse(fs.readFileSync(file, 'utf8')) as { devices: Array<{ name: string }> };
      expect(first.devices.map((d) => d.name)).toEqual([gpuUuid(0), gpuUuid(1)].sort());
      expect(fs.statSync(file).mode & 0o777).toBe(0o644);
      // Nothing but the spec is left in the directory (the temporary file was renamed).
      expect(fs.readdirSync(cdiDir)).toEqual([CDI_SPEC_NAME]);

      fs.writeFileSync(
        node.configFile,
        stringify({ version: 'v1', flags: { plugin: { deviceListStrategy: ['cdi-cri'], deviceIDStrategy: 'index' } } }),
      );
      run.child.kill('SIGHUP');
      await waitFor('the spec with index names', () => fs.readFileSync(file, 'utf8').includes('"name":"0"'), run);
      expect(
        (JSON.parse(fs.readFileSync(file, 'utf8')) as { devices: Array<{ name: string }> }).devices.map((d) => d.name),
      ).toEqual(['0', '1']);

      fs.writeFileSync(
        node.configFile,
        stringify({ version: 'v1', flags: { plugin: { deviceListStrategy: ['envvar'] } } }),
      );
      run.child.kill('SIGHUP');
      await waitFor('the spec to go when no CDI strategy is left', () => !fs.existsSync(file), run);

      fs.writeFileSync(
        node.configFile,
        stringify({ version: 'v1', flags: { plugin: { deviceListStrategy: ['cdi-annotations'] } } }),
      );
      run.child.kill('SIGHUP');
      await waitFor('the spec to come back', () => fs.existsSync(file), run);
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    }
    expect(fs.existsSync(file)).toBe(false);
    expect(run.output()).toMatch(/"msg":"wrote CDI spec"/);
  }, 60000);

  test('writes no spec under the envvar strategy', async () => {
    const cdiDir = path.join(node.dir, 'cdi');
    const run = startOurs(node, cdiDir, { DEVICE_LIST_STRATEGY: 'envvar' });
    try {
      await waitFor('the plugin to serve', () => /serving device plugin/.test(run.output()), run);
      expect(fs.existsSync(path.join(cdiDir, CDI_SPEC_NAME))).toBe(false);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 60000);

  test("a GPU without its device node: no spec, an error that says why, and the plugin serves on (as NVIDIA's)", async () => {
    fs.rmSync(path.join(node.driverRoot, 'dev', 'nvidia1'));
    const cdiDir = path.join(node.dir, 'cdi');
    const run = startOurs(node, cdiDir, {});
    try {
      await waitFor('the plugin to serve', () => /serving device plugin/.test(run.output()), run);
      expect(fs.existsSync(path.join(cdiDir, CDI_SPEC_NAME))).toBe(false);
      expect(run.output()).toContain(
        `no device node of ${gpuUuid(1)} (/dev/nvidia1) is a character device under the dev root ${node.driverRoot}`,
      );
      expect(run.output()).toContain('wrote no CDI spec: pods given CDI device names on this node will not start');
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    }
  }, 60000);

  test('a driver root without libcuda stops the plugin with what is missing and where', async () => {
    for (const f of fs.readdirSync(path.join(node.driverRoot, 'usr/lib/x86_64-linux-gnu'))) {
      if (f.startsWith('libcuda.so')) fs.rmSync(path.join(node.driverRoot, 'usr/lib/x86_64-linux-gnu', f));
    }
    const run = startOurs(node, path.join(node.dir, 'cdi'), {});
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toContain(
      `libcuda.so.550.54.15 (the CUDA driver library of driver 550.54.15) is in none of the library directories under the driver root ${node.driverRoot}`,
    );
  }, 60000);
});

describe('buildCdiSpec', () => {
  let node: CdiNode;
  beforeAll(() => {
    node = createCdiNode(defaultSpec(2), { version: 'v1' });
  });
  afterAll(() => node.remove());

  const inventory = (): DeviceInventory => ({
    driverVersion: '550.54.15',
    cudaDriverVersion: 12040,
    topology: { nvlinks: [], pcie: [] },
    gpus: defaultSpec(2).gpus.map((g, i) => ({
      index: i,
      uuid: g.uuid,
      name: g.name,
      memoryMiB: g.memoryMiB,
      minor: i,
      pciBusId: g.pciBusId,
      computeCapability: g.computeCapability,
      migCapable: true,
      migEnabled: false,
      migDevices: [],
    })),
  });
  const opts = () => ({
    driverRoot: { read: node.driverRoot, target: '/' },
    devRoot: { read: node.driverRoot, target: '/' },
    hookPath: '/usr/local/nvidia/toolkit/nvidia-cdi-hook',
    deviceIdStrategy: 'uuid' as const,
  });

  test('names the host paths under the target root and calls nvidia-cdi-hook without "hook"', () => {
    const spec = buildCdiSpec(inventory(), opts());
    const text = JSON.stringify(spec);
    expect(text).not.toContain(node.driverRoot);
    expect(spec.devices[0].containerEdits.deviceNodes).toEqual([
      { path: '/dev/nvidia0', major: 195, fileMode: 0o666, permissions: 'rwm' },
    ]);
    expect(spec.containerEdits.hooks![0].args.slice(0, 2)).toEqual(['nvidia-cdi-hook', 'create-symlinks']);
    expect(spec.containerEdits.hooks!.map((h) => h.args[1])).toEqual([
      'create-symlinks',
      'enable-cuda-compat',
      'update-ldcache',
      'disable-device-node-modification',
      'update-application-profile',
    ]);
    // libnvidia-gpucomp has no soname (an empty file): no link for it.
    expect(spec.containerEdits.hooks![0].args.filter((a) => a.includes('gpucomp'))).toEqual([]);
    expect(spec.containerEdits.hooks![0].args).toContain(
      'libnvidia-ml.so.1::/usr/lib/x86_64-linux-gnu/libnvidia-ml.so',
    );
  });

  test('leaves out the hooks named in cdiDisableHooks, and all of them for "all"', () => {
    const some = buildCdiSpec(inventory(), { ...opts(), disabledHooks: ['update-ldcache', 'enable-cuda-compat'] });
    expect(some.containerEdits.hooks!.map((h) => h.args[1])).toEqual([
      'create-symlinks',
      'disable-device-node-modification',
      'update-application-profile',
    ]);
    expect(buildCdiSpec(inventory(), { ...opts(), disabledHooks: ['all'] }).containerEdits.hooks).toBeUndefined();
  });

  test('a GPU whose /dev/nvidiaN is missing is an error that names the node and the dev root', () => {
    const inv = inventory();
    inv.gpus[1].minor = 7;
    expect(() => buildCdiSpec(inv, opts())).toThrow(CdiSpecError);
    expect(() => buildCdiSpec(inv, opts())).toThrow(
      `no device node of ${gpuUuid(1)} (/dev/nvidia7) is a character device under the dev root ${node.driverRoot}`,
    );
  });

  test('MIG-enabled GPUs get no whole-GPU entry', () => {
    const inv = inventory();
    inv.gpus[0].migEnabled = true;
    expect(buildCdiSpec(inv, opts()).devices.map((d) => d.name)).toEqual([gpuUuid(1)]);
  });

  test('readSoname reads DT_SONAME and gives "" for a file that is not ELF', () => {
    const lib = path.join(node.driverRoot, 'usr/lib/x86_64-linux-gnu');
    expect(readSoname(path.join(lib, 'libcuda.so.550.54.15'))).toBe('libcuda.so.1');
    expect(readSoname(path.join(lib, 'libnvidia-gpucomp.so.550.54.15'))).toBe('');
    expect(readSoname(node.libraryPath)).toMatch(/^libnvidia-ml\.so/);
  });
});
