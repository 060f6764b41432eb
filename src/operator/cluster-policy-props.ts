import { k8s } from 'cdk8s-plus-28';
import { HealthCheckOptions, UpdateStrategyType } from '../device-plugin/gpu-device-plugin-props';
import { MigStrategy } from '../device-plugin/plugin-config';
import { NamedDevicePluginConfig } from '../device-plugin/named-configs';
import { PluginImage } from '../device-plugin/plugin-image';
import { DcgmMetrics } from './dcgm-metrics';
import { MigLayout } from './mig-layouts';
import { OperandImage } from './operator-images';
import { GpuOperatorRelease } from './releases';
import { DriverSettings } from './driver-settings';
import { ToolkitSettings } from './toolkit-settings';
import { ContainerRuntime, DevicePluginProvider } from './vocabulary';

/** The operator's own settings (`spec.operator`). */
export interface OperatorSettings {
  /**
   * The nodes' container runtime. The toolkit settings are checked against it (containerd
   * paths apply to containerd only). Written to `spec.operator.defaultRuntime` only for
   * releases whose CRD requires that field (v25.10.1); v26.7.0 detects the runtime itself
   * and ignores the field, so it is not emitted there.
   * @default ContainerRuntime.CONTAINERD
   */
  readonly defaultRuntime?: ContainerRuntime;
  /**
   * Name of the RuntimeClass GPU pods use (the toolkit registers a handler of that name).
   * @default 'nvidia'
   */
  readonly runtimeClass?: string;
  /**
   * Image of the operands' init container (`spec.operator.initContainer`). Only releases
   * that still read it (v25.10.1) accept it; v26.7.0 ignores the field.
   * @default - the release's init container (v25.10.1), none (v26.7.0)
   */
  readonly initContainerImage?: OperandImage;
}

/** Settings shared by every operand DaemonSet (`spec.daemonsets`). */
export interface DaemonSetsSettings {
  /**
   * Tolerations of every operand pod.
   * @default - `nvidia.com/gpu` Exists NoSchedule
   */
  readonly tolerations?: k8s.Toleration[];
  /**
   * Priority class of every operand pod.
   * @default 'system-node-critical'
   */
  readonly priorityClassName?: string;
  /**
   * How operand DaemonSets roll out (the driver always uses OnDelete).
   * @default UpdateStrategyType.ROLLING_UPDATE
   */
  readonly updateStrategy?: UpdateStrategyType;
  /**
   * With RollingUpdate: how many nodes may update at once (a number or a percentage).
   * @default '1'
   */
  readonly maxUnavailable?: string;
  /**
   * Extra labels on every operand pod.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Pod-level security context of every operand pod (`daemonsets.podSecurityContext`, v26.7.0+),
   * e.g. a seccomp or SELinux profile. The driver, toolkit and device plugin run as root, so
   * `runAsNonRoot: true` and a non-zero `runAsUser` are refused.
   * @default - none (the operator's defaults)
   */
  readonly podSecurityContext?: k8s.PodSecurityContext;
}

/** This project's plugin when it replaces the operator's. */
export interface ProjectPluginSettings {
  /**
   * The plugin image.
   * @default PluginImage.project()
   */
  readonly image?: PluginImage;
  /**
   * GPU health checking.
   * @default - XID checks on, NVIDIA's skip list, recovery after 60 s
   */
  readonly health?: HealthCheckOptions;
  /**
   * Compute resources of the plugin container (must set limits.memory).
   * @default - requests cpu 10m and memory 64Mi, limit memory 192Mi
   */
  readonly resources?: k8s.ResourceRequirements;
}

