/**
 * Every kind of ClusterPolicy the operator stack can emit: a matrix of GpuOperatorStack props
 * (MIG strategies and layouts, driver upgrade policies, precompiled and pre-installed drivers,
 * toolkit presets, CDI, ServiceMonitor, the project's plugin, time-slicing and MPS configs, the
 * v26.7.0 day-2 fields, install modes), per GPU Operator release. Test 1 applies each one with
 * strict server-side validation against that release's real CRD.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { DeviceListStrategy, GpuResource, MigStrategy, SharedAllocationPolicy, UpdateStrategyType } from '../../../src';
import {
  ContainerdConfig,
  ContainerRuntime,
  DcgmMetrics,
  DcgmMetricType,
  DevicePluginProvider,
  GitOpsInstall,
  GpuOperatorRelease,
  GpuOperatorStack,
  GpuOperatorStackProps,
  KernelModuleType,
  OperandImage,
} from '../../../src/operator';
import { ofKind } from '../../helpers/k8s-objects';

export interface PolicyVariant {
  label: string;
  /** The ClusterPolicy as the stack emits it. */
  policy: any;
}

const timeSliced = {
  name: 'time-sliced-4',
  config: { timeSlicing: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 4 }] } },
};
const mps = { name: 'mps-2', config: { mps: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 2 }] } } };

