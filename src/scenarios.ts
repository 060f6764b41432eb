import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuResource } from './common/gpu-resource';
import { GpuDevicePlugin } from './device-plugin/gpu-device-plugin';
import { MigStrategy } from './device-plugin/plugin-config';
import { PluginImage } from './device-plugin/plugin-image';
import { GpuOperatorStack } from './operator/gpu-operator-stack';
import { DevicePluginProvider } from './operator/vocabulary';
import { GpuJob } from './workloads/gpu-job';

/**
 * A named example stack that the reference app writes to `dist/<name>.k8s.yaml`.
 * The chart's `ci/<name>-values.yaml` scenarios mirror the device plugin ones.
 */
export interface Scenario {
  /** File name stem in dist/. */
  readonly name: string;
  /** One sentence: what the scenario shows. */
  readonly description: string;
  /** Adds the scenario's constructs to the chart. */
  build(chart: Construct): void;
}

/** The scenarios of the reference app, in the order they are written. */
export const SCENARIOS: Scenario[] = [
  {
    name: 'device-plugin',
    description: 'The default device plugin: whole GPUs as nvidia.com/gpu.',
    build: (chart) => new GpuDevicePlugin(chart, 'DevicePlugin'),
  },
  {
    name: 'device-plugin-time-slicing',
    description: 'Each GPU time-sliced into 4 replicas of nvidia.com/gpu.',
    build: (chart) =>
      new GpuDevicePlugin(chart, 'DevicePlugin', {
        timeSlicing: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 4 }] },
      }),
  },
  {
    name: 'device-plugin-named-configs',
    description:
      'Named configs picked per node by the label nvidia.com/device-plugin.config: whole GPUs by default, sliced-4 time-slices each GPU 4 ways.',
    build: (chart) =>
      new GpuDevicePlugin(chart, 'DevicePlugin', {
        configs: [
          {
            name: 'sliced-4',
            config: { timeSlicing: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 4 }] } },
          },
          { name: 'whole' },
        ],
        defaultConfig: 'whole',
      }),
  },
  {
    name: 'device-plugin-mig-mixed',
    description: 'MIG devices advertised per profile (nvidia.com/mig-1g.10gb, …).',
    build: (chart) => new GpuDevicePlugin(chart, 'DevicePlugin', { migStrategy: MigStrategy.MIXED }),
  },
  {
    name: 'device-plugin-nvidia-image',
    description: "NVIDIA's upstream plugin image with the same generated config.",
    build: (chart) => new GpuDevicePlugin(chart, 'DevicePlugin', { image: PluginImage.nvidia() }),
  },
  {
    name: 'gpu-job',
    description: "The tutorial's training job: one GPU, PyTorch, restartPolicy Never.",
    build: (chart) =>
      new GpuJob(chart, 'gpu-training-job', {
        image: 'nvcr.io/nvidia/pytorch:24.01-py3',
        command: ['python', 'train.py'],
        gpus: 1,
      }),
  },
  {
    name: 'gpu-operator',
    description:
      "NVIDIA's GPU Operator installed by Flux at a pinned version, its ClusterPolicy owned by Git, with GPU alerts.",
    build: (chart) => new GpuOperatorStack(chart, 'GpuOperator'),
  },
  {
    name: 'gpu-operator-project-plugin',
    description: "The GPU Operator with this project's device plugin in place of NVIDIA's.",
    build: (chart) =>
      new GpuOperatorStack(chart, 'GpuOperator', { devicePlugin: { provider: DevicePluginProvider.PROJECT } }),
  },
];

/** Builds one scenario into its own chart of `app`. */
export function buildScenario(app: Construct, scenario: Scenario): Chart {
  const chart = new Chart(app, scenario.name, { disableResourceNameHashes: true });
  scenario.build(chart);
  return chart;
}
