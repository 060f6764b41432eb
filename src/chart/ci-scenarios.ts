import { GpuResource } from '../common/gpu-resource';
import { PluginImage } from '../device-plugin/plugin-image';
import { DevicePluginValues } from './device-plugin-values';

/** Values that override some defaults (objects merge, lists replace, as Helm does). */
export type PartialValues = { [K in keyof DevicePluginValues]?: unknown };

/** One `ci/<name>-values.yaml`: a setting users install, checked by lint and parity. */
export interface CiScenario {
  /** File stem: `ci/<name>-values.yaml`. */
  readonly name: string;
  /** One sentence, written at the top of the file. */
  readonly description: string;
  /** The values the file holds. */
  readonly values: PartialValues;
  /** The reference app's scenario (`dist/<dist>.k8s.yaml`) that the chart must reproduce. */
  readonly dist?: string;
}

const nvidiaImage = PluginImage.nvidia();

/** The chart's scenarios; together they take every conditional in the templates both ways. */
export const CI_SCENARIOS: CiScenario[] = [
  {
    name: 'default',
    description: "Default values: whole GPUs as nvidia.com/gpu, this project's image.",
    values: {},
    dist: 'device-plugin',
  },
  {
    name: 'time-slicing',
    description: 'Each GPU time-sliced into 4 replicas of nvidia.com/gpu.',
    values: { timeSlicing: { enabled: true, resources: [{ name: GpuResource.NVIDIA_GPU.name, replicas: 4 }] } },
    dist: 'device-plugin-time-slicing',
  },
  {
    name: 'named-configs',
    description:
      'Named configs picked per node by the label nvidia.com/device-plugin.config: whole GPUs by default, sliced-4 time-slices each GPU 4 ways.',
    values: {
      config: {
        map: {
          'sliced-4': {
            timeSlicing: { enabled: true, resources: [{ name: GpuResource.NVIDIA_GPU.name, replicas: 4 }] },
          },
          whole: {},
        },
        default: 'whole',
      },
    },
    dist: 'device-plugin-named-configs',
  },
  {
    name: 'named-configs-mig-fallback',
    description:
      "Named configs over top-level values (GPU Operator driver root, packed replicas), one with MIG mixed (the pod gets SYS_ADMIN for it), one with CDI; unlabelled nodes take the config named default (fallback named), or the plugin's built-in config.",
    values: {
      nvidiaDriverRoot: '/run/nvidia/driver',
      sharedAllocationPolicy: 'packed',
      timeSlicing: { renameByDefault: true },
      config: {
        map: {
          default: {},
          'mig-mixed': { migStrategy: 'mixed' },
          cdi: { deviceListStrategy: ['cdi-cri'], deviceIdStrategy: 'index' },
          'shared-2': {
            timeSlicing: { enabled: true, resources: [{ name: GpuResource.NVIDIA_GPU.name, replicas: 2 }] },
          },
        },
        fallbackStrategies: ['named', 'empty'],
      },
    },
  },
  {
    name: 'named-configs-existing',
    description:
      'Named configs from an existing ConfigMap (config.name, keys = config names); the top-level values set the pod up for them (volume-mounts: SYS_ADMIN).',
    values: {
      deviceListStrategy: ['volume-mounts'],
      config: { name: 'gpu-device-plugin-configs', default: 'whole', fallbackStrategies: ['named', 'single', 'empty'] },
    },
  },
  {
    name: 'mig-mixed',
    description: 'MIG devices advertised per profile (nvidia.com/mig-1g.10gb, …).',
    values: { migStrategy: 'mixed' },
    dist: 'device-plugin-mig-mixed',
  },
  {
    name: 'cdi',
    description:
      "Devices handed to the runtime as CDI devices (annotations and the CRI field) under the GPU Operator's driver root.",
    values: { deviceListStrategy: ['cdi-annotations', 'cdi-cri'], nvidiaDriverRoot: '/run/nvidia/driver' },
  },
  {
    name: 'gpudirect',
    description:
      "GPUDirect Storage, Mellanox OFED and GDRCopy for the containers (NVIDIA's gdsEnabled, mofedEnabled, gdrcopyEnabled), written to the config file only when on.",
    values: { gdsEnabled: true, mofedEnabled: true, gdrcopyEnabled: true },
  },
  {
    name: 'gfd-cdi-host-driver',
    description:
      'GPU Feature Discovery labels for NFD, and CDI with the driver on the host (its root mounted for the CDI spec).',
    values: { gfd: { enabled: true }, deviceListStrategy: ['cdi-cri'] },
  },
  {
    name: 'nvidia-image',
    description:
      "NVIDIA's upstream plugin image with the same generated config; image.kind is inferred from the repository (no health probes).",
    values: { image: { repository: nvidiaImage.repository, tag: nvidiaImage.tag } },
    dist: 'device-plugin-nvidia-image',
  },
  {
    name: 'tolerations-affinity',
    description: 'Own tolerations, affinity and node selector; roll out to a tenth of the nodes at a time.',
    values: {
      tolerations: [
        { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoExecute', tolerationSeconds: 3600 },
      ],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4d.24xlarge', 'p5.48xlarge'] },
                ],
              },
            ],
          },
        },
      },
      nodeSelector: { 'nvidia.com/gpu.deploy.device-plugin': 'true' },
      updateStrategy: { maxUnavailable: '10%' },
    },
  },
  {
    name: 'mps',
    description:
      'CUDA MPS with 4 replicas per GPU on two GPUs, packed, with XID health tuning and a containerized driver.',
    values: {
      migStrategy: 'single',
      nvidiaDriverRoot: '/run/nvidia/driver',
      sharedAllocationPolicy: 'packed',
      mps: {
        enabled: true,
        root: '/var/run/nvidia/mps',
        resources: [{ name: GpuResource.NVIDIA_GPU.name, replicas: 4, devices: ['0', '1'] }],
      },
      health: { skipXids: [48, 63], enableXids: [79], recoverySeconds: 120 },
    },
  },
  {
    name: 'static-cpu-manager',
    description:
      'Nodes with the static CPU manager policy: device specs passed (privileged), volume-mounts, renamed shared replicas, existing namespace.',
    values: {
      fullnameOverride: 'gpu-plugin',
      namespace: { create: false, name: '' },
      passDeviceSpecs: true,
      deviceListStrategy: ['volume-mounts'],
      deviceIdStrategy: 'index',
      failOnInitError: false,
      timeSlicing: {
        enabled: true,
        renameByDefault: true,
        failRequestsGreaterThanOne: true,
        resources: [
          {
            name: GpuResource.NVIDIA_GPU.name,
            replicas: 2,
            rename: 'gpu-shared',
            devices: ['0', '1:0', 'GPU-8a3b2c1d-0000-1111-2222-333344445555'],
          },
        ],
      },
      health: { disabled: true },
      runtimeClassName: 'nvidia',
      priorityClassName: 'gpu-critical',
      updateStrategy: { type: 'OnDelete' },
      extraEnv: { NVIDIA_DRIVER_CAPABILITIES: 'compute,utility,video', LOG_LEVEL: 'debug' },
      extraArgs: ['--log-format=json'],
    },
  },
  {
    name: 'nvidia-chart-values',
    description:
      "Values carried over from NVIDIA's chart: a private registry with a pull secret and pull policy, pod annotations, pod and container security contexts.",
    values: {
      image: { repository: 'registry.example.com/mirror/gpu-device-plugin', pullPolicy: 'Always' },
      imagePullSecrets: [{ name: 'regcred' }],
      podAnnotations: { 'example.com/owner': 'ml-platform', 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' },
      podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        readOnlyRootFilesystem: true,
        runAsUser: 0,
        seccompProfile: { type: 'RuntimeDefault' },
      },
    },
  },
  {
    name: 'host-network',
    description:
      "Plugin pods in the host's network namespace (NVIDIA's devicePlugin.enableHostNetwork), e.g. where pod IPs are scarce.",
    values: { hostNetwork: true },
  },
];
