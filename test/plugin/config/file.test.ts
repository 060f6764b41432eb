import { ConfigError } from '../../../plugin/src/config/errors';
import { parseConfigFile } from '../../../plugin/src/config/file';

const parse = (text: string) => parseConfigFile(text, 'test.yaml');

function problem(text: string): string {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfigFile: NVIDIA example configs', () => {
  test('the README flags example (with its gfd section) sets the flags and ignores gfd', () => {
    const file = parse(`version: v1
flags:
  migStrategy: "none"
  failOnInitError: true
  nvidiaDriverRoot: "/"
  plugin:
    passDeviceSpecs: false
    deviceListStrategy: envvar
    deviceIDStrategy: uuid
  gfd:
    oneshot: false
    noTimestamp: false
    outputFile: /etc/kubernetes/node-feature-discovery/features.d/gfd
    sleepInterval: 60s
`);
    expect(file.settings).toEqual({
      migStrategy: 'none',
      failOnInitError: true,
      nvidiaDriverRoot: '/',
      passDeviceSpecs: false,
      deviceListStrategy: ['envvar'],
      deviceIDStrategy: 'uuid',
    });
    expect(file.warnings).toEqual([]);
  });

  test('plain time-slicing shares nvidia.com/gpu without renaming', () => {
    const file = parse(`version: v1
sharing:
  timeSlicing:
    resources:
    - name: nvidia.com/gpu
      replicas: 10
`);
    expect(file.sharing).toEqual({
      timeSlicing: {
        renameByDefault: false,
        failRequestsGreaterThanOne: false,
        resources: [{ name: 'nvidia.com/gpu', devices: 'all', replicas: 10 }],
      },
    });
  });

  test('time-slicing with renameByDefault, failRequestsGreaterThanOne and MIG profiles', () => {
    const file = parse(`version: v1
flags:
  migStrategy: mixed
sharing:
  timeSlicing:
    renameByDefault: true
    failRequestsGreaterThanOne: true
    resources:
    - name: nvidia.com/gpu
      replicas: 2
    - name: nvidia.com/mig-1g.5gb
      replicas: 2
    - name: nvidia.com/mig-2g.10gb
      replicas: 2
`);
    expect(file.settings.migStrategy).toBe('mixed');
    expect(file.sharing.timeSlicing?.renameByDefault).toBe(true);
    expect(file.sharing.timeSlicing?.failRequestsGreaterThanOne).toBe(true);
    expect(file.sharing.timeSlicing?.resources.map((r) => r.name)).toEqual([
      'nvidia.com/gpu',
      'nvidia.com/mig-1g.5gb',
      'nvidia.com/mig-2g.10gb',
    ]);
  });

  test('MPS sharing defaults failRequestsGreaterThanOne to true, as NVIDIA does', () => {
    const file = parse(`version: v1
sharing:
  mps:
    resources:
    - name: nvidia.com/gpu
      replicas: 10
`);
    expect(file.sharing.mps).toEqual({
      renameByDefault: false,
      failRequestsGreaterThanOne: true,
      resources: [{ name: 'nvidia.com/gpu', devices: 'all', replicas: 10 }],
    });
  });

  test('MPS honours an explicit failRequestsGreaterThanOne: false', () => {
    const file = parse(
      'sharing:\n  mps:\n    failRequestsGreaterThanOne: false\n    resources: [{name: gpu, replicas: 2}]\n',
    );
    expect(file.sharing.mps?.failRequestsGreaterThanOne).toBe(false);
  });

  test('imex channel 0 and required', () => {
    const file = parse('version: v1\nimex:\n  channelIDs: [0]\n  required: true\n');
    expect(file.settings).toEqual({ imexChannelIDs: [0], imexRequired: true });
  });
});

