// The config contract between the two packages ("one config contract across two
// packages"): every plugin config file the constructs emit into dist/ goes through the
// plugin's own loader, and the resources it would advertise are checked.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { configFromFile } from '../../../plugin/src/config/load';
import { listConfigNames, selectConfig } from '../../../plugin/src/configmgr/select';
import { buildResources } from '../../../plugin/src/devices/resources';
import { gpus, inventory, migGpu } from '../devices/inventory-fixtures';
import { firstOfKind } from '../../helpers/k8s-objects';
import { DevicePluginConfig } from '../../../src/device-plugin/plugin-config';

const DIST = path.join(__dirname, '..', '..', '..', 'dist');

interface EmittedConfig {
  /** `<dist file> <ConfigMap name>/<key>` */
  where: string;
  text: string;
}

/** Every plugin config file in dist/: GpuDevicePlugin's `config.yaml` and the operator's named configs. */
function emittedConfigs(): EmittedConfig[] {
  const out: EmittedConfig[] = [];
  for (const file of fs.readdirSync(DIST).sort()) {
    const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(DIST, file), 'utf-8')).map((d) => d.toJSON());
    for (const o of docs) {
      if (o.kind !== 'ConfigMap') continue;
      for (const [key, text] of Object.entries<string>(o.data ?? {})) {
        if (/^\s*version:\s*v1\b/m.test(text) && /^flags:|^sharing:/m.test(text)) {
          out.push({ where: `${file} ${o.metadata.name}/${key}`, text });
        }
      }
    }
  }
  return out;
}

const configs = emittedConfigs();
const byWhere = (pattern: RegExp) => {
  const found = configs.filter((c) => pattern.test(c.where));
  if (found.length === 0)
    throw new Error(`no emitted config matches ${pattern}; found: ${configs.map((c) => c.where).join(', ')}`);
  return found;
};

test('dist/ holds the configs of every device plugin scenario and the operator stacks', () => {
  const files = new Set(configs.map((c) => c.where.split(' ')[0]));
  expect([...files].sort()).toEqual([
    'device-plugin-mig-mixed.k8s.yaml',
    'device-plugin-named-configs.k8s.yaml',
    'device-plugin-nvidia-image.k8s.yaml',
    'device-plugin-time-slicing.k8s.yaml',
    'device-plugin.k8s.yaml',
    'gpu-operator-project-plugin.k8s.yaml',
    'gpu-operator.k8s.yaml',
  ]);
});

test.each(configs.map((c) => [c.where, c] as const))('the plugin loads %s without warnings', (_where, c) => {
  const warnings: string[] = [];
  const config = configFromFile(c.text, c.where, (w) => warnings.push(w));
  expect(config.version).toBe('v1');
  expect(warnings).toEqual([]);
});

test.each([
  [/^device-plugin\.k8s\.yaml /, 8],
  [/^device-plugin-nvidia-image\.k8s\.yaml /, 8],
])('%s advertises 8 whole GPUs as nvidia.com/gpu', (pattern, count) => {
  for (const c of byWhere(pattern)) {
    const resources = buildResources(configFromFile(c.text, c.where), inventory(gpus(8)));
    expect(resources.map((r) => [r.name, r.devices.length, r.sharing])).toEqual([['nvidia.com/gpu', count, 'none']]);
  }
});