/** Props that every release accepts. */
const COMMON: Array<[string, GpuOperatorStackProps]> = [
  ['defaults', {}],
  ['MIG strategy none', { mig: { strategy: MigStrategy.NONE } }],
  ['MIG strategy mixed', { mig: { strategy: MigStrategy.MIXED } }],
  ['MIG strategy none, MIG manager off', { mig: { strategy: MigStrategy.NONE }, migManager: { enabled: false } }],
  [
    'MIG layouts (per-GPU groups, device filter)',
    {
      migManager: {
        layouts: [
          { name: 'all-1g.10gb', groups: [{ migEnabled: true, migDevices: { '1g.10gb': 7 } }] },
          {
            name: 'mixed-a100',
            groups: [
              { devices: [0, 1], deviceFilter: ['0x20B210DE'], migEnabled: true, migDevices: { '3g.40gb': 2 } },
              { devices: [2], migEnabled: false },
            ],
          },
        ],
      },
    },
  ],
  [
    'driver upgrade policy: drain, pod deletion, wait for jobs',
    {
      driver: {
        upgradePolicy: {
          autoUpgrade: true,
          maxParallelUpgrades: 2,
          maxUnavailable: '10%',
          waitForCompletionPodSelector: 'app=training',
          gpuPodDeletion: { force: true, timeoutSeconds: 600, deleteEmptyDir: true },
          drain: { enable: true, force: true, timeoutSeconds: 900, deleteEmptyDir: true, podSelector: 'gpu=true' },
        },
      },
    },
  ],
  ['driver auto-upgrade off', { driver: { upgradePolicy: { autoUpgrade: false } } }],
  [
    'precompiled driver, open kernel modules',
    { driver: { usePrecompiled: true, kernelModuleType: KernelModuleType.OPEN } },
  ],
  [
    'pinned driver version, proprietary modules, mirrored images',
    {
      driver: {
        version: '570.195.03',
        kernelModuleType: KernelModuleType.PROPRIETARY,
        managerImage: OperandImage.of('registry.local/nvidia/cloud-native', 'k8s-driver-manager', 'v0.12.0'),
      },
    },
  ],
  ['pre-installed driver and toolkit', { driver: { enabled: false }, toolkit: { enabled: false } }],
  ['toolkit preset k3s', { toolkit: { containerd: ContainerdConfig.K3S } }],
  [
    'toolkit preset RKE2, nvidia as default runtime',
    { toolkit: { containerd: ContainerdConfig.RKE2, setAsDefaultRuntime: true, installDir: '/opt/nvidia' } },
  ],
  [
    'toolkit custom containerd paths',
    {
      toolkit: {
        containerd: ContainerdConfig.custom('/etc/containerd/config.toml', '/run/containerd/containerd.sock'),
      },
    },
  ],
  ['CRI-O runtime', { operator: { defaultRuntime: ContainerRuntime.CRIO, runtimeClass: 'nvidia-gpu' } }],
  ['CDI off', { cdi: { enabled: false } }],
  ['ServiceMonitor off', { alerts: { enabled: false }, dcgmExporter: { serviceMonitor: { enabled: false } } }],
  [
    'ServiceMonitor with labels, 30s interval, honorLabels',
    {
      dcgmExporter: {
        serviceMonitor: { interval: '30s', honorLabels: true, additionalLabels: { release: 'kube-prometheus-stack' } },
      },
    },
  ],
  ['built-in exporter metrics', { alerts: { enabled: false }, dcgmExporter: { metrics: DcgmMetrics.builtIn() } }],
  [
    'custom exporter metrics',
    {
      alerts: { enabled: false },
      dcgmExporter: {
        metrics: DcgmMetrics.custom([
          { field: 'DCGM_FI_DEV_GPU_UTIL', type: DcgmMetricType.GAUGE, help: 'GPU utilization.' },
        ]),
      },
    },
  ],
  ['exporter off', { alerts: { enabled: false }, dcgmExporter: { enabled: false } }],
  ["this project's device plugin", { devicePlugin: { provider: DevicePluginProvider.PROJECT } }],
  [
    "this project's device plugin with time-slicing",
    { devicePlugin: { provider: DevicePluginProvider.PROJECT, configs: [timeSliced] } },
  ],
  ['no device plugin', { devicePlugin: { enabled: false } }],
  ['time-slicing config', { devicePlugin: { configs: [timeSliced] } }],
  ['MPS config', { devicePlugin: { configs: [mps] } }],
  [
    'named configs: whole GPUs, time-slicing, MPS, CDI device lists',
    {
      devicePlugin: {
        configs: [
          { name: 'whole' },
          timeSliced,
          mps,
          { name: 'cdi', config: { deviceListStrategy: [DeviceListStrategy.CDI_CRI] } },
        ],
        defaultConfig: 'whole',
      },
    },
  ],
  [
    'dcgm, node status exporter and validator workload on, GFD off',
    {
      dcgm: { enabled: true },
      nodeStatusExporter: { enabled: true },
      gfd: { enabled: false },
      validator: { runPluginWorkload: true },
    },
  ],
  [
    'daemonsets: OnDelete, tolerations, priority class, labels',
    {
      daemonsets: {
        updateStrategy: UpdateStrategyType.ON_DELETE,
        priorityClassName: 'system-cluster-critical',
        labels: { team: 'ml' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      },
    },
  ],
  ['daemonsets: RollingUpdate 25%', { daemonsets: { maxUnavailable: '25%' } }],
  ['host paths', { hostPaths: { rootFs: '/host', driverInstallDir: '/opt/nvidia/driver' } }],
  ['Argo CD install (sync annotations)', { install: GitOpsInstall.ARGO_CD }],
  ['no Prometheus Operator', { prometheusOperator: false }],
  ['another name', { name: 'gpus', namespace: 'nvidia-gpu' }],
];

/** Props only v26.7.0 accepts: its day-2 fields and the plugin v0.20.0 allocation policy. */
const V26_ONLY: Array<[string, GpuOperatorStackProps]> = [
  ['kubelet root dir', { hostPaths: { kubeletRootDir: '/data/kubelet' } }],
  [
    'operand pod security context',
    {
      daemonsets: {
        podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' }, supplementalGroups: [44], fsGroup: 0 },
      },
    },
  ],
  [
    'exporter pod labels, UIDs and allowlist',
    { dcgmExporter: { podLabels: { enabled: true, uid: true, allowlist: ['^app$', '^kueue\\.x-k8s\\.io/.*$'] } } },
  ],
  ['ServiceMonitor scrape timeout', { dcgmExporter: { serviceMonitor: { interval: '1m', scrapeTimeout: '45s' } } }],
  [
    'time-slicing packed',
    {
      devicePlugin: {
        configs: [
          { name: 'packed', config: { ...timeSliced.config, sharedAllocationPolicy: SharedAllocationPolicy.PACKED } },
        ],
      },
    },
  ],
  [
    'custom patch release based on v26.7.0',
    { release: GpuOperatorRelease.custom({ version: 'v26.7.1', basedOn: GpuOperatorRelease.V26_7_0 }) },
  ],
];

function emit(label: string, props: GpuOperatorStackProps): PolicyVariant {
  const chart = new Chart(new App(), 'variant');
  try {
    new GpuOperatorStack(chart, 'Gpu', props);
  } catch (e) {
    throw new Error(`ClusterPolicy variant "${label}" does not synthesize: ${(e as Error).message}`);
  }
  const policies = ofKind(chart.toJson(), 'ClusterPolicy');
  if (policies.length !== 1) throw new Error(`variant "${label}" emitted ${policies.length} ClusterPolicies`);
  return { label, policy: policies[0] };
}

/** The variants for one release: install NONE for a release whose chart cannot leave the ClusterPolicy to Git. */
export function clusterPolicyVariants(release: GpuOperatorRelease): PolicyVariant[] {
  const v26 = release.features.dcgmExporterPodLabels;
  const cases = v26 ? [...COMMON, ...V26_ONLY] : COMMON;
  return cases
    .filter(([, props]) => v26 || props.install !== GitOpsInstall.ARGO_CD)
    .map(([label, props]) =>
      emit(`${release.version} ${label}`, {
        ...props,
        release: props.release ?? release,
        install: release.features.chartDeployCrSwitch ? props.install : GitOpsInstall.NONE,
      }),
    );
}

/** The ClusterPolicies of the shipped dist/ files (they pin the pinned release). */
export function distClusterPolicies(repoRoot: string): PolicyVariant[] {
  const dir = join(repoRoot, 'dist');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) =>
      ofKind(
        parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS()),
        'ClusterPolicy',
      ).map((policy) => ({ label: `dist/${f}`, policy })),
    );
}