describe('parseConfigFile: YAML and JSON', () => {
  const yaml = `version: v1
flags:
  migStrategy: single
  failOnInitError: false
  nvidiaDriverRoot: /run/nvidia/driver
  mpsRoot: /run/nvidia/mps
  plugin:
    deviceListStrategy: [envvar, cdi-cri]
    deviceIDStrategy: index
    sharedDevicesAllocationPolicy: packed
sharing:
  mps:
    renameByDefault: true
    resources:
    - name: nvidia.com/gpu
      rename: nvidia.com/gpu.mps
      devices: [0, "1", "GPU-b1028956-cfa2-0990-bf4a-5da9abb51763"]
      replicas: 4
imex:
  channelIDs: []
`;
  const json = JSON.stringify(
    {
      version: 'v1',
      flags: {
        migStrategy: 'single',
        failOnInitError: false,
        nvidiaDriverRoot: '/run/nvidia/driver',
        mpsRoot: '/run/nvidia/mps',
        plugin: {
          deviceListStrategy: ['envvar', 'cdi-cri'],
          deviceIDStrategy: 'index',
          sharedDevicesAllocationPolicy: 'packed',
        },
      },
      sharing: {
        mps: {
          renameByDefault: true,
          resources: [
            {
              name: 'nvidia.com/gpu',
              rename: 'nvidia.com/gpu.mps',
              devices: [0, '1', 'GPU-b1028956-cfa2-0990-bf4a-5da9abb51763'],
              replicas: 4,
            },
          ],
        },
      },
      imex: { channelIDs: [] },
    },
    null,
    '\t',
  );

  test('the same config in YAML and in JSON (tab-indented) parses to the same result', () => {
    const fromYaml = parseConfigFile(yaml, 'a.yaml');
    const fromJson = parseConfigFile(json, 'a.json');
    expect({ ...fromJson, source: '' }).toEqual({ ...fromYaml, source: '' });
    expect(fromYaml.sharing.mps?.resources[0].devices).toEqual(['0', '1', 'GPU-b1028956-cfa2-0990-bf4a-5da9abb51763']);
  });

  test.each([
    ['a string', 'volume-mounts', ['volume-mounts']],
    ['a list', '[volume-mounts]', ['volume-mounts']],
    ['a comma-separated string', '"envvar,cdi-annotations"', ['envvar', 'cdi-annotations']],
    ['a list with duplicates', '[envvar, envvar]', ['envvar']],
  ])('deviceListStrategy as %s', (_name, value, expected) => {
    const file = parse(`flags:\n  plugin:\n    deviceListStrategy: ${value}\n`);
    expect(file.settings.deviceListStrategy).toEqual(expected);
  });

  test('YAML 1.1 booleans (yes/no/on/off) are read as go-yaml reads them', () => {
    const file = parse('flags:\n  failOnInitError: no\n  gdsEnabled: on\n  plugin:\n    passDeviceSpecs: yes\n');
    expect(file.settings).toEqual({ failOnInitError: false, gdsEnabled: true, passDeviceSpecs: true });
  });

  test('keys with no value (null) count as not set', () => {
    const file = parse('version:\nflags:\n  migStrategy:\n  plugin:\nsharing:\n');
    expect(file.settings).toEqual({});
    expect(file.sharing).toEqual({});
  });

  test('an empty file sets nothing', () => {
    expect(parse('')).toEqual({ source: 'test.yaml', settings: {}, sharing: {}, warnings: [] });
  });

  test('a resource name without the nvidia.com/ prefix gets it, as NVIDIA adds it', () => {
    const file = parse('sharing:\n  timeSlicing:\n    resources: [{name: gpu, rename: gpu-shared, replicas: 2}]\n');
    expect(file.sharing.timeSlicing?.resources[0]).toMatchObject({
      name: 'nvidia.com/gpu',
      rename: 'nvidia.com/gpu-shared',
    });
  });

  test('MIG indices and both MIG UUID forms are valid devices', () => {
    const devices = [
      '0:1',
      'MIG-b1028956-cfa2-0990-bf4a-5da9abb51763',
      'MIG-GPU-b1028956-cfa2-0990-bf4a-5da9abb51763/3/0',
    ];
    const file = parse(
      `sharing:\n  timeSlicing:\n    resources: [{name: gpu, replicas: 2, devices: ${JSON.stringify(devices)}}]\n`,
    );
    expect(file.sharing.timeSlicing?.resources[0].devices).toEqual(devices);
  });
});