/** The device plugin (`spec.devicePlugin`), the operator's or this project's. */
export interface DevicePluginSettings {
  /**
   * Run a device plugin at all.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Which plugin runs: the operator's operand, or this project's in its place (the
   * ClusterPolicy then turns the operator's off; GpuOperatorStack adds a GpuDevicePlugin).
   * @default DevicePluginProvider.OPERATOR
   */
  readonly provider?: DevicePluginProvider;
  /**
   * Image of the operator's plugin (and of GPU Feature Discovery unless gfd.image is set).
   * @default - the release's device plugin
   */
  readonly image?: OperandImage;
  /**
   * Named plugin configs (time-slicing, MPS), rendered into one ConfigMap.
   * @default - one config named `default`: whole GPUs, no sharing
   */
  readonly configs?: NamedDevicePluginConfig[];
  /**
   * The config nodes get without a `nvidia.com/device-plugin.config` label.
   * @default - the first config
   */
  readonly defaultConfig?: string;
  /**
   * This project's plugin, when provider is PROJECT.
   * @default - defaults of GpuDevicePlugin
   */
  readonly projectPlugin?: ProjectPluginSettings;
}

/** The DCGM exporter's Prometheus Operator ServiceMonitor. */
export interface ServiceMonitorSettings {
  /**
   * Let the operator create a ServiceMonitor for the exporter.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Scrape interval (a Prometheus duration).
   * @default '15s'
   */
  readonly interval?: string;
  /**
   * Scrape timeout (a Prometheus duration, not above interval); v26.7.0+.
   * @default - '10s' on releases that have the field (the chart's default), else none
   */
  readonly scrapeTimeout?: string;
  /**
   * Keep the exporter's labels when they clash with target labels.
   * @default false
   */
  readonly honorLabels?: boolean;
  /**
   * Labels on the ServiceMonitor (so your Prometheus selects it).
   * @default - none
   */
  readonly additionalLabels?: { [key: string]: string };
}

/**
 * Kubernetes pod metadata on the exporter's metrics (v26.7.0+). Either switch makes the
 * operator grant the exporter cluster-wide read access to pods.
 */
export interface DcgmExporterPodLabels {
  /**
   * Add the labels of the pod using a GPU to its metrics (`enablePodLabels`).
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * Add the pod's UID (`enablePodUID`).
   * @default false
   */
  readonly uid?: boolean;
  /**
   * Only pod labels whose names match one of these regular expressions (`podLabelAllowlistRegex`),
   * to bound Prometheus cardinality.
   * @default - every pod label
   */
  readonly allowlist?: string[];
}

/** The DCGM exporter (`spec.dcgmExporter`). */
export interface DcgmExporterSettings {
  /**
   * Run the exporter.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The exporter image.
   * @default - the release's exporter
   */
  readonly image?: OperandImage;
  /**
   * The ServiceMonitor.
   * @default - enabled, every 15s
   */
  readonly serviceMonitor?: ServiceMonitorSettings;
  /**
   * The metrics collected.
   * @default DcgmMetrics.recommended()
   */
  readonly metrics?: DcgmMetrics;
  /**
   * Pod labels and UIDs on the metrics (v26.7.0+).
   * @default - off (the chart's default)
   */
  readonly podLabels?: DcgmExporterPodLabels;
}

/** An operand that is only switched on or off and pinned (`dcgm`, `gfd`, `nodeStatusExporter`). */
export interface OperandSettings {
  /**
   * Run the operand.
   * @default - gfd on, dcgm and nodeStatusExporter off (as NVIDIA's chart)
   */
  readonly enabled?: boolean;
  /**
   * The operand image.
   * @default - the pinned release's image
   */
  readonly image?: OperandImage;
}

/** How MIG devices are advertised (`spec.mig`). */
export interface MigSettings {
  /**
   * The MIG strategy of the device plugin and GFD.
   * @default MigStrategy.SINGLE
   */
  readonly strategy?: MigStrategy;
}

/** The MIG manager (`spec.migManager`). */
export interface MigManagerSettings {
  /**
   * Run the MIG manager on MIG-capable nodes.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The MIG manager image.
   * @default - the release's MIG manager
   */
  readonly image?: OperandImage;
  /**
   * MIG layouts nodes choose with `nvidia.com/mig.config=<name>`, as a mig-parted ConfigMap.
   * @default - the operator's built-in layouts
   */
  readonly layouts?: MigLayout[];
}

