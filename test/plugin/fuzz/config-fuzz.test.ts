/**
 * Random config files: through the plugin's own loader (configFromFile) every text is
 * either a config that keeps NVIDIA's v1 rules or a ConfigError naming the file and what
 * is wrong; through the real process a bad file exits 1 with that sentence on stderr.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { ConfigError, configFromFile } from '../../../plugin/src/config/load';
import type { PluginConfig, ReplicatedResources } from '../../../plugin/src/config/types';
import { buildFakeNvml } from '../helpers/fake-nvml';
import { buildPlugin, PluginProcess } from '../integration/plugin-process';
import { configText } from './config-arbitraries';
import { CaseCounter, fuzzSeed, runs } from './fuzz-node';

jest.setTimeout(60000);

const SOURCE = '/etc/nvidia-device-plugin/config.yaml';
const LOADER_RUNS = 2000;
const counter = new CaseCounter();

afterAll(() => console.log(counter.summary('config file fuzz')));

/** What the loader decided for a text: the config, or the error it threw. */
function load(text: string): { config: PluginConfig } | { error: unknown } {
  try {
    return { config: configFromFile(text, SOURCE) };
  } catch (error) {
    return { error };
  }
}

const RESOURCE_NAME = /^nvidia\.com\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** NVIDIA's v1 rules, written out here rather than taken from the plugin's schema. */
function ruleBreaks(config: PluginConfig): string[] {
  const { flags, sharing, imex } = config;
  const problems: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  check(['none', 'single', 'mixed'].includes(flags.migStrategy), `migStrategy ${flags.migStrategy}`);
  check(flags.plugin.deviceListStrategy.length > 0, 'empty deviceListStrategy');
  for (const s of flags.plugin.deviceListStrategy)
    check(['envvar', 'volume-mounts', 'cdi-annotations', 'cdi-cri'].includes(s), `deviceListStrategy ${s}`);
  check(['uuid', 'index'].includes(flags.plugin.deviceIDStrategy), `deviceIDStrategy ${flags.plugin.deviceIDStrategy}`);
  check(
    ['distributed', 'packed'].includes(flags.plugin.sharedDevicesAllocationPolicy),
    `policy ${flags.plugin.sharedDevicesAllocationPolicy}`,
  );
  for (const [name, value] of [
    ['nvidiaDriverRoot', flags.nvidiaDriverRoot],
    ['nvidiaDevRoot', flags.nvidiaDevRoot],
    ['mpsRoot', flags.mpsRoot],
  ]) {
    check(value === '' || value.startsWith('/'), `${name} ${JSON.stringify(value)} is not absolute`);
  }
  for (const b of [
    flags.failOnInitError,
    flags.gdrcopyEnabled,
    flags.gdsEnabled,
    flags.mofedEnabled,
    flags.plugin.passDeviceSpecs,
    imex.required,
  ]) {
    check(typeof b === 'boolean', `boolean flag is ${JSON.stringify(b)}`);
  }
  check(
    imex.channelIDs.every((id) => id === 0),
    `imex channels ${JSON.stringify(imex.channelIDs)}`,
  );
  for (const [mode, replicated] of Object.entries(sharing) as Array<[string, ReplicatedResources | undefined]>) {
    for (const r of replicated?.resources ?? []) {
      check(Number.isInteger(r.replicas) && r.replicas >= 1, `${mode} replicas ${r.replicas}`);
      check(RESOURCE_NAME.test(r.name) && r.name.length <= 63, `${mode} resource name ${JSON.stringify(r.name)}`);
      if (r.rename !== undefined) check(RESOURCE_NAME.test(r.rename), `${mode} rename ${JSON.stringify(r.rename)}`);
      check(
        r.devices === 'all' || (Array.isArray(r.devices) && r.devices.length > 0),
        `${mode} devices ${JSON.stringify(r.devices)}`,
      );
    }
    if (mode === 'mps' && replicated?.resources.some((r) => r.replicas > 1))
      check(flags.mpsRoot !== '', 'MPS sharing without an MPS root');
  }
  return problems;
}

