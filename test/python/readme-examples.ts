// The README's examples in TypeScript, the same as test/python/readme_examples.py writes them in
// Python: test/constructs/python-package.test.ts compares the two outputs byte for byte.
import { App, Chart } from 'cdk8s';
import {
  ContainerdConfig,
  DeviceIdStrategy,
  GitOpsInstall,
  GpuDevicePlugin,
  GpuJob,
  GpuOperatorStack,
  GpuRequest,
  GpuResource,
  MigProfile,
  MigStrategy,
  PluginImage,
} from '../../src';

export function synthReadmeExamples(outdir: string): void {
  const app = new App({ outdir });

  const chart = new Chart(app, 'gpu');
  new GpuDevicePlugin(chart, 'DevicePlugin');
  new GpuDevicePlugin(chart, 'Shared', {
    name: 'gpu-shared',
    namespace: 'gpu-shared',
    timeSlicing: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 4, devices: ['0', '1'] }] },
  });
  new GpuDevicePlugin(chart, 'Mig', {
    name: 'gpu-mig',
    namespace: 'gpu-mig',
    migStrategy: MigStrategy.MIXED,
    image: PluginImage.nvidia(),
  });

  const training = new Chart(app, 'training');
  new GpuJob(training, 'gpu-training-job', {
    image: 'nvcr.io/nvidia/pytorch:24.01-py3',
    command: ['python', 'train.py'],
    gpus: 1,
  });
  new GpuJob(training, 'mig-job', {
    image: 'nvcr.io/nvidia/pytorch:24.01-py3',
    gpuRequests: [GpuRequest.mig(MigProfile.PROFILE_1_G_10_GB)],
  });

  const operator = new Chart(app, 'gpu-operator', { disableResourceNameHashes: true });
  new GpuOperatorStack(operator, 'GpuOperator', {
    install: GitOpsInstall.FLUX,
    toolkit: { containerd: ContainerdConfig.RKE2 },
    driver: { upgradePolicy: { maxParallelUpgrades: 2, drain: { enable: true, timeoutSeconds: 600 } } },
    mig: { strategy: MigStrategy.NONE },
    devicePlugin: {
      configs: [
        { name: 'whole' },
        {
          name: 'sliced-4',
          config: {
            timeSlicing: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 4 }] },
            deviceIdStrategy: DeviceIdStrategy.INDEX,
          },
        },
      ],
      defaultConfig: 'whole',
    },
    dcgmExporter: { serviceMonitor: { additionalLabels: { release: 'kube-prometheus-stack' } } },
    alerts: { ruleLabels: { release: 'kube-prometheus-stack' } },
  });

  app.synth();
}
