import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ConfigError, configFromFile, loadConfig } from '../../../plugin/src/config/load';
import type { PluginConfig } from '../../../plugin/src/config/types';

let dir: string;
let fileCount = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'config-load-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(contents: string | object): string {
  const path = join(dir, `config-${fileCount++}.yaml`);
  writeFileSync(path, typeof contents === 'string' ? contents : JSON.stringify(contents));
  return path;
}

function load(argv: string[] = [], env: NodeJS.ProcessEnv = {}, warn?: (m: string) => void): PluginConfig {
  return loadConfig({ argv, env, warn });
}

function loadError(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    load(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  test("with no flags, env or file every value is NVIDIA's default (or ours for our own options)", () => {
    expect(load()).toEqual({
      version: 'v1',
      flags: {
        migStrategy: 'none',
        failOnInitError: true,
        nvidiaDriverRoot: '/',
        nvidiaDevRoot: '/',
        mpsRoot: '',
        gdrcopyEnabled: false,
        gdsEnabled: false,
        mofedEnabled: false,
        plugin: {
          passDeviceSpecs: false,
          deviceListStrategy: ['envvar'],
          deviceIDStrategy: 'uuid',
          cdiAnnotationPrefix: 'cdi.k8s.io/',
          nvidiaCTKPath: '/usr/bin/nvidia-ctk',
          containerDriverRoot: '/driver-root',
          sharedDevicesAllocationPolicy: 'distributed',
        },
      },
      sharing: {},
      imex: { channelIDs: [], required: false },
      health: {
        disabled: false,
        skipXids: [13, 31, 43, 45, 68, 109],
        enableXids: [],
        recoveryMs: 60000,
        lostCheckMs: 10000,
      },
      runtime: {
        devicePluginPath: '/var/lib/kubelet/device-plugins',
        kubeletSocket: 'kubelet.sock',
        nvmlLibrary: 'libnvidia-ml.so.1',
        metricsPort: 8080,
        metricsBindAddress: '0.0.0.0',
        logLevel: 'info',
        cdiRoot: '/var/run/cdi',
        cdiDisableHooks: [],
        gfdOutputFile: '',
        gfdMachineTypeFile: '/sys/class/dmi/id/product_name',
      },
    });
  });

  test('the dev root follows the driver root when not set', () => {
    expect(load(['--driver-root=/run/nvidia/driver']).flags.nvidiaDevRoot).toBe('/run/nvidia/driver');
  });
});

/**
 * One row per option: a value from the file, a different one from env, another from a
 * flag. Each step adds a higher-precedence source and must change the result.
 * (deviceDiscoveryStrategy, cdiFeatureFlags and cdiDisableHooks are validated but not part
 * of PluginConfig, so they have no row.)
 */
interface PrecedenceRow {
  name: string;
  get: (c: PluginConfig) => unknown;
  defaultValue: unknown;
  file?: { contents: object; value: unknown };
  env: { vars: Record<string, string>; value: unknown };
  flag: { argv: string[]; value: unknown };
}