describe('config file loader under random files', () => {
  it('accepts a file only when it keeps the v1 rules, and refuses the rest with a ConfigError naming the file', () => {
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(configText, ({ kind, text }) => {
        const result = load(text);
        const outcome = `${kind} ${'config' in result ? 'accepted' : 'refused'}`;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if ('config' in result) {
          expect(ruleBreaks(result.config)).toEqual([]);
          return;
        }
        expect(result.error).toBeInstanceOf(ConfigError);
        const message = (result.error as Error).message;
        expect(message).toContain(`config file ${SOURCE}`);
        expect(message).not.toMatch(/\n\s+at /);
      }),
      runs(LOADER_RUNS),
    );
    counter.add('configFromFile', LOADER_RUNS);
    // Both outcomes must be common, or one half of the oracle went untested.
    const total = (suffix: string): number =>
      [...outcomes].filter(([k]) => k.endsWith(suffix)).reduce((n, [, v]) => n + v, 0);
    expect(total('accepted')).toBeGreaterThan(100);
    expect(total('refused')).toBeGreaterThan(100);
  });
});

// Found by this fuzz: yaml parses these without an error, then throws a ReferenceError
// while building the data; the command printed "unexpected error" and a stack trace.
describe('config file loader on YAML aliases', () => {
  const bomb = [
    'a: &a [x, x, x, x, x, x, x, x, x]',
    ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`),
  ].join('\n');

  it.each([
    [
      'an alias with no anchor',
      'version: v1\nflags: *nope\n',
      /not valid YAML: Unresolved alias.*nope; define each anchor \(&name\) before an alias/,
    ],
    [
      'an alias with no anchor in JSON',
      '{"version":"v1","sharing":*afalse}',
      /not valid YAML: Unresolved alias.*afalse/,
    ],
    ['an alias bomb', bomb, /not valid YAML: Excessive alias count.*; write the values out/],
  ])('refuses %s with a ConfigError naming the file', (_name, text, message) => {
    expect(() => configFromFile(text, SOURCE)).toThrow(ConfigError);
    expect(() => configFromFile(text, SOURCE)).toThrow(new RegExp(`^config file ${SOURCE}: `));
    expect(() => configFromFile(text, SOURCE)).toThrow(message);
  });
});

describe('plugin process with a bad config file', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfgfuzz-'));
    // tsc and the bundle step, once, outside the first test's own time limit.
    buildPlugin();
  }, 300_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function writeFile(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  }

  /** Starts the real command with CONFIG_FILE=file and returns its exit and stderr. */
  async function runWith(file: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
    const plugin = PluginProcess.start([], {
      CONFIG_FILE: file,
      NVML_LIBRARY_PATH: buildFakeNvml(),
      DEVICE_PLUGIN_PATH: dir,
      METRICS_PORT: '0',
    });
    const exit = await plugin.exited;
    return { code: exit.code, stderr: plugin.stderr, stdout: plugin.stdout };
  }

  /** Random texts the loader refuses (the run's seed keeps the handful the same every run). */
  const refused = fc
    .sample(
      configText.filter(({ text }) => 'error' in load(text)),
      { numRuns: 5, seed: fuzzSeed() },
    )
    .map((c, i) => [`random ${c.kind} #${i}`, c.text] as const);

  it.each(refused)('exits 1 naming the file for %s', async (_name, text) => {
    const file = writeFile('config.yaml', text);
    const { code, stderr, stdout } = await runWith(file);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^gpu-device-plugin: invalid configuration: config file ${file}`));
    expect(`${stderr}${stdout}`).not.toMatch(/\n\s+at /);
    counter.add('real process', 1);
  });

  it.each([
    [
      'a file that does not exist',
      (): string => path.join(dir, 'missing.yaml'),
      /cannot be read \(ENOENT\); check --config-file\/CONFIG_FILE/,
    ],
    ['a directory', (): string => dir, /cannot be read \(EISDIR\); check --config-file\/CONFIG_FILE/],
    ['a binary (the NVML library)', (): string => buildFakeNvml(), /config file .*libnvidia-ml\.so\.1/],
    [
      'YAML with an alias that has no anchor',
      (): string => writeFile('alias.yaml', 'version: v1\nflags: *nope\n'),
      /alias\.yaml: not valid YAML: Unresolved alias/,
    ],
  ])('exits 1 naming %s as the config file', async (_name, file, message) => {
    const { code, stderr, stdout } = await runWith(file());
    expect(code).toBe(1);
    expect(stderr).toMatch(/^gpu-device-plugin: invalid configuration: /);
    expect(stderr).toMatch(message);
    expect(`${stderr}${stdout}`).not.toMatch(/\n\s+at /);
    counter.add('real process', 1);
  });
});
