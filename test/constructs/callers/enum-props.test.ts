/**
 * A jsii caller (Python, Java) can pass any string where TypeScript needs an enum member.
 * Every enum-typed prop of every construct is checked at construction, with the prop path
 * the caller set, the bad value and the allowed values. The list of enum-typed props comes
 * from the compiled .jsii assembly (what Python and Java see), so a new enum prop without a
 * check fails this test.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { ImagePullPolicy, RestartPolicy, FsGroupChangePolicy, SeccompProfileType } from 'cdk8s-plus-28';
import {
  ClusterPolicy,
  ContainerRuntime,
  DeviceIdStrategy,
  DeviceListStrategy,
  DevicePluginConfig,
  DevicePluginProvider,
  FallbackStrategy,
  GitOpsInstall,
  GpuDevicePlugin,
  GpuJob,
  GpuOperatorStack,
  KernelModuleType,
  MigStrategy,
  OperatorChartValues,
  OperatorInstall,
  PluginImage,
  PluginImageKind,
  SharedAllocationPolicy,
  UpdateStrategyType,
} from '../../../src';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const BAD = 'bogus';

type Assembly = { types: Record<string, any> };

function assembly(): Assembly {
  const file = path.join(REPO_ROOT, '.jsii');
  if (!fs.existsSync(file)) {
    throw new Error(
      `${file} is missing: run "npm run build" (jsii) first; this test reads the enum-typed props from it`,
    );
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** "Construct prop.path" for every enum-typed prop (through structs, lists and maps) of every construct and class initializer. */
function enumProps(asm: Assembly): string[] {
  const T = asm.types;
  const isEnum = (fqn: string) => T[fqn]?.kind === 'enum' && fqn.startsWith('cdk8s-gpu.');
  const out: string[] = [];
  const walk = (owner: string, fqn: string, at: string, seen: Set<string>) => {
    if (T[fqn]?.kind !== 'interface' || seen.has(fqn)) return;
    const next = new Set(seen).add(fqn);
    const props: any[] = [];
    const queue = [fqn];
    while (queue.length) {
      const t = T[queue.pop()!];
      if (!t) continue;
      props.push(...(t.properties ?? []));
      queue.push(...(t.interfaces ?? []));
    }
    for (const p of props) {
      const visit = (type: any, suffix: string) => {
        if (!type) return;
        if (type.fqn) {
          if (isEnum(type.fqn)) out.push(`${owner} ${at}${p.name}${suffix}`);
          else walk(owner, type.fqn, `${at}${p.name}${suffix}.`, next);
        }
        if (type.collection) visit(type.collection.elementtype, '[]');
        for (const u of type.union?.types ?? []) visit(u, suffix);
      };
      visit(p.type, '');
    }
  };
  for (const [fqn, t] of Object.entries(T)) {
    if (t.kind !== 'class' || !fqn.startsWith('cdk8s-gpu.')) continue;
    for (const param of t.initializer?.parameters ?? []) {
      if (param.type.fqn && isEnum(param.type.fqn)) out.push(`${t.name} ${param.name}`);
      if (param.type.fqn) walk(t.name, param.type.fqn, '', new Set());
    }
    for (const m of t.methods ?? []) {
      for (const param of m.parameters ?? []) {
        if (param.type.fqn && isEnum(param.type.fqn)) out.push(`${t.name}.${m.name} ${param.name}`);
      }
    }
  }
  return [...new Set(out)].sort();
}

const scope = () => new Chart(Testing.app(), 'test');
const stack = (props: object) => new GpuOperatorStack(scope(), 'gpu', props);
const policy = (props: object) => new ClusterPolicy(scope(), 'policy', props);
const config = (field: string, value: unknown) => ({
  devicePlugin: { configs: [{ name: 'c', config: { [field]: value } }] },
});