const rows: PrecedenceRow[] = [
  {
    name: 'migStrategy',
    get: (c) => c.flags.migStrategy,
    defaultValue: 'none',
    file: { contents: { flags: { migStrategy: 'single' } }, value: 'single' },
    env: { vars: { MIG_STRATEGY: 'mixed' }, value: 'mixed' },
    flag: { argv: ['--mig-strategy', 'none'], value: 'none' },
  },
  {
    name: 'failOnInitError',
    get: (c) => c.flags.failOnInitError,
    defaultValue: true,
    file: { contents: { flags: { failOnInitError: false } }, value: false },
    env: { vars: { FAIL_ON_INIT_ERROR: 'true' }, value: true },
    flag: { argv: ['--fail-on-init-error=false'], value: false },
  },
  {
    name: 'nvidiaDriverRoot',
    get: (c) => c.flags.nvidiaDriverRoot,
    defaultValue: '/',
    file: { contents: { flags: { nvidiaDriverRoot: '/file/driver' } }, value: '/file/driver' },
    env: { vars: { NVIDIA_DRIVER_ROOT: '/env/driver' }, value: '/env/driver' },
    flag: { argv: ['--nvidia-driver-root=/flag/driver'], value: '/flag/driver' },
  },
  {
    name: 'nvidiaDevRoot',
    get: (c) => c.flags.nvidiaDevRoot,
    defaultValue: '/',
    file: { contents: { flags: { nvidiaDevRoot: '/file/dev' } }, value: '/file/dev' },
    env: { vars: { NVIDIA_DEV_ROOT: '/env/dev' }, value: '/env/dev' },
    flag: { argv: ['--dev-root', '/flag/dev'], value: '/flag/dev' },
  },
  {
    name: 'mpsRoot',
    get: (c) => c.flags.mpsRoot,
    defaultValue: '',
    file: { contents: { flags: { mpsRoot: '/file/mps' } }, value: '/file/mps' },
    env: { vars: { MPS_ROOT: '/env/mps' }, value: '/env/mps' },
    flag: { argv: ['--mps-root=/flag/mps'], value: '/flag/mps' },
  },
  ...(['gdrcopy', 'gds', 'mofed'] as const).map((name): PrecedenceRow => ({
    name: `${name}Enabled`,
    get: (c) => c.flags[`${name}Enabled`],
    defaultValue: false,
    file: { contents: { flags: { [`${name}Enabled`]: true } }, value: true },
    env: { vars: { [`${name.toUpperCase()}_ENABLED`]: '0' }, value: false },
    flag: { argv: [`--${name}-enabled`], value: true },
  })),
  {
    name: 'passDeviceSpecs',
    get: (c) => c.flags.plugin.passDeviceSpecs,
    defaultValue: false,
    file: { contents: { flags: { plugin: { passDeviceSpecs: true } } }, value: true },
    env: { vars: { PASS_DEVICE_SPECS: 'false' }, value: false },
    flag: { argv: ['--pass-device-specs=true'], value: true },
  },
  {
    name: 'deviceListStrategy',
    get: (c) => c.flags.plugin.deviceListStrategy,
    defaultValue: ['envvar'],
    file: {
      contents: { flags: { plugin: { deviceListStrategy: ['volume-mounts', 'cdi-annotations'] } } },
      value: ['volume-mounts', 'cdi-annotations'],
    },
    env: { vars: { DEVICE_LIST_STRATEGY: 'cdi-cri' }, value: ['cdi-cri'] },
    flag: {
      argv: ['--device-list-strategy', 'envvar', '--device-list-strategy=cdi-cri'],
      value: ['envvar', 'cdi-cri'],
    },
  },
  {
    name: 'deviceIDStrategy',
    get: (c) => c.flags.plugin.deviceIDStrategy,
    defaultValue: 'uuid',
    file: { contents: { flags: { plugin: { deviceIDStrategy: 'index' } } }, value: 'index' },
    env: { vars: { DEVICE_ID_STRATEGY: 'uuid' }, value: 'uuid' },
    flag: { argv: ['--device-id-strategy=index'], value: 'index' },
  },
  {
    name: 'cdiAnnotationPrefix',
    get: (c) => c.flags.plugin.cdiAnnotationPrefix,
    defaultValue: 'cdi.k8s.io/',
    file: { contents: { flags: { plugin: { cdiAnnotationPrefix: 'file.example/' } } }, value: 'file.example/' },
    env: { vars: { CDI_ANNOTATION_PREFIX: 'env.example/' }, value: 'env.example/' },
    flag: { argv: ['--cdi-annotation-prefix=flag.example/'], value: 'flag.example/' },
  },
  {
    name: 'nvidiaCTKPath',
    get: (c) => c.flags.plugin.nvidiaCTKPath,
    defaultValue: '/usr/bin/nvidia-ctk',
    file: { contents: { flags: { plugin: { nvidiaCTKPath: '/file/ctk' } } }, value: '/file/ctk' },
    env: { vars: { NVIDIA_CTK_PATH: '/env/ctk' }, value: '/env/ctk' },
    flag: { argv: ['--nvidia-cdi-hook-path=/flag/hook'], value: '/flag/hook' },
  },
  {
    name: 'containerDriverRoot',
    get: (c) => c.flags.plugin.containerDriverRoot,
    defaultValue: '/driver-root',
    file: { contents: { flags: { plugin: { containerDriverRoot: '/file/root' } } }, value: '/file/root' },
    env: { vars: { CONTAINER_DRIVER_ROOT: '/env/root' }, value: '/env/root' },
    flag: { argv: ['--driver-root-ctr-path=/flag/root'], value: '/flag/root' },
  },
  {
    name: 'sharedDevicesAllocationPolicy',
    get: (c) => c.flags.plugin.sharedDevicesAllocationPolicy,
    defaultValue: 'distributed',
    file: { contents: { flags: { plugin: { sharedDevicesAllocationPolicy: 'packed' } } }, value: 'packed' },
    env: { vars: { SHARED_DEVICES_ALLOCATION_POLICY: 'distributed' }, value: 'distributed' },
    flag: { argv: ['--shared-devices-allocation-policy=packed'], value: 'packed' },
  },
  {
    // [] and [0] are the only values, so the file step repeats the default.
    name: 'imex.channelIDs',
    get: (c) => c.imex.channelIDs,
    defaultValue: [],
    file: { contents: { imex: { channelIDs: [] } }, value: [] },
    env: { vars: { IMEX_CHANNEL_IDS: '0' }, value: [0] },
    flag: { argv: ['--imex-channel-ids='], value: [] },
  },
  {
    name: 'imex.required',
    get: (c) => c.imex.required,
    defaultValue: false,
    file: { contents: { imex: { required: true } }, value: true },
    env: { vars: { IMEX_REQUIRED: 'f' }, value: false },
    flag: { argv: ['--imex-required'], value: true },
  },
  {
    name: 'kubeletSocket',
    get: (c) => c.runtime.kubeletSocket,
    defaultValue: 'kubelet.sock',
    file: { contents: { flags: { plugin: { kubeletSocket: '/file/kubelet.sock' } } }, value: '/file/kubelet.sock' },
    env: { vars: { KUBELET_SOCKET: 'env.sock' }, value: 'env.sock' },
    flag: { argv: ['--kubelet-socket=flag.sock'], value: 'flag.sock' },
  },
  {
    name: 'devicePluginPath',
    get: (c) => c.runtime.devicePluginPath,
    defaultValue: '/var/lib/kubelet/device-plugins',
    env: { vars: { DEVICE_PLUGIN_PATH: '/env/dp' }, value: '/env/dp' },
    flag: { argv: ['--device-plugin-path=/flag/dp'], value: '/flag/dp' },
  },
  {
    name: 'nvmlLibrary',
    get: (c) => c.runtime.nvmlLibrary,
    defaultValue: 'libnvidia-ml.so.1',
    env: { vars: { NVML_LIBRARY_PATH: '/env/libnvidia-ml.so.1' }, value: '/env/libnvidia-ml.so.1' },
    flag: { argv: ['--nvml-library-path', '/flag/libnvidia-ml.so.1'], value: '/flag/libnvidia-ml.so.1' },
  },
  {
    name: 'metricsPort',
    get: (c) => c.runtime.metricsPort,
    defaultValue: 8080,
    env: { vars: { METRICS_PORT: '9090' }, value: 9090 },
    flag: { argv: ['--metrics-port=0'], value: 0 },
  },
  {
    name: 'metricsBindAddress',
    get: (c) => c.runtime.metricsBindAddress,
    defaultValue: '0.0.0.0',
    env: { vars: { METRICS_BIND_ADDRESS: '127.0.0.1' }, value: '127.0.0.1' },
    flag: { argv: ['--metrics-bind-address=::'], value: '::' },
  },
  {
    name: 'logLevel',
    get: (c) => c.runtime.logLevel,
    defaultValue: 'info',
    env: { vars: { LOG_LEVEL: 'debug' }, value: 'debug' },
    flag: { argv: ['--log-level=warn'], value: 'warn' },
  },
  {
    name: 'health.recoveryMs',
    get: (c) => c.health.recoveryMs,
    defaultValue: 60000,
    env: { vars: { HEALTH_RECOVERY_SECONDS: '5' }, value: 5000 },
    flag: { argv: ['--health-recovery-seconds=0'], value: 0 },
  },
  {
    name: 'health.lostCheckMs',
    get: (c) => c.health.lostCheckMs,
    defaultValue: 10000,
    env: { vars: { LOST_GPU_CHECK_MS: '250' }, value: 250 },
    flag: { argv: ['--lost-gpu-check-ms=0'], value: 0 },
  },
];