describe('parseConfigFile: warnings for what is accepted but not used', () => {
  test('resources (custom naming) is ignored with a warning, as NVIDIA ignores it', () => {
    const file = parse('resources:\n  gpus:\n  - pattern: "*A100*"\n    name: a100\n');
    expect(file.warnings).toEqual([expect.stringMatching(/resources .*ignored/)]);
  });

  test('a device count is read as all devices, with a warning', () => {
    const file = parse('sharing:\n  timeSlicing:\n    resources: [{name: gpu, replicas: 2, devices: 2}]\n');
    expect(file.sharing.timeSlicing?.resources[0].devices).toBe('all');
    expect(file.warnings).toEqual([
      expect.stringMatching(/sharing\.timeSlicing\.resources\[0\]\.devices is a count \(2\)/),
    ]);
  });

  test('with both sharing modes set and MPS replicated, only MPS is kept', () => {
    const file = parse(`sharing:
  timeSlicing: {resources: [{name: gpu, replicas: 4}]}
  mps: {resources: [{name: gpu, replicas: 2}]}
`);
    expect(Object.keys(file.sharing)).toEqual(['mps']);
    expect(file.warnings).toEqual([expect.stringMatching(/sharing\.mps is used/)]);
  });

  test('with both sharing modes set and MPS not replicated, only time-slicing is kept', () => {
    const file = parse(`sharing:
  timeSlicing: {resources: [{name: gpu, replicas: 4}]}
  mps: {resources: [{name: gpu, replicas: 1}]}
`);
    expect(Object.keys(file.sharing)).toEqual(['timeSlicing']);
    expect(file.warnings).toEqual([expect.stringMatching(/sharing\.timeSlicing is used/)]);
  });
});