/** [jsii prop path, build with the bad value, prop named in the error, the enum]. */
const CASES: Array<[string, () => unknown, string, object]> = [
  [
    'DevicePluginConfig migStrategy',
    () => new DevicePluginConfig({ migStrategy: BAD as MigStrategy }),
    'migStrategy',
    MigStrategy,
  ],
  [
    'DevicePluginConfig deviceIdStrategy',
    () => new DevicePluginConfig({ deviceIdStrategy: BAD as DeviceIdStrategy }),
    'deviceIdStrategy',
    DeviceIdStrategy,
  ],
  [
    'DevicePluginConfig deviceListStrategy[]',
    () => new DevicePluginConfig({ deviceListStrategy: [DeviceListStrategy.ENVVAR, BAD as DeviceListStrategy] }),
    'deviceListStrategy[1]',
    DeviceListStrategy,
  ],
  [
    'DevicePluginConfig sharedAllocationPolicy',
    () => new DevicePluginConfig({ sharedAllocationPolicy: BAD as SharedAllocationPolicy }),
    'sharedAllocationPolicy',
    SharedAllocationPolicy,
  ],

  [
    'GpuDevicePlugin migStrategy',
    () => new GpuDevicePlugin(scope(), 'p', { migStrategy: 'both' as MigStrategy }),
    'migStrategy',
    MigStrategy,
  ],
  [
    'GpuDevicePlugin fallbackStrategies[]',
    () =>
      new GpuDevicePlugin(scope(), 'p', { configs: [{ name: 'c' }], fallbackStrategies: [BAD as FallbackStrategy] }),
    'fallbackStrategies[0]',
    FallbackStrategy,
  ],
  ...(
    [
      ['migStrategy', BAD, 'migStrategy', MigStrategy],
      ['deviceIdStrategy', BAD, 'deviceIdStrategy', DeviceIdStrategy],
      ['deviceListStrategy', [BAD], 'deviceListStrategy[0]', DeviceListStrategy],
      ['sharedAllocationPolicy', BAD, 'sharedAllocationPolicy', SharedAllocationPolicy],
    ] as const
  ).map(([key, value, at, allowed]): [string, () => unknown, string, object] => [
    `GpuDevicePlugin configs[].config.${key}${Array.isArray(value) ? '[]' : ''}`,
    () => new GpuDevicePlugin(scope(), 'p', { configs: [{ name: 'c', config: { [key]: value } as any }] }),
    `configs["c"].config: ${at}`,
    allowed,
  ]),
  [
    'GpuDevicePlugin deviceIdStrategy',
    () => new GpuDevicePlugin(scope(), 'p', { deviceIdStrategy: 'serial' as DeviceIdStrategy }),
    'deviceIdStrategy',
    DeviceIdStrategy,
  ],
  [
    'GpuDevicePlugin deviceListStrategy[]',
    () => new GpuDevicePlugin(scope(), 'p', { deviceListStrategy: [BAD as DeviceListStrategy] }),
    'deviceListStrategy[0]',
    DeviceListStrategy,
  ],
  [
    'GpuDevicePlugin sharedAllocationPolicy',
    () => new GpuDevicePlugin(scope(), 'p', { sharedAllocationPolicy: BAD as SharedAllocationPolicy }),
    'sharedAllocationPolicy',
    SharedAllocationPolicy,
  ],
  [
    'GpuDevicePlugin updateStrategy.type',
    () => new GpuDevicePlugin(scope(), 'p', { updateStrategy: { type: 'Recreate' as UpdateStrategyType } }),
    'updateStrategy.type',
    UpdateStrategyType,
  ],
  [
    'PluginImage.fromReference kind',
    () => PluginImage.fromReference('registry.example/plugin:v1', 'go' as PluginImageKind),
    'kind',
    PluginImageKind,
  ],

  [
    'OperatorInstall mode',
    () =>
      new OperatorInstall(scope(), 'i', {
        mode: 'helm' as GitOpsInstall,
        namespace: 'gpu-operator',
        chart: new OperatorChartValues(),
      }),
    'mode',
    GitOpsInstall,
  ],

  ['GpuOperatorStack install', () => stack({ install: 'helm' }), 'install', GitOpsInstall],
  ...(['GpuOperatorStack', 'ClusterPolicy'] as const).flatMap(
    (owner): Array<[string, () => unknown, string, object]> => {
      const build = owner === 'GpuOperatorStack' ? stack : policy;
      return [
        [
          `${owner} daemonsets.updateStrategy`,
          () => build({ daemonsets: { updateStrategy: BAD } }),
          'daemonsets.updateStrategy',
          UpdateStrategyType,
        ],
        [
          `${owner} devicePlugin.provider`,
          () => build({ devicePlugin: { provider: BAD } }),
          'devicePlugin.provider',
          DevicePluginProvider,
        ],
        [
          `${owner} driver.kernelModuleType`,
          () => build({ driver: { kernelModuleType: BAD } }),
          'driver.kernelModuleType',
          KernelModuleType,
        ],
        [`${owner} mig.strategy`, () => build({ mig: { strategy: BAD } }), 'mig.strategy', MigStrategy],
        [
          `${owner} operator.defaultRuntime`,
          () => build({ operator: { defaultRuntime: BAD } }),
          'operator.defaultRuntime',
          ContainerRuntime,
        ],
        [
          `${owner} devicePlugin.configs[].config.migStrategy`,
          () => build(config('migStrategy', BAD)),
          'devicePlugin.configs["c"].migStrategy',
          MigStrategy,
        ],
        [
          `${owner} devicePlugin.configs[].config.deviceIdStrategy`,
          () => build(config('deviceIdStrategy', BAD)),
          'devicePlugin.configs["c"]: deviceIdStrategy',
          DeviceIdStrategy,
        ],
        [
          `${owner} devicePlugin.configs[].config.deviceListStrategy[]`,
          () => build(config('deviceListStrategy', [BAD])),
          'devicePlugin.configs["c"]: deviceListStrategy[0]',
          DeviceListStrategy,
        ],
        [
          `${owner} devicePlugin.configs[].config.sharedAllocationPolicy`,
          () => build(config('sharedAllocationPolicy', BAD)),
          'devicePlugin.configs["c"]: sharedAllocationPolicy',
          SharedAllocationPolicy,
        ],
      ];
    },
  ),
];