describe('loadConfig precedence: flags > env > file > defaults', () => {
  test.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    expect(row.get(load())).toEqual(row.defaultValue);
    const fileArgs = row.file ? ['--config-file', writeConfig(row.file.contents)] : [];
    if (row.file) expect(row.get(load(fileArgs))).toEqual(row.file.value);
    expect(row.get(load(fileArgs, row.env.vars))).toEqual(row.env.value);
    expect(row.get(load([...fileArgs, ...row.flag.argv], row.env.vars))).toEqual(row.flag.value);
  });

  test('--config-file beats CONFIG_FILE', () => {
    const fromEnv = writeConfig({ flags: { migStrategy: 'single' } });
    const fromFlag = writeConfig({ flags: { migStrategy: 'mixed' } });
    const config = load([`--config-file=${fromFlag}`], { CONFIG_FILE: fromEnv });
    expect(config.flags.migStrategy).toBe('mixed');
    expect(config.runtime.configFile).toBe(fromFlag);
  });

  test('the first env var of an option that has several wins (NVIDIA_CDI_HOOK_PATH before NVIDIA_CTK_PATH)', () => {
    const config = load([], { NVIDIA_CDI_HOOK_PATH: '/hook', NVIDIA_CTK_PATH: '/ctk' });
    expect(config.flags.plugin.nvidiaCTKPath).toBe('/hook');
  });

  test('an empty env var counts as unset', () => {
    const file = writeConfig({ flags: { migStrategy: 'single' } });
    expect(load([], { CONFIG_FILE: file, MIG_STRATEGY: '' }).flags.migStrategy).toBe('single');
  });

  test('a relative config file path is kept absolute for SIGHUP reloads', () => {
    const file = writeConfig({});
    const relativePath = relative(process.cwd(), file);
    expect(relativePath.startsWith('/')).toBe(false);
    expect(load(['--config-file', relativePath]).runtime.configFile).toBe(file);
  });

  test('--help and -h are left to the CLI and do not fail', () => {
    expect(load(['--help', '-h']).flags.migStrategy).toBe('none');
  });

  test('sharing comes from the file', () => {
    const file = writeConfig('sharing:\n  timeSlicing:\n    resources: [{name: gpu, replicas: 4}]\n');
    expect(load(['--config-file', file]).sharing.timeSlicing?.resources).toEqual([
      { name: 'nvidia.com/gpu', devices: 'all', replicas: 4 },
    ]);
  });

  test('MPS sharing with the MPS root from a flag loads', () => {
    const file = writeConfig('sharing:\n  mps:\n    resources: [{name: gpu, replicas: 4}]\n');
    const config = load(['--config-file', file, '--mps-root=/run/nvidia/mps']);
    expect(config.flags.mpsRoot).toBe('/run/nvidia/mps');
    expect(config.sharing.mps?.failRequestsGreaterThanOne).toBe(true);
  });
});