test("named configs: the DaemonSet's CONFIG_DIR ConfigMap, read as the plugin reads it, selects each config by the node label", () => {
  const docs = YAML.parseAllDocuments(
    fs.readFileSync(path.join(DIST, 'device-plugin-named-configs.k8s.yaml'), 'utf-8'),
  ).map((d) => d.toJSON());
  const ds = firstOfKind(docs, 'DaemonSet');
  const container = ds.spec.template.spec.containers[0];
  const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
  expect(env.NODE_NAME.fieldRef.fieldPath).toBe('spec.nodeName');
  const mount = container.volumeMounts.find((m: any) => m.mountPath === env.CONFIG_DIR);
  const volume = ds.spec.template.spec.volumes.find((v: any) => v.name === mount.name);
  const cm = firstOfKind(docs, 'ConfigMap', volume.configMap.name);
  // The ConfigMap as the kubelet mounts it: one file per key.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'named-'));
  try {
    for (const [key, text] of Object.entries<string>(cm.data)) fs.writeFileSync(path.join(dir, key), text);
    const names = listConfigNames(dir);
    expect(names.length).toBeGreaterThan(1);
    const base = {
      available: names,
      defaultConfig: env.DEFAULT_CONFIG,
      fallbackStrategies: env.FALLBACK_STRATEGIES.split(','),
    };
    for (const name of names) expect(selectConfig({ ...base, label: name }).name).toBe(name);
    expect(selectConfig({ ...base, label: undefined }).name).toBe(env.DEFAULT_CONFIG);
    expect(names).toContain(env.DEFAULT_CONFIG);
    for (const name of names) {
      expect(configFromFile(fs.readFileSync(path.join(dir, name), 'utf8'), name).version).toBe('v1');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the time-slicing scenario advertises 4 replicas of each of 8 GPUs (32), with NVIDIA replica IDs', () => {
  const [c] = byWhere(/^device-plugin-time-slicing\.k8s\.yaml /);
  const [r] = buildResources(configFromFile(c.text, c.where), inventory(gpus(8)));
  expect([r.name, r.devices.length, r.sharing, r.replicas]).toEqual(['nvidia.com/gpu', 32, 'time-slicing', 4]);
  expect(r.devices.every((d) => /^GPU-[0-9a-f-]+::[0-3]$/.test(d.id))).toBe(true);
});

test('the MIG mixed scenario advertises one resource per MIG profile, and whole GPUs where MIG is off', () => {
  const [c] = byWhere(/^device-plugin-mig-mixed\.k8s\.yaml /);
  const node = inventory([
    migGpu(0, ['3g.40gb', '2g.20gb', '1g.10gb', '1g.10gb']),
    ...gpus(1).map((g) => ({ ...g, index: 1 })),
  ]);
  const names = buildResources(configFromFile(c.text, c.where), node).map((r) => `${r.name}=${r.devices.length}`);
  // GPU 1 has MIG off: with `mixed` it stays a whole nvidia.com/gpu, as NVIDIA's plugin does.
  expect(names.sort()).toEqual([
    'nvidia.com/gpu=1',
    'nvidia.com/mig-1g.10gb=2',
    'nvidia.com/mig-2g.20gb=1',
    'nvidia.com/mig-3g.40gb=1',
  ]);
});

test("the operator's named configs all load, and the default one advertises whole GPUs", () => {
  for (const c of byWhere(/^gpu-operator(-project-plugin)?\.k8s\.yaml /)) {
    const resources = buildResources(configFromFile(c.text, c.where), inventory(gpus(2)));
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.every((r) => r.name.startsWith('nvidia.com/'))).toBe(true);
  }
});

describe("a shared resource's rename and devices: the constructs accept what the plugin loads, and refuse what it refuses", () => {
  const uuid = '8a3b2c1d-0000-1111-2222-333344445555';
  const config = (rename: string, devices: string[]) =>
    new DevicePluginConfig({ timeSlicing: { resources: [{ replicas: 2, rename, devices }] } });
  const fileWith = (rename: string, device: string) =>
    [
      'version: v1',
      'sharing:',
      '  timeSlicing:',
      '    resources:',
      '      - name: nvidia.com/gpu',
      `        rename: ${rename}`,
      `        devices: ["${device}"]`,
      '        replicas: 2',
      '',
    ].join('\n');

  test('the longest rename and every device form the plugin reads', () => {
    const longest = 'a'.repeat(52); // nvidia.com/ + 52 = 63 characters, the plugin's limit
    const devices = ['0', '1:2', `GPU-${uuid}`, `MIG-${uuid}`, `MIG-GPU-${uuid}/1/2`];
    const text = config(longest, devices).toYaml();
    const loaded = configFromFile(text, 'construct');
    const [resource] = loaded.sharing.timeSlicing!.resources;
    expect([resource.rename, resource.devices]).toEqual([`nvidia.com/${longest}`, devices]);
  });

  test.each([
    ['a rename one character too long', 'a'.repeat(53), '0', /rename must be .*at most 52 characters/],
    ['a rename with an empty dot-separated part', 'gpu..shared', '0', /rename must be/],
    ['a shortened GPU UUID', 'gpu-shared', 'GPU-1e5', /devices entries must be/],
  ])('%s', (_what, rename, device, constructError) => {
    expect(() => config(rename, [device])).toThrow(constructError);
    expect(() => configFromFile(fileWith(rename, device), 'by hand')).toThrow();
  });
});