/** cdk8s-plus-28 enums in GpuJob's props: not in this assembly's types, checked all the same. */
const JOB = 'nvcr.io/nvidia/pytorch:24.01-py3';
const PLUS_CASES: Array<[string, () => unknown, string, object]> = [
  [
    'GpuJob imagePullPolicy',
    () => new GpuJob(scope(), 'train', { image: JOB, imagePullPolicy: 'Sometimes' as ImagePullPolicy }),
    'imagePullPolicy',
    ImagePullPolicy,
  ],
  [
    'GpuJob restartPolicy',
    () => new GpuJob(scope(), 'train', { image: JOB, restartPolicy: 'Maybe' as RestartPolicy }),
    'restartPolicy',
    RestartPolicy,
  ],
  [
    'GpuJob fsGroupChangePolicy',
    () => new GpuJob(scope(), 'train', { image: JOB, fsGroupChangePolicy: BAD as FsGroupChangePolicy }),
    'fsGroupChangePolicy',
    FsGroupChangePolicy,
  ],
  [
    'GpuJob seccompProfile.type',
    () => new GpuJob(scope(), 'train', { image: JOB, seccompProfile: { type: BAD as SeccompProfileType } }),
    'seccompProfile.type',
    SeccompProfileType,
  ],
  [
    'GpuJob.addContainer imagePullPolicy',
    () =>
      new GpuJob(scope(), 'train', { image: JOB }).addContainer({
        name: 'side',
        image: 'busybox:1.36',
        imagePullPolicy: BAD as ImagePullPolicy,
      }),
    'imagePullPolicy of container "side"',
    ImagePullPolicy,
  ],
];

describe('enum-typed props from a jsii caller', () => {
  test('every enum-typed prop in the .jsii assembly has a case here', () => {
    const covered = CASES.map(([p]) => p).sort();
    expect(enumProps(assembly())).toEqual([...new Set(covered)].sort());
  });

  test.each([...CASES, ...PLUS_CASES])(
    '%s: refused with the prop path, the value and the allowed values',
    (_p, build, prop, allowed) => {
      let message = '';
      try {
        build();
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toContain(prop);
      expect(message).toMatch(/\(got "(bogus|both|serial|Recreate|go|helm|Sometimes|Maybe)"\)/);
      for (const value of Object.values(allowed)) expect(message).toContain(`"${value}"`);
    },
  );

  test('a valid enum value from another language (a plain string) is accepted', () => {
    expect(() => new GpuDevicePlugin(scope(), 'p', { migStrategy: 'mixed' as MigStrategy })).not.toThrow();
  });
});