describe('loadConfig warnings', () => {
  test('file warnings and config-level warnings reach the warn callback', () => {
    const file = writeConfig(`resources:
  gpus: [{pattern: "*", name: gpu}]
sharing:
  timeSlicing:
    resources: [{name: mig-1g.10gb, replicas: 2}]
`);
    const warnings: string[] = [];
    load(['--config-file', file], {}, (m) => warnings.push(m));
    expect(warnings).toEqual([
      expect.stringMatching(/resources \(custom resource names\) is ignored/),
      expect.stringMatching(/shares nvidia\.com\/mig-1g\.10gb, but MIG strategy is "none"/),
    ]);
  });
});

describe('configFromFile', () => {
  test('gives the defaults plus the file, without flags or env', () => {
    const config = configFromFile('flags:\n  migStrategy: mixed\n', 'ConfigMap gpu/plugin key default');
    expect(config.flags.migStrategy).toBe('mixed');
    expect(config.flags.failOnInitError).toBe(true);
    expect(config.runtime.configFile).toBeUndefined();
  });

  test('applies the cross-checks, naming the source', () => {
    expect(() => configFromFile('sharing: {mps: {resources: [{name: gpu, replicas: 2}]}}', 'ConfigMap x')).toThrow(
      /sharing\.mps in config file ConfigMap x needs an MPS root/,
    );
  });
});

