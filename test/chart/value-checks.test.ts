import * as fs from 'fs';
import * as path from 'path';
import { CHART_DIR, RELEASE, helm, helmWorkDir, helmTemplate, synthFromValues, writeValues } from './helm';
import { firstOfKind } from '../helpers/k8s-objects';

// No silent mistakes: combinations of values that used to install something other than what
// the user meant (or failed with "'not' failed") are refused by real helm, by `helm template`
// and by `helm lint --strict`, with a message that names the keys and what to change.

const work = helmWorkDir('chart-checks-');

const NVIDIA_REPO = 'nvcr.io/nvidia/k8s-device-plugin';
const gpu4 = [{ name: 'nvidia.com/gpu', replicas: 4 }];

const CASES: Array<[string, object, string]> = [
  [
    "NVIDIA's repository with image.kind project (its image has no /healthz: probes would kill the pods)",
    { image: { kind: 'project', repository: NVIDIA_REPO, tag: 'v0.20.0' } },
    "image.repository nvcr.io/nvidia/k8s-device-plugin is NVIDIA's plugin, which serves no /healthz for the probes of image.kind=project: set image.kind=nvidia, or leave image.kind empty (inferred from the repository)",
  ],
  [
    "image.kind nvidia alone (it would keep this project's image)",
    { image: { kind: 'nvidia' } },
    "image.kind=nvidia but image.repository is this project's image ghcr.io/cdk8s-gpu/gpu-device-plugin: to run NVIDIA's plugin also set image.repository=nvcr.io/nvidia/k8s-device-plugin and image.tag=v0.20.0; for this project's image leave image.kind empty",
  ],
  [
    'the floating image tag latest',
    { image: { tag: 'latest' } },
    'image.tag "latest" floats, so nodes could run different plugins: pin a release tag (e.g. image.tag=v',
  ],
  [
    'timeSlicing.resources without timeSlicing.enabled (no sharing, no error before)',
    { timeSlicing: { resources: gpu4 } },
    'timeSlicing.resources lists 1 resource(s) but timeSlicing.enabled is false, so nothing would be shared: set timeSlicing.enabled=true, or remove timeSlicing.resources',
  ],
  [
    'mps.resources without mps.enabled',
    { mps: { resources: gpu4 } },
    'mps.resources lists 1 resource(s) but mps.enabled is false, so nothing would be shared: set mps.enabled=true, or remove mps.resources',
  ],
  [
    'time-slicing on with nothing to share',
    { timeSlicing: { enabled: true } },
    'timeSlicing.enabled=true needs at least one entry in timeSlicing.resources, e.g. [{name: nvidia.com/gpu, replicas: 4}]',
  ],
  [
    'a MIG resource without migStrategy mixed',
    { timeSlicing: { enabled: true, resources: [{ name: 'nvidia.com/mig-1g.10gb', replicas: 2 }] } },
    'timeSlicing.resources[0].name "nvidia.com/mig-1g.10gb" is a MIG resource, which nodes advertise only with migStrategy=mixed (got migStrategy="none"): set migStrategy=mixed, or share nvidia.com/gpu',
  ],
  [
    'a pod annotation that would replace the config hash (pods would not roll on a config change)',
    { podAnnotations: { 'cdk8s-gpu.io/config-sha256': 'x' } },
    "podAnnotations must not set cdk8s-gpu.io/config-sha256: the chart sets it to the config's hash so a changed config rolls the pods; remove that key",
  ],
  [
    'MPS with migStrategy mixed',
    { migStrategy: 'mixed', mps: { enabled: true, resources: gpu4 } },
    'mps.enabled=true cannot be combined with migStrategy=mixed (MPS shares whole GPUs): set migStrategy to none or single, or share the MIG devices with timeSlicing instead',
  ],
  [
    "XID recovery with NVIDIA's image (kind inferred from the repository)",
    { image: { repository: NVIDIA_REPO, tag: 'v0.20.0' }, health: { recoverySeconds: 30 } },
    "health.recoverySeconds=30 needs this project's image (NVIDIA's plugin never marks a GPU healthy again): set health.recoverySeconds=null, or use this project's image",
  ],
  [
    "GPU Feature Discovery labels with NVIDIA's image (kind inferred from the repository)",
    { image: { repository: NVIDIA_REPO, tag: 'v0.20.0' }, gfd: { enabled: true } },
    "gfd.enabled=true needs this project's image (NVIDIA's plugin writes no GPU Feature Discovery labels): set gfd.enabled=false, or use this project's image",
  ],
  [
    'config.default without config.map',
    { config: { default: 'whole' } },
    'config.default="whole" names a config, but config.map and config.name are empty: add the configs under config.map (or name an existing ConfigMap in config.name), or remove config.default',
  ],
  [
    'config.default that is not in config.map',
    { config: { map: { whole: {}, 'sliced-4': {} }, default: 'sliced-8' } },
    'config.default="sliced-8" is not a key of config.map (sliced-4, whole): add it, or name one of them',
  ],
  [
    'named configs with no config for unlabelled nodes (NVIDIA: named needs a "default" entry, single one entry)',
    { config: { map: { whole: {}, 'sliced-4': {} } } },
    'a node without the nvidia.com/device-plugin.config label would get no config: config.default is empty, config.fallbackStrategies is [named, single] and config.map has sliced-4, whole; set config.default to one of them, name one config "default" (fallback named), or add "empty" to config.fallbackStrategies',
  ],
  [
    'MPS at the top level with config.map',
    { mps: { enabled: true, resources: gpu4 }, config: { map: { whole: {} } } },
    'mps.enabled=true cannot be combined with config.map or config.name: named configs do not support MPS yet',
  ],
  [
    'MPS with config.name',
    { mps: { enabled: true, resources: gpu4 }, config: { name: 'gpu-configs' } },
    'mps.enabled=true cannot be combined with config.map or config.name: named configs do not support MPS yet',
  ],
  [
    'config.map and config.name at once',
    { config: { map: { whole: {} }, name: 'gpu-configs' } },
    'config.map and config.name="gpu-configs" both name the named configs: keep config.map (typed, checked here) or config.name (an existing ConfigMap), not both',
  ],
  [
    'MPS in a config.map entry',
    { config: { map: { whole: {}, mps: { mps: { enabled: true, resources: gpu4 } } }, default: 'whole' } },
    'config.map.mps.mps.enabled=true: named configs do not support MPS yet',
  ],
  [
    'a config.map entry with another driver root',
    { config: { map: { op: { nvidiaDriverRoot: '/run/nvidia/driver' } } } },
    'config.map.op.nvidiaDriverRoot="/run/nvidia/driver" differs from nvidiaDriverRoot="/", but one pod mounts one driver root whatever config its node selects: set nvidiaDriverRoot at the top level only',
  ],
  [
    'time-slicing resources without enabled in a config.map entry (the key named with its entry)',
    { config: { map: { sliced: { timeSlicing: { resources: gpu4 } } } } },
    'config.map.sliced.timeSlicing.resources lists 1 resource(s) but config.map.sliced.timeSlicing.enabled is false, so nothing would be shared: set config.map.sliced.timeSlicing.enabled=true, or remove config.map.sliced.timeSlicing.resources',
  ],
  [
    'a MIG resource in a config.map entry whose migStrategy is not mixed',
    {
      config: {
        map: { mig: { timeSlicing: { enabled: true, resources: [{ name: 'nvidia.com/mig-1g.10gb', replicas: 2 }] } } },
      },
    },
    'config.map.mig.timeSlicing.resources[0].name "nvidia.com/mig-1g.10gb" is a MIG resource, which nodes advertise only with migStrategy=mixed (got config.map.mig.migStrategy="none")',
  ],
];