describe('parseConfigFile: errors name the file, line, field, value and rule', () => {
  test.each<[string, string, RegExp[]]>([
    ['a version other than v1', 'version: v2\n', [/test\.yaml, line 1: version must be "v1"/, /got "v2"/]],
    ['a numeric version', 'version: 1\n', [/version must be "v1"/, /got 1\b/]],
    [
      'a mistyped key, with a suggestion',
      'version: v1\nsharing:\n  timeSlicing:\n    renameByDefualt: true\n    resources: []\n',
      [
        /line 4: unknown key sharing\.timeSlicing\.renameByDefualt; did you mean sharing\.timeSlicing\.renameByDefault\?/,
        /known keys here: renameByDefault, failRequestsGreaterThanOne, resources/,
      ],
    ],
    ['an unknown top-level key', 'sharng: {}\n', [/line 1: unknown key sharng; did you mean sharing\?/]],
    [
      'an unknown key with nothing close',
      'flags:\n  zzzzzzzz: 1\n',
      [/unknown key flags\.zzzzzzzz \(known keys here: migStrategy/],
    ],
    [
      'replicas 0',
      'sharing:\n  timeSlicing:\n    resources:\n    - name: gpu\n      replicas: 0\n',
      [/line 5: sharing\.timeSlicing\.resources\[0\]\.replicas must be a whole number ≥ 1 \(got 0\)/],
    ],
    [
      'replicas 1.5',
      'sharing: {timeSlicing: {resources: [{name: gpu, replicas: 1.5}]}}',
      [/replicas must be a whole number ≥ 1 \(got 1\.5\)/],
    ],
    [
      'replicas "two"',
      'sharing: {mps: {resources: [{name: gpu, replicas: two}]}}',
      [/sharing\.mps\.resources\[0\]\.replicas must be a whole number ≥ 1 \(got "two"\)/],
    ],
    [
      'replicas missing',
      'sharing: {mps: {resources: [{name: gpu}]}}',
      [/sharing\.mps\.resources\[0\]\.replicas is missing \(it must be a whole number ≥ 1\)/],
    ],
    [
      'an unknown MIG strategy',
      'flags:\n  migStrategy: fancy\n',
      [/line 2: flags\.migStrategy must be one of none, single, mixed \(got "fancy"\)/],
    ],
    [
      'an unknown device list strategy in a list',
      'flags: {plugin: {deviceListStrategy: [envvar, nvlink]}}',
      [
        /flags\.plugin\.deviceListStrategy must be one or more of envvar, volume-mounts, cdi-annotations, cdi-cri/,
        /"nvlink" is not one of them/,
      ],
    ],
    [
      'an empty device list strategy list',
      'flags: {plugin: {deviceListStrategy: []}}',
      [/deviceListStrategy must be one or more of/, /got \[\]/],
    ],
    [
      'an unknown device ID strategy',
      'flags: {plugin: {deviceIDStrategy: serial}}',
      [/flags\.plugin\.deviceIDStrategy must be one of uuid, index \(got "serial"\)/],
    ],
    [
      'an allocation policy not in any release',
      'flags: {plugin: {sharedDevicesAllocationPolicy: spread}}',
      [/must be one of distributed, packed \(got "spread"\)/],
    ],
    [
      'tegra discovery',
      'flags: {deviceDiscoveryStrategy: tegra}',
      [/flags\.deviceDiscoveryStrategy must be auto or nvml/, /tegra is not supported/],
    ],
    [
      'a boolean as a word that is not one',
      'flags: {failOnInitError: maybe}',
      [/flags\.failOnInitError must be true or false \(got "maybe"\)/],
    ],
    [
      'a relative driver root',
      'flags: {nvidiaDriverRoot: run/nvidia/driver}',
      [/flags\.nvidiaDriverRoot must be an absolute path/, /got "run\/nvidia\/driver"/],
    ],
    [
      'devices of the wrong type',
      'sharing: {timeSlicing: {resources: [{name: gpu, replicas: 2, devices: [true]}]}}',
      [/resources\[0\]\.devices must be "all" or a list of GPU indices/, /got \[true\]/],
    ],
    [
      'devices as a string other than all',
      'sharing: {timeSlicing: {resources: [{name: gpu, replicas: 2, devices: some}]}}',
      [/devices must be "all"/, /got "some"/],
    ],
    [
      'a malformed GPU UUID in devices',
      'sharing: {timeSlicing: {resources: [{name: gpu, replicas: 2, devices: [GPU-xyz]}]}}',
      [/devices must be/, /got \["GPU-xyz"\]/],
    ],
    [
      'a negative count of devices',
      'sharing: {timeSlicing: {resources: [{name: gpu, replicas: 2, devices: -1}]}}',
      [/devices must be/, /got -1/],
    ],
    [
      'an invalid resource name',
      'sharing: {timeSlicing: {resources: [{name: NVIDIA.com/GPU, replicas: 2}]}}',
      [/resources\[0\]\.name must be a resource name like nvidia\.com\/gpu/, /got "NVIDIA\.com\/GPU"/],
    ],
    [
      'a resource name over 63 characters',
      `sharing: {timeSlicing: {resources: [{name: ${'g'.repeat(60)}, replicas: 2}]}}`,
      [/at most 63 characters/],
    ],
    ['IMEX channel 1', 'imex: {channelIDs: [1]}', [/imex\.channelIDs must be \[\] or \[0\]/, /got \[1\]/]],
    [
      'a section of the wrong type',
      'flags: [migStrategy]\n',
      [/line 1: flags must be a mapping with keys migStrategy/, /got \["migStrategy"\]/],
    ],
    [
      'a file that is a list',
      '- version: v1\n',
      [/config file test\.yaml: must be a mapping with keys version, flags/],
    ],
    [
      'invalid YAML',
      'version: v1\nflags:\n  migStrategy: [none\n',
      [/test\.yaml, line \d+ column \d+: not valid YAML or JSON/],
    ],
    [
      'a duplicate key',
      'version: v1\nflags:\n  migStrategy: none\n  migStrategy: single\n',
      [/line 4 column 3: not valid YAML or JSON: Map keys must be unique/],
    ],
    ['invalid JSON', '{\n  "version": "v1",\n  "flags": {,}\n}', [/line 3 column \d+: not valid JSON/]],
  ])('%s', (_name, text, patterns) => {
    const message = problem(text);
    for (const pattern of patterns) expect(message).toMatch(pattern);
  });

  test('every problem is reported at once, counted', () => {
    const message = problem('version: v3\nflags:\n  migStrategy: fancy\n  plugin:\n    deviceIDStrategy: serial\n');
    expect(message).toMatch(/^config file test\.yaml has 3 problems:/);
    expect(message).toMatch(/line 1: version/);
    expect(message).toMatch(/line 3: flags\.migStrategy/);
    expect(message).toMatch(/line 5: flags\.plugin\.deviceIDStrategy/);
  });

  test('two unknown keys in one section count as two problems', () => {
    const message = problem('name: x\ndescription: y\n');
    expect(message).toMatch(
      /^config file test\.yaml has 2 problems:\n  - .*line 1: unknown key name .*\n  - .*line 2: unknown key description/,
    );
  });
});