describe('loadConfig rejects bad input with a message naming field, value and fix', () => {
  const withFile =
    (contents: string | object, ...more: string[]) =>
    (): string[] => ['--config-file', writeConfig(contents), ...more];
  const cases: Array<[string, () => string[], NodeJS.ProcessEnv, RegExp[]]> = [
    [
      'a wrong version in the file',
      withFile('version: v2\n'),
      {},
      [/config-\d+\.yaml, line 1: version must be "v1" \(the only version of this file format\) \(got "v2"\)/],
    ],
    [
      'a mistyped file key',
      withFile('sharing:\n  timeSlicing:\n    renameByDefualt: true\n'),
      {},
      [/unknown key sharing\.timeSlicing\.renameByDefualt; did you mean sharing\.timeSlicing\.renameByDefault\?/],
    ],
    [
      'replicas 0',
      withFile('sharing: {timeSlicing: {resources: [{name: gpu, replicas: 0}]}}'),
      {},
      [/replicas must be a whole number ≥ 1 \(got 0\)/],
    ],
    [
      'replicas 1.5',
      withFile('sharing: {timeSlicing: {resources: [{name: gpu, replicas: 1.5}]}}'),
      {},
      [/replicas must be a whole number ≥ 1 \(got 1\.5\)/],
    ],
    [
      'replicas "two"',
      withFile('sharing: {timeSlicing: {resources: [{name: gpu, replicas: "two"}]}}'),
      {},
      [/replicas must be a whole number ≥ 1 \(got "two"\)/],
    ],
    [
      'an unknown MIG strategy flag',
      () => ['--mig-strategy=fancy'],
      {},
      [/^--mig-strategy must be one of none, single, mixed \(got "fancy"\)$/],
    ],
    [
      'an unknown MIG strategy env var',
      () => [],
      { MIG_STRATEGY: 'Mixed' },
      [/^environment variable MIG_STRATEGY must be one of none, single, mixed \(got "Mixed"\)$/],
    ],
    [
      'an unknown device list strategy env var',
      () => [],
      { DEVICE_LIST_STRATEGY: 'envvar,nvlink' },
      [
        /environment variable DEVICE_LIST_STRATEGY must be one or more of envvar/,
        /"nvlink" is not one of them/,
        /got "envvar,nvlink"/,
      ],
    ],
    [
      'an unknown device ID strategy',
      () => ['--device-id-strategy', 'serial'],
      {},
      [/--device-id-strategy must be one of uuid, index \(got "serial"\)/],
    ],
    [
      'tegra discovery',
      () => ['--device-discovery-strategy=tegra'],
      {},
      [/--device-discovery-strategy must be auto or nvml/],
    ],
    [
      'a bad boolean env var',
      () => [],
      { FAIL_ON_INIT_ERROR: 'maybe' },
      [/environment variable FAIL_ON_INIT_ERROR must be true or false \(1 or 0 also work\) \(got "maybe"\)/],
    ],
    [
      'a bad boolean flag',
      () => ['--pass-device-specs=yes'],
      {},
      [/--pass-device-specs must be true or false/, /got "yes"/],
    ],
    [
      'MPS without an MPS root',
      withFile('sharing: {mps: {resources: [{name: gpu, replicas: 2}]}}'),
      {},
      [/sharing\.mps in config file .* needs an MPS root/, /--mps-root, MPS_ROOT or flags\.mpsRoot/],
    ],
    [
      'MPS with mixed MIG from a flag',
      withFile(
        'flags: {mpsRoot: /run/mps}\nsharing: {mps: {resources: [{name: gpu, replicas: 2}]}}',
        '--mig-strategy=mixed',
      ),
      {},
      [/cannot be used with MIG strategy "mixed" \(from --mig-strategy\)/],
    ],
    [
      'MPS with mixed MIG from the file',
      withFile(
        'flags: {mpsRoot: /run/mps, migStrategy: mixed}\nsharing: {mps: {resources: [{name: gpu, replicas: 2}]}}',
      ),
      {},
      [/\(from flags\.migStrategy in config file .*config-\d+\.yaml\)/],
    ],
    [
      'devices of the wrong type',
      withFile('sharing: {timeSlicing: {resources: [{name: gpu, replicas: 2, devices: [{gpu: 0}]}]}}'),
      {},
      [/devices must be "all" or a list/, /got \[\{"gpu":0\}\]/],
    ],
    [
      'a bad XID in DP_DISABLE_HEALTHCHECKS',
      () => [],
      { DP_DISABLE_HEALTHCHECKS: '13,abc' },
      [/environment variable DP_DISABLE_HEALTHCHECKS has "abc" \(in "13,abc"\)/],
    ],
    [
      'a negative XID in DP_ENABLE_HEALTHCHECKS',
      () => [],
      { DP_ENABLE_HEALTHCHECKS: '-5' },
      [/DP_ENABLE_HEALTHCHECKS has "-5"/],
    ],
    [
      'an unreadable config file',
      () => ['--config-file', join(tmpdir(), 'no-such-dir', 'config.yaml')],
      {},
      [/config file .*no-such-dir\/config\.yaml cannot be read \(ENOENT\)/, /--config-file\/CONFIG_FILE/],
    ],
    ['a config file that is a directory', () => [], { CONFIG_FILE: tmpdir() }, [/cannot be read \(EISDIR\)/]],
    [
      'invalid YAML, with its line',
      withFile('version: v1\nflags:\n  plugin: {deviceListStrategy: [envvar}\n'),
      {},
      [/line 3 column \d+: not valid YAML or JSON/],
    ],
    [
      'an unknown flag, with a suggestion',
      () => ['--mig-stratgy=mixed'],
      {},
      [/^unknown flag --mig-stratgy; did you mean --mig-strategy\? \(run with --help to list every flag\)$/],
    ],
    ['an unknown flag with nothing close', () => ['--zzzz'], {}, [/^unknown flag --zzzz \(run with --help/]],
    ['IMEX channel 1', () => ['--imex-channel-ids=1'], {}, [/--imex-channel-ids must be \[\] or \[0\]/, /got "1"/]],
    [
      'a metrics port out of range',
      () => [],
      { METRICS_PORT: '70000' },
      [/METRICS_PORT must be a whole number from 0 to 65535/],
    ],
    [
      'a relative driver root',
      () => ['--driver-root=run/nvidia/driver'],
      {},
      [/--driver-root must be an absolute path \(starting with \/\) \(got "run\/nvidia\/driver"\)/],
    ],
    [
      'negative recovery seconds',
      () => ['--health-recovery-seconds=-1'],
      {},
      [/--health-recovery-seconds must be a whole number of seconds ≥ 0/],
    ],
    [
      'an unknown log level',
      () => ['--log-level=verbose'],
      {},
      [/--log-level must be one of trace, debug, info, warn, error \(got "verbose"\)/],
    ],
    [
      'a flag without its value',
      () => ['--mig-strategy'],
      {},
      [/--mig-strategy needs a value \(none\|single\|mixed\), e\.g\. --mig-strategy=none/],
    ],
    [
      'a boolean value after a space',
      () => ['--fail-on-init-error', 'false'],
      {},
      [/unexpected argument "false"; a boolean flag takes its value after "=", e\.g\. --fail-on-init-error=false/],
    ],
    ['a stray argument', () => ['serve'], {}, [/unexpected argument "serve"; this program takes only flags/]],
  ];

  test.each(cases)('%s', (_name, argv, env, patterns) => {
    const message = loadError(argv(), env);
    for (const pattern of patterns) expect(message).toMatch(pattern);
  });
});
