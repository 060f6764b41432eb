/**
 * Mistakes within one chart or one App that used to synthesize silently: two objects with
 * one name, an image no runtime can pull, an error under a prop the caller never set, and a
 * GpuJob asking for a resource no plugin of its App advertises.
 */
import { App, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import {
  GitOpsInstall,
  GpuDevicePlugin,
  GpuJob,
  GpuOperatorStack,
  GpuRequest,
  GpuResource,
  MigProfile,
  MigStrategy,
} from '../../../src';

const IMAGE = 'nvcr.io/nvidia/pytorch:24.01-py3';

describe('two objects with one name in one chart', () => {
  test('two GpuDevicePlugins with default names: refused, naming the prop to change', () => {
    const chart = new Chart(Testing.app(), 'c');
    new GpuDevicePlugin(chart, 'a');
    expect(() => new GpuDevicePlugin(chart, 'b')).toThrow(
      /GpuDevicePlugin "c\/b" would create Namespace "gpu-device-plugin", which "c\/a\/Namespace" in the same chart already creates .*set namespace to another one, or createNamespace: false/,
    );
  });

  test('same namespace, one creating it: the ServiceAccount clash names name', () => {
    const chart = new Chart(Testing.app(), 'c');
    new GpuDevicePlugin(chart, 'a');
    expect(() => new GpuDevicePlugin(chart, 'b', { createNamespace: false })).toThrow(
      /would create ServiceAccount "gpu-device-plugin" in namespace "gpu-device-plugin", which "c\/a\/ServiceAccount" .*set name \(or namespace\)/,
    );
  });

  test('two plugins with their own names in one namespace are fine', () => {
    const chart = new Chart(Testing.app(), 'c');
    new GpuDevicePlugin(chart, 'a', { name: 'plugin-a' });
    new GpuDevicePlugin(chart, 'b', { name: 'plugin-b', createNamespace: false });
    const kinds = Testing.synth(chart).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(kinds).size).toBe(kinds.length);
  });

  test('a namespace the user created already: refused, suggesting createNamespace: false', () => {
    const chart = new Chart(Testing.app(), 'c');
    new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'gpu-device-plugin' } });
    expect(() => new GpuDevicePlugin(chart, 'p')).toThrow(/createNamespace: false/);
  });

  test('two GpuJobs with one name and namespace: refused; in different namespaces: fine', () => {
    const chart = new Chart(Testing.app(), 'c');
    new GpuJob(chart, 'one', { name: 'train', image: IMAGE });
    expect(() => new GpuJob(chart, 'two', { name: 'train', image: IMAGE })).toThrow(
      /GpuJob "c\/two" would create Job "train", which "c\/one\/Resource" .*set name \(or namespace\)/,
    );
    expect(() => new GpuJob(chart, 'three', { name: 'train', namespace: 'other', image: IMAGE })).not.toThrow();
  });

  test('two GpuOperatorStacks in one chart: refused', () => {
    const chart = new Chart(Testing.app(), 'c');
    new GpuOperatorStack(chart, 'a');
    expect(() => new GpuOperatorStack(chart, 'b', { createNamespace: false })).toThrow(
      /GpuOperatorStack "c\/b" would create/,
    );
  });
});

describe('GpuJob image references: the plugin image grammar', () => {
  const job = (image: string) => new GpuJob(new Chart(Testing.app(), 'c'), 'train', { image });
  test.each([
    'pytorch:24.01 py3',
    'nvcr.io/nvidia/PyTorch:24.01',
    'pytorch:',
    'pytorch@sha256:123',
    'registry:5000/',
    ' pytorch',
  ])('refuses %j, naming the prop image', (image) => {
    expect(() => job(image)).toThrow(
      new RegExp(
        `^image must be a container image reference .* \\(got "${image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\)$`,
      ),
    );
  });
  test.each([
    'pytorch',
    'pytorch:latest',
    'nvcr.io/nvidia/pytorch:24.01-py3',
    'localhost:5000/team/train:v2',
    `nvcr.io/nvidia/pytorch@sha256:${'a'.repeat(64)}`,
  ])('accepts %j (jobs may use floating tags such as latest)', (image) => {
    expect(() => job(image)).not.toThrow();
  });
  test('a sidecar image is checked the same way, under its container', () => {
    const j = job(IMAGE);
    expect(() => j.addContainer({ name: 'logs', image: 'busy box:1' })).toThrow(
      /^image of container "logs" must be a container image reference/,
    );
  });
});