describe.each(CASES)('%s', (what, values, message) => {
  let file: string;
  beforeAll(() => {
    file = writeValues(work.path, what.replace(/\W+/g, '-').slice(0, 60), values);
  });

  test('helm template refuses it with a message that says what to change', () => {
    const r = helm(['template', 'gpu-device-plugin', CHART_DIR, '--values', file]);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain("'not' failed");
    expect(r.status).not.toBe(0);
  });

  // Helm renders in "lint mode" for `helm lint`, where a template `fail` is reported as
  // "[INFO] Fail: …" and does not fail the lint (helm v3.19 engine.go): lint shows the
  // message, `helm template`/`install`/`upgrade` refuse.
  test('helm lint --strict shows the same message', () => {
    const r = helm(['lint', '--strict', CHART_DIR, '--values', file]);
    expect(r.stdout + r.stderr).toContain(`[INFO] Fail: ${message}`);
  });
});

test("NVIDIA's repository without image.kind runs without probes, as the construct infers it", () => {
  const values = { image: { repository: NVIDIA_REPO, tag: 'v0.20.0' } };
  const fromHelm = helmTemplate(CHART_DIR, [writeValues(work.path, 'nvidia-inferred', values)]);
  const container = firstOfKind(fromHelm, 'DaemonSet').spec.template.spec.containers[0];
  expect([container.livenessProbe, container.readinessProbe, container.ports]).toEqual([
    undefined,
    undefined,
    undefined,
  ]);
  expect(fromHelm).toStrictEqual(synthFromValues(values, RELEASE));
});

test("a mirror of NVIDIA's image with image.kind nvidia is accepted (no well-known repository to contradict)", () => {
  const values = { image: { kind: 'nvidia', repository: 'registry.local/mirror/k8s-device-plugin', tag: 'v0.20.0' } };
  const fromHelm = helmTemplate(CHART_DIR, [writeValues(work.path, 'nvidia-mirror', values)]);
  expect(firstOfKind(fromHelm, 'DaemonSet').spec.template.spec.containers[0].livenessProbe).toBeUndefined();
});

test('the floating tag latest with a digest is pinned, so it is accepted', () => {
  const values = { image: { tag: 'latest', digest: `sha256:${'a'.repeat(64)}` } };
  expect(
    helm(['template', 'gpu-device-plugin', CHART_DIR, '--values', writeValues(work.path, 'latest-digest', values)])
      .status,
  ).toBe(0);
});

test("values.schema.json has no `not` and no `if` outside the API server's toleration rules (their errors would carry no hint)", () => {
  const schema = JSON.parse(fs.readFileSync(path.join(CHART_DIR, 'values.schema.json'), 'utf-8'));
  const found: string[] = [];
  const visit = (node: unknown, at: string) => {
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'not' || k === 'if') && !at.startsWith('/properties/tolerations/')) found.push(`${at}/${k}`);
      visit(v, `${at}/${k}`);
    }
  };
  visit(schema, '');
  expect(found).toEqual([]);
});