/** The operator's validator (`spec.validator`). */
export interface ValidatorSettings {
  /**
   * The validator image.
   * @default - the release's validator (the operator's image)
   */
  readonly image?: OperandImage;
  /**
   * Run a CUDA workload on each node to prove the plugin hands out GPUs.
   * @default false
   */
  readonly runPluginWorkload?: boolean;
}

/** Container Device Interface (`spec.cdi`). */
export interface CdiSettings {
  /**
   * Inject GPUs through CDI.
   * @default true
   */
  readonly enabled?: boolean;
}

/** Host paths the operands use (`spec.hostPaths`). */
export interface HostPathsSettings {
  /**
   * The host's root filesystem (must be chroot-able).
   * @default '/'
   */
  readonly rootFs?: string;
  /**
   * Where the containerized driver's files appear on the host.
   * @default '/run/nvidia/driver'
   */
  readonly driverInstallDir?: string;
  /**
   * The kubelet's root directory, for nodes that moved it (`hostPaths.kubeletRootDir`, v26.7.0+).
   * @default - not set: the operator's default, /var/lib/kubelet
   */
  readonly kubeletRootDir?: string;
}

/** Properties of a ClusterPolicy: the settings users change in NVIDIA's `ClusterPolicy`. */
export interface ClusterPolicyProps {
  /**
   * The GPU Operator release: every default image, and which fields are emitted, follow it.
   * @default GpuOperatorRelease.PINNED (v26.7.0)
   */
  readonly release?: GpuOperatorRelease;
  /**
   * Name of the ClusterPolicy (the operator acts on one per cluster).
   * @default 'cluster-policy'
   */
  readonly name?: string;
  /**
   * Namespace the operator runs in, where the referenced ConfigMaps must live.
   * @default 'gpu-operator'
   */
  readonly namespace?: string;
  /**
   * The operator's settings.
   * @default - containerd, RuntimeClass `nvidia`
   */
  readonly operator?: OperatorSettings;
  /**
   * Settings shared by every operand DaemonSet.
   * @default - NVIDIA's chart defaults
   */
  readonly daemonsets?: DaemonSetsSettings;
  /**
   * The containerized driver.
   * @default - installed by the operator, automatic upgrades
   */
  readonly driver?: DriverSettings;
  /**
   * The NVIDIA Container Toolkit.
   * @default - installed by the operator for system containerd
   */
  readonly toolkit?: ToolkitSettings;
  /**
   * The device plugin.
   * @default - the operator's, with one `default` config
   */
  readonly devicePlugin?: DevicePluginSettings;
  /**
   * The standalone DCGM host engine.
   * @default - off (the exporter embeds one)
   */
  readonly dcgm?: OperandSettings;
  /**
   * The DCGM exporter.
   * @default - on, ServiceMonitor every 15s, recommended metrics
   */
  readonly dcgmExporter?: DcgmExporterSettings;
  /**
   * GPU Feature Discovery.
   * @default - on
   */
  readonly gfd?: OperandSettings;
  /**
   * MIG strategy.
   * @default - single
   */
  readonly mig?: MigSettings;
  /**
   * The MIG manager.
   * @default - on, with the operator's built-in layouts
   */
  readonly migManager?: MigManagerSettings;
  /**
   * The validator.
   * @default - no CUDA workload
   */
  readonly validator?: ValidatorSettings;
  /**
   * The node status exporter.
   * @default - off
   */
  readonly nodeStatusExporter?: OperandSettings;
  /**
   * Container Device Interface.
   * @default - enabled
   */
  readonly cdi?: CdiSettings;
  /**
   * Host paths.
   * @default - `/` and `/run/nvidia/driver`
   */
  readonly hostPaths?: HostPathsSettings;
}