describe('errors name the prop the caller set', () => {
  test.each([
    ['namespace', { namespace: 'GPU-Operator' }],
    ['namespace', { namespace: 'GPU-Operator', install: GitOpsInstall.ARGO_CD }],
    ['namespace', { namespace: 'GPU-Operator', install: GitOpsInstall.NONE }],
  ])('GpuOperatorStack %s', (prop, props) => {
    let message = '';
    try {
      new GpuOperatorStack(new Chart(Testing.app(), 'c'), 'gpu', props);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(new RegExp(`^${prop} must be a DNS-1123 label.*\\(got "GPU-Operator"\\)`));
    expect(message).not.toContain('flux.');
  });
});

describe('a GpuJob resource no plugin of the App advertises', () => {
  const synthErrors = (app: App): string => {
    try {
      app.synth();
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };

  test('a MIG request with a plugin that does not use the mixed strategy: reported at synth with the fix', () => {
    const app = Testing.app();
    new GpuDevicePlugin(new Chart(app, 'infra'), 'plugin');
    new GpuJob(new Chart(app, 'jobs'), 'train', {
      image: IMAGE,
      gpuRequests: [GpuRequest.mig(MigProfile.of('1g.10gb'))],
    });
    const message = synthErrors(app);
    expect(message).toContain(
      'GpuJob "jobs/train" requests nvidia.com/mig-1g.10gb, which no device plugin in this app advertises',
    );
    expect(message).toContain('GpuDevicePlugin "infra/plugin" advertises nvidia.com/gpu');
    expect(message).toContain('set migStrategy: MigStrategy.MIXED');
  });

  test('a shared request with a plugin that shares nothing: reported', () => {
    const app = Testing.app();
    new GpuDevicePlugin(new Chart(app, 'infra'), 'plugin');
    new GpuJob(new Chart(app, 'jobs'), 'train', { image: IMAGE, gpuRequests: [GpuRequest.shared()] });
    expect(synthErrors(app)).toMatch(/requests nvidia\.com\/gpu\.shared, .*share GPUs with timeSlicing or mps/);
  });

  test('whole GPUs when every GPU is shared under .shared: reported', () => {
    const app = Testing.app();
    new GpuDevicePlugin(new Chart(app, 'infra'), 'plugin', {
      timeSlicing: { renameByDefault: true, resources: [{ replicas: 4 }] },
    });
    new GpuJob(new Chart(app, 'jobs'), 'train', { image: IMAGE, gpus: 1 });
    expect(synthErrors(app)).toMatch(/requests nvidia\.com\/gpu, .*advertises nvidia\.com\/gpu\.shared\)/);
  });

  test('requests the plugins advertise synthesize', () => {
    const app = Testing.app();
    const infra = new Chart(app, 'infra');
    new GpuDevicePlugin(infra, 'plugin', {
      migStrategy: MigStrategy.MIXED,
      timeSlicing: { renameByDefault: true, resources: [{ replicas: 2, devices: ['0'] }] },
    });
    const jobs = new Chart(app, 'jobs');
    new GpuJob(jobs, 'whole', { image: IMAGE, gpus: 2 });
    new GpuJob(jobs, 'mig', { image: IMAGE, gpuRequests: [GpuRequest.mig(MigProfile.of('1g.10gb'))] });
    new GpuJob(jobs, 'shared', { image: IMAGE, gpuRequests: [GpuRequest.shared()] });
    new GpuJob(jobs, 'other', { image: IMAGE, gpuRequests: [GpuRequest.of(GpuResource.of('example.com/fpga'))] });
    expect(synthErrors(app)).toBe('');
  });

  test('a GpuOperatorStack counts: its mig.strategy and its named configs', () => {
    const app = Testing.app();
    new GpuOperatorStack(new Chart(app, 'infra'), 'gpu', {
      mig: { strategy: MigStrategy.MIXED },
      migManager: { enabled: true },
      devicePlugin: {
        configs: [
          { name: 'default' },
          { name: 'shared', config: { timeSlicing: { renameByDefault: true, resources: [{ replicas: 4 }] } } },
        ],
      },
    });
    const jobs = new Chart(app, 'jobs');
    new GpuJob(jobs, 'mig', { image: IMAGE, gpuRequests: [GpuRequest.mig(MigProfile.of('1g.10gb'))] });
    new GpuJob(jobs, 'shared', { image: IMAGE, gpuRequests: [GpuRequest.shared()] });
    expect(synthErrors(app)).toBe('');
  });

  test('a GpuOperatorStack without MIG: a MIG request is reported', () => {
    const app = Testing.app();
    new GpuOperatorStack(new Chart(app, 'infra'), 'gpu');
    new GpuJob(new Chart(app, 'jobs'), 'mig', {
      image: IMAGE,
      gpuRequests: [GpuRequest.mig(MigProfile.of('1g.10gb'))],
    });
    expect(synthErrors(app)).toMatch(
      /GpuOperatorStack "infra\/gpu" advertises nvidia\.com\/gpu\).*mig: \{ strategy: MigStrategy\.MIXED \}/,
    );
  });

  test('no plugin construct in the App (jobs in their own repository): no check', () => {
    const app = Testing.app();
    new GpuJob(new Chart(app, 'jobs'), 'mig', {
      image: IMAGE,
      gpuRequests: [GpuRequest.mig(MigProfile.of('1g.10gb'))],
    });
    new GpuJob(new Chart(app, 'jobs2'), 'shared', { image: IMAGE, gpuRequests: [GpuRequest.shared()] });
    expect(synthErrors(app)).toBe('');
  });
});
