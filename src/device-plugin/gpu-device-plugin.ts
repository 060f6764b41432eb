import { createHash } from 'crypto';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PRIVILEGED_NAMESPACE_LABELS, selectorLabels, standardLabels } from '../common/labels';
import {
  isLabelName,
  requireDnsLabel,
  requireDnsSubdomain,
  requireEnvName,
  requireLabelValue,
  requireLabels,
  requireOneOf,
  requireResourceRequirements,
  requireTolerations,
} from '../common/validation';
import { DEFAULT_SKIP_XIDS } from '../common/plugin-constants';
import { requireUniqueObjectNames } from '../common/unique-names';
import { FallbackStrategy, NamedDevicePluginConfig, resolveFallbacks, resolveNamedConfigs } from './named-configs';
import { HealthCheckOptions, PluginUpdateStrategy, UpdateStrategyType } from './gpu-device-plugin-props';
import {
  DEVICE_PLUGIN_CONFIG_KEYS,
  DeviceListStrategy,
  DevicePluginConfig,
  DevicePluginConfigProps,
  MigStrategy,
} from './plugin-config';
import { PluginImage, PluginImageKind } from './plugin-image';

/** The kubelet's device plugin directory: sockets live here. */
export const DEVICE_PLUGIN_DIR = '/var/lib/kubelet/device-plugins';
/** Port of the plugin's /healthz, /readyz and /metrics endpoints. */
export const PLUGIN_HEALTH_PORT = 8080;
/** Where the config ConfigMap is mounted in the plugin container. */
export const PLUGIN_CONFIG_DIR = '/config';
/** Where the config file is mounted in the plugin container (single-config mode). */
export const PLUGIN_CONFIG_PATH = `${PLUGIN_CONFIG_DIR}/config.yaml`;
/** node-feature-discovery's directory of local feature files (nfd-worker's default). */
export const NFD_FEATURES_DIR = '/etc/kubernetes/node-feature-discovery/features.d';
/** The file the plugin writes GPU Feature Discovery labels into (NVIDIA's GFD default). */
export const GFD_FEATURE_FILE = `${NFD_FEATURES_DIR}/gfd`;
/** Where the container sees the host's driver root when it needs the driver's files (CDI). */
export const CONTAINER_DRIVER_ROOT = '/driver-root';
/** Where the plugin and the MPS control daemon see the host's MPS root (NVIDIA's layout). */
export const MPS_CONTAINER_ROOT = '/mps';
/** XIDs NVIDIA's plugin ignores by default (application errors, not GPU faults): the plugin's DEFAULT_SKIP_XIDS. */
export const DEFAULT_SKIPPED_XIDS: number[] = [...DEFAULT_SKIP_XIDS];

/** Properties of a GpuDevicePlugin. */
export interface GpuDevicePluginProps extends DevicePluginConfigProps {
  /**
   * Named configs, one picked per node by the node label `nvidia.com/device-plugin.config=<name>`
   * (NVIDIA's config manager convention): some node pools get whole GPUs, others time-slicing,
   * from one DaemonSet. The plugin watches its own Node and applies a label change without a
   * pod restart; an unset label gives `defaultConfig`, else the `fallbackStrategies`; an unknown
   * name gives the default with a warning. Replaces the single-config props (migStrategy,
   * timeSlicing, …), which must then be left out: set them in each config instead.
   *
   * Adds a ClusterRole with get/list/watch on nodes (bound to the plugin's ServiceAccount, whose
   * token is then mounted): the plugin reads its own Node's labels.
   * @default - one config, from the single-config props
   */
  readonly configs?: NamedDevicePluginConfig[];
  /**
   * An existing ConfigMap (in the plugin's namespace) holding named configs, one key per config
   * (NVIDIA's `config.name`): the plugin follows the node label as with `configs`, and no
   * ConfigMap is created. The files are not read here, so the single-config props only set the
   * pod up (capabilities, mounts): set them to what the configs need. Not with `configs`.
   * @default - none
   */
  readonly existingConfigMap?: string;
  /**
   * The config of nodes without the `nvidia.com/device-plugin.config` label (one of `configs`).
   * @default - none: the fallbackStrategies decide
   */
  readonly defaultConfig?: string;
  /**
   * What a node without the label gets when defaultConfig is not set, tried in order
   * (NVIDIA's `config.fallbackStrategies`). Only with configs.
   * @default [FallbackStrategy.NAMED, FallbackStrategy.SINGLE]
   */
  readonly fallbackStrategies?: FallbackStrategy[];
  /**
   * Base name of every object (DaemonSet, ServiceAccount, ConfigMap `<name>-config`).
   * @default 'gpu-device-plugin'
   */
  readonly name?: string;
  /**
   * Namespace of the plugin's objects.
   * @default 'gpu-device-plugin'
   */
  readonly namespace?: string;
  /**
   * Create the namespace (labelled for Pod Security `privileged`); false to use an existing one.
   * @default true
   */
  readonly createNamespace?: boolean;
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
   * Nodes the plugin runs on, as node labels that must all match.
   * @default - none (node affinity picks GPU nodes)
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Node affinity of the plugin pods.
   * @default - nodes with an NVIDIA PCI device (NFD), an NVIDIA CPU, or `nvidia.com/gpu.present=true`
   */
  readonly affinity?: k8s.Affinity;
  /**
   * Tolerations of the plugin pods.
   * @default - `nvidia.com/gpu` Exists NoSchedule and `CriticalAddonsOnly` Exists
   */
  readonly tolerations?: k8s.Toleration[];
  /**
   * Priority class of the plugin pods.
   * @default 'system-node-critical'
   */
  readonly priorityClassName?: string;
  /**
   * Compute resources of the plugin container.
   * @default - requests cpu 10m and memory 64Mi, limit memory 192Mi
   */
  readonly resources?: k8s.ResourceRequirements;
  /**
   * RuntimeClass of the plugin pods (e.g. `nvidia` when it is not the default runtime).
   * @default - the cluster's default runtime
   */
  readonly runtimeClassName?: string;
  /**
   * How the DaemonSet rolls out new versions.
   * @default - RollingUpdate with maxUnavailable 1
   */
  readonly updateStrategy?: PluginUpdateStrategy;
  /**
   * Extra environment variables of the plugin container (they win over generated ones).
   * @default - none
   */
  readonly extraEnv?: { [key: string]: string };
  /**
   * Extra command-line arguments of the plugin.
   * @default - none
   */
  readonly extraArgs?: string[];
  /**
   * Write GPU Feature Discovery labels (`nvidia.com/gpu.product`, `nvidia.com/gpu.memory`,
   * `nvidia.com/gpu.count`, `nvidia.com/cuda.driver-version.*`, … with the names and values of
   * NVIDIA's gpu-feature-discovery) into node-feature-discovery's local feature file
   * `/etc/kubernetes/node-feature-discovery/features.d/gfd` on each GPU node. NFD's nfd-worker
   * (installed separately; the GPU Operator brings one) turns the file into node labels;
   * without NFD the file is written and nothing labels the node. Needs this project's image.
   * GpuJob's `gpuProducts` and `minGpuMemory` select nodes by these labels.
   * @default false
   */
  readonly gpuFeatureDiscovery?: boolean;
  /**
   * Names of Secrets (in the plugin's namespace) to pull the image with, for a private registry.
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * When the kubelet pulls the image: `IfNotPresent`, `Always` or `Never`.
   * @default 'IfNotPresent'
   */
  readonly imagePullPolicy?: string;
  /**
   * Extra annotations of the plugin pods (the config hash annotation cannot be replaced).
   * @default - none
   */
  readonly podAnnotations?: { [key: string]: string };
  /**
   * Security context of the plugin pods.
   * @default - none
   */
  readonly podSecurityContext?: k8s.PodSecurityContext;
  /**
   * Security context of the plugin container, replacing the generated one entirely (the
   * generated one drops all capabilities and adds only what the config needs).
   * @default - generated from the config
   */
  readonly securityContext?: k8s.SecurityContext;
  /**
   * Run the plugin pods in the host's network namespace (NVIDIA's `devicePlugin.enableHostNetwork`),
   * e.g. where the pod network is not up before the device plugin; the health port 8080 is then a host port.
   * @default false
   */
  readonly hostNetwork?: boolean;
}

/** The image pull policies the kubelet knows. */
const IMAGE_PULL_POLICIES = ['IfNotPresent', 'Always', 'Never'];
/** Pod annotation that carries the config hash (rolls the pods on a config change). */
const CONFIG_HASH_ANNOTATION = 'cdk8s-gpu.io/config-sha256';

/**
 * The NVIDIA GPU device plugin: namespace, ServiceAccount, ConfigMap with the plugin's
 * `version: v1` config file, and the DaemonSet that runs the plugin on every GPU node.
 */
export class GpuDevicePlugin extends Construct {
  /** Name of the DaemonSet (and base of the other names). */
  public readonly name: string;
  /** Namespace of the plugin's objects. */
  public readonly namespace: string;
  /** The image the DaemonSet runs. */
  public readonly image: PluginImage;
  /**
   * The validated plugin config written to the ConfigMap; with named configs, the default
   * config (or the first one when none is named).
   */
  public readonly config: DevicePluginConfig;
  /**
   * Every config the pods may run: the one config, or each named config in the order of
   * configNames. Pod settings (capabilities, mounts) cover them all.
   */
  public readonly allConfigs: DevicePluginConfig[];
  /** Names of the named configs, in the order given; empty in single-config mode. */
  public readonly configNames: string[];
  /** The default named config, when one is named. */
  public readonly defaultConfig?: string;
  /** The ClusterRole that lets the plugin read its Node (named configs only). */
  public readonly nodeReaderRole?: ApiObject;
  /** Name of the ConfigMap holding the config file. */
  public readonly configMapName: string;
  /** The DaemonSet object. */
  public readonly daemonSet: ApiObject;
  /** Whether the plugin writes GPU Feature Discovery labels for NFD. */
  public readonly gpuFeatureDiscovery: boolean;
  /**
   * The MPS control daemon DaemonSet (`<name>-mps-control-daemon`), present when `mps` is
   * configured: the plugin advertises MPS replicas only once this daemon is ready.
   */
  public readonly mpsControlDaemon?: ApiObject;

  private readonly labels: { [key: string]: string };
  private readonly fallbackStrategies?: FallbackStrategy[];
  private readonly existingConfigMap?: string;
  private readonly env: { [key: string]: string };
  private readonly args: string[];
  private readonly tolerations: k8s.Toleration[];

  constructor(scope: Construct, id: string, props: GpuDevicePluginProps = {}) {
    super(scope, id);
    this.name = props.name ?? 'gpu-device-plugin';
    this.namespace = props.namespace ?? 'gpu-device-plugin';
    this.image = props.image ?? PluginImage.project();
    if (props.configs !== undefined) {
      const mixed = DEVICE_PLUGIN_CONFIG_KEYS.filter((k) => (props as Record<string, unknown>)[k] !== undefined);
      if (mixed.length > 0) {
        throw new Error(
          `configs cannot be combined with the single-config props ${mixed.join(', ')}: with named configs every setting belongs to a config; move ${mixed.join(', ')} into each entry's config, or leave configs out`,
        );
      }
      const named = resolveNamedConfigs(props.configs, props.defaultConfig, props.fallbackStrategies);
      this.configNames = named.names;
      this.allConfigs = named.configs;
      this.defaultConfig = named.defaultName;
      this.fallbackStrategies = named.fallbackStrategies;
      this.config = named.configs[named.defaultName ? named.names.indexOf(named.defaultName) : 0];
      if (props.existingConfigMap !== undefined) {
        throw new Error(
          `configs and existingConfigMap "${props.existingConfigMap}" both name the named configs; keep one of them`,
        );
      }
    } else if (props.existingConfigMap !== undefined) {
      requireDnsSubdomain('existingConfigMap', props.existingConfigMap);
      // The configs live in the cluster: the default's name and the fallbacks are all there is to check.
      this.fallbackStrategies = resolveFallbacks(props.fallbackStrategies);
      if (props.defaultConfig !== undefined) requireLabelValue('defaultConfig', props.defaultConfig);
      this.defaultConfig = props.defaultConfig;
      this.config = new DevicePluginConfig(props);
      if (this.config.mps) {
        throw new Error(
          'mps cannot be combined with existingConfigMap: named configs do not support MPS yet (the MPS control daemon follows one config); leave mps out, or use a single config on the MPS nodes',
        );
      }
      this.configNames = [];
      this.allConfigs = [this.config];
    } else {
      for (const key of ['defaultConfig', 'fallbackStrategies'] as const) {
        if (props[key] !== undefined) {
          throw new Error(
            `${key} applies only with configs or existingConfigMap (named configs); add one of them or remove ${key}`,
          );
        }
      }
      this.config = new DevicePluginConfig(props);
      this.configNames = [];
      this.allConfigs = [this.config];
    }
    this.existingConfigMap = props.existingConfigMap;
    this.configMapName = props.existingConfigMap ?? `${this.name}-config`;
    requireDnsLabel('name', this.name);
    requireDnsLabel('namespace', this.namespace);
    this.labels = standardLabels({
      name: this.name,
      instance: this.name,
      component: 'device-plugin',
      version: labelVersion(this.image.tag),
    });
    Object.keys(props.extraEnv ?? {}).forEach((name) => requireEnvName('extraEnv', name));
    this.gpuFeatureDiscovery = props.gpuFeatureDiscovery ?? false;
    if (this.gpuFeatureDiscovery && this.image.kind === PluginImageKind.NVIDIA) {
      throw new Error(
        "gpuFeatureDiscovery needs this project's plugin image: NVIDIA's plugin writes no labels (deploy NVIDIA's gpu-feature-discovery, e.g. its chart's gfd.enabled, instead)",
      );
    }
    this.env = { ...this.generatedEnv(props.health ?? {}), ...(props.extraEnv ?? {}) };
    this.args = [...(props.extraArgs ?? [])];
    requireTolerations('tolerations', props.tolerations);
    this.tolerations = [...(props.tolerations ?? defaultTolerations())];
    requireLabels('nodeSelector', props.nodeSelector);
    // Empty means "no priority class" to the API server; runtimeClassName has no such value.
    if (props.priorityClassName) requireDnsSubdomain('priorityClassName', props.priorityClassName);
    if (props.runtimeClassName !== undefined) requireDnsSubdomain('runtimeClassName', props.runtimeClassName);
    checkResources(props.resources);
    if (props.imagePullPolicy !== undefined && !IMAGE_PULL_POLICIES.includes(props.imagePullPolicy)) {
      throw new Error(
        `imagePullPolicy must be one of ${IMAGE_PULL_POLICIES.join(', ')} (got "${props.imagePullPolicy}")`,
      );
    }
    (props.imagePullSecrets ?? []).forEach((n, i) => requireDnsSubdomain(`imagePullSecrets[${i}]`, n));
    if (props.podAnnotations && CONFIG_HASH_ANNOTATION in props.podAnnotations) {
      throw new Error(
        `podAnnotations must not set ${CONFIG_HASH_ANNOTATION}: the plugin sets it to the config's hash so a changed config rolls the pods; remove that key`,
      );
    }

    if (props.createNamespace ?? true) {
      new k8s.KubeNamespace(this, 'Namespace', {
        metadata: {
          name: this.namespace,
          labels: {
            ...this.labels,
            ...PRIVILEGED_NAMESPACE_LABELS,
          },
        },
      });
    }
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.name, namespace: this.namespace, labels: this.labels },
      // Single config: the plugin talks only to the kubelet over a unix socket, never to the
      // API server. Named configs: the pod spec mounts the token (it reads its own Node).
      automountServiceAccountToken: false,
    });
    const configData = this.named
      ? Object.fromEntries(this.configNames.map((n, i) => [n, this.allConfigs[i].toYaml()]))
      : { 'config.yaml': this.config.toYaml() };
    // What the pods' config hash covers: the one file, or every named file (by name, sorted).
    const configYaml = this.named
      ? Object.keys(configData)
          .sort()
          .map((n) => `--- ${n}\n${configData[n]}`)
          .join('')
      : configData['config.yaml'];
    if (this.existingConfigMap === undefined) {
      new k8s.KubeConfigMap(this, 'ConfigMap', {
        metadata: { name: this.configMapName, namespace: this.namespace, labels: this.labels },
        data: configData,
      });
    }
    if (this.named) {
      this.nodeReaderRole = this.renderNodeReader();
    }
    this.daemonSet = new k8s.KubeDaemonSet(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels: this.labels },
      spec: {
        selector: { matchLabels: selectorLabels({ name: this.name, instance: this.name }) },
        updateStrategy: renderUpdateStrategy(props.updateStrategy),
        template: {
          metadata: {
            labels: this.labels,
            // A changed config rolls the pods, so a node never keeps serving an old config.
            // An existing ConfigMap is not ours to hash: the plugin re-reads its files itself.
            annotations: nonEmpty({
              ...(props.podAnnotations ?? {}),
              ...(this.existingConfigMap === undefined ? { [CONFIG_HASH_ANNOTATION]: sha256(configYaml) } : {}),
            }),
          },
          spec: this.renderPodSpec(props),
        },
      },
    });
    if (this.config.mps) {
      this.mpsControlDaemon = this.renderMpsControlDaemon(props, configYaml);
    }
    requireUniqueObjectNames(this, 'GpuDevicePlugin', (obj) =>
      obj.kind === 'Namespace'
        ? 'set namespace to another one, or createNamespace: false on all but one of the plugins sharing it'
        : 'set name (or namespace) to another value on one of them',
    );
  }

  /** True with named configs (configs set): the plugin follows its node's config label. */
  private get named(): boolean {
    return this.configNames.length > 0 || this.existingConfigMap !== undefined;
  }

  /** True when any config the pods may run has MIG on. */
  private get anyMig(): boolean {
    return this.allConfigs.some((c) => c.migStrategy !== MigStrategy.NONE);
  }

  /** True when any config the pods may run hands devices over as CDI devices. */
  private get anyCdi(): boolean {
    return this.allConfigs.some((c) => c.usesCdi);
  }

  /**
   * The ClusterRole and ClusterRoleBinding that let the plugin read its own Node's config label.
   * Cluster-scoped because Nodes are: a Role cannot grant access to them, and resourceNames
   * cannot name the many nodes of a DaemonSet, so get/list/watch on nodes is the least there is
   * (the plugin itself lists and watches only `metadata.name=<its node>`).
   */
  private renderNodeReader(): ApiObject {
    const roleName = `${this.name}-node-reader`;
    const role = new k8s.KubeClusterRole(this, 'NodeReader', {
      metadata: { name: roleName, labels: this.labels },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }],
    });
    new k8s.KubeClusterRoleBinding(this, 'NodeReaderBinding', {
      metadata: { name: roleName, labels: this.labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: this.name, namespace: this.namespace }],
    });
    return role;
  }

  /**
   * Add a toleration to the plugin pods.
   * @param toleration the toleration
   */
  public addToleration(toleration: k8s.Toleration): void {
    requireTolerations('tolerations', [toleration], this.tolerations.length);
    this.tolerations.push(toleration);
  }

  /**
   * Add (or replace) an environment variable of the plugin container.
   * @param name variable name
   * @param value variable value
   */
  public addEnv(name: string, value: string): void {
    requireEnvName('addEnv', name);
    this.env[name] = value;
  }

  /**
   * Append a command-line argument of the plugin.
   * @param arg the argument
   */
  public addArg(arg: string): void {
    this.args.push(arg);
  }

  private generatedEnv(health: HealthCheckOptions): { [key: string]: string } {
    const env: { [key: string]: string } = {
      // Let the NVIDIA container runtime hand the plugin every GPU and NVML itself.
      NVIDIA_VISIBLE_DEVICES: 'all',
      NVIDIA_DRIVER_CAPABILITIES: 'compute,utility',
    };
    if (this.named) {
      // The plugin picks one file of the directory by its node's label (NODE_NAME, below).
      env.CONFIG_DIR = PLUGIN_CONFIG_DIR;
      if (this.defaultConfig !== undefined) env.DEFAULT_CONFIG = this.defaultConfig;
      env.FALLBACK_STRATEGIES = this.fallbackStrategies!.join(',');
    } else {
      env.CONFIG_FILE = PLUGIN_CONFIG_PATH;
    }
    if (this.anyMig) {
      env.NVIDIA_MIG_MONITOR_DEVICES = 'all';
    }
    if (this.gpuFeatureDiscovery) {
      env.GFD_OUTPUT_FILE = GFD_FEATURE_FILE;
    }
    for (const [field, xids] of [
      ['skipXids', health.skipXids],
      ['enableXids', health.enableXids],
    ] as const) {
      for (const x of xids ?? []) {
        if (!Number.isInteger(x) || x < 1) {
          throw new Error(`health.${field} must hold whole XID numbers ≥ 1 (got ${x})`);
        }
      }
    }
    if (health.disabled) {
      env.DP_DISABLE_HEALTHCHECKS = 'all';
    } else if (health.skipXids && health.skipXids.length > 0) {
      env.DP_DISABLE_HEALTHCHECKS = health.skipXids.join(',');
    }
    if (health.enableXids && health.enableXids.length > 0) {
      env.DP_ENABLE_HEALTHCHECKS = health.enableXids.join(',');
    }
    if (health.recoverySeconds !== undefined) {
      if (!Number.isInteger(health.recoverySeconds) || health.recoverySeconds < 0) {
        throw new Error(`health.recoverySeconds must be a whole number of seconds ≥ 0 (got ${health.recoverySeconds})`);
      }
      if (this.image.kind === PluginImageKind.NVIDIA) {
        throw new Error(
          "health.recoverySeconds needs this project's plugin image: NVIDIA's plugin never marks a GPU healthy again",
        );
      }
      env.HEALTH_RECOVERY_SECONDS = String(health.recoverySeconds);
    }
    return env;
  }

  private renderPodSpec(props: GpuDevicePluginProps): k8s.PodSpec {
    const volumes: k8s.Volume[] = [
      { name: 'device-plugins', hostPath: { path: DEVICE_PLUGIN_DIR, type: 'Directory' } },
      { name: 'config', configMap: { name: this.configMapName } },
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: 'device-plugins', mountPath: DEVICE_PLUGIN_DIR },
      { name: 'config', mountPath: '/config', readOnly: true },
    ];
    // Every named config has the same driver root (resolveNamedConfigs checks it).
    if (this.config.nvidiaDriverRoot !== '/' || this.anyCdi) {
      // A containerized driver (GPU Operator) lives under its own root; NVML is found there.
      // The CDI spec lists the driver's device nodes, libraries and binaries, read here.
      volumes.push({ name: 'driver-root', hostPath: { path: this.config.nvidiaDriverRoot, type: 'Directory' } });
      mounts.push({ name: 'driver-root', mountPath: CONTAINER_DRIVER_ROOT, readOnly: true });
    }
    if (this.anyCdi) {
      volumes.push({ name: 'cdi-root', hostPath: { path: '/var/run/cdi', type: 'DirectoryOrCreate' } });
      mounts.push({ name: 'cdi-root', mountPath: '/var/run/cdi' });
    }
    if (this.gpuFeatureDiscovery) {
      volumes.push({ name: 'nfd-features', hostPath: { path: NFD_FEATURES_DIR, type: 'DirectoryOrCreate' } });
      mounts.push({ name: 'nfd-features', mountPath: NFD_FEATURES_DIR });
    }
    if (this.config.mps) {
      volumes.push({ name: 'mps-root', hostPath: { path: this.config.mpsRoot, type: 'DirectoryOrCreate' } });
      // NVIDIA's layout: the plugin reads the daemon's /mps/.ready and /mps/<resource>/.started there.
      mounts.push({ name: 'mps-root', mountPath: MPS_CONTAINER_ROOT });
    }
    const projectImage = this.image.kind === PluginImageKind.PROJECT;
    const container: k8s.Container = {
      name: 'device-plugin',
      image: this.image.reference,
      imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
      args: this.args.length > 0 ? [...this.args] : undefined,
      env: this.renderEnv(),
      ports: projectImage ? [{ name: 'metrics', containerPort: PLUGIN_HEALTH_PORT, protocol: 'TCP' }] : undefined,
      // NVIDIA's image has no health endpoint, so probes exist only for ours.
      livenessProbe: projectImage ? httpProbe('/healthz', 10, 3) : undefined,
      readinessProbe: projectImage ? httpProbe('/readyz', 5, 2) : undefined,
      resources: props.resources ?? {
        requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('64Mi') },
        limits: { memory: k8s.Quantity.fromString('192Mi') },
      },
      securityContext: props.securityContext ?? this.renderSecurityContext(),
      volumeMounts: mounts,
    };
    return {
      serviceAccountName: this.name,
      // Named configs: the plugin watches its own Node (the ClusterRole above); else no token.
      automountServiceAccountToken: this.named,
      priorityClassName: props.priorityClassName ?? 'system-node-critical',
      runtimeClassName: props.runtimeClassName,
      hostNetwork: props.hostNetwork ? true : undefined,
      imagePullSecrets:
        props.imagePullSecrets && props.imagePullSecrets.length > 0
          ? props.imagePullSecrets.map((name) => ({ name }))
          : undefined,
      securityContext: props.podSecurityContext,
      nodeSelector: props.nodeSelector,
      affinity: props.affinity ?? defaultAffinity(),
      tolerations: this.tolerations,
      containers: [container],
      volumes,
    };
  }

  /**
   * The MPS control daemon, as NVIDIA's chart deploys it (daemonset-mps-control-daemon.yml):
   * same image, `gpu-device-plugin mps-control-daemon`, the same config and node selection
   * as the plugin, the host's MPS root at /mps and its `shm` directory at /dev/shm.
   *
   * hostPID: the MPS control daemon and the MPS server it forks find client processes by
   * their host PIDs (NVIDIA: "the MPS server needs to find its own PID via /proc/self"
   * and the PIDs of the CUDA processes in workload pods); in a private PID namespace the
   * server cannot match clients and CUDA calls of MPS pods fail. Privileged, as NVIDIA's:
   * the server needs every GPU device node and the driver's control devices.
   */
  private renderMpsControlDaemon(props: GpuDevicePluginProps, configYaml: string): ApiObject {
    const name = `${this.name}-mps-control-daemon`;
    requireDnsLabel('name (with the "-mps-control-daemon" suffix of the MPS DaemonSet)', name);
    const labels = standardLabels({
      name: this.name,
      instance: name,
      component: 'mps-control-daemon',
      version: labelVersion(this.image.tag),
    });
    const volumes: k8s.Volume[] = [
      { name: 'config', configMap: { name: this.configMapName } },
      { name: 'mps-root', hostPath: { path: this.config.mpsRoot, type: 'DirectoryOrCreate' } },
      { name: 'mps-shm', hostPath: { path: `${this.config.mpsRoot}/shm`, type: 'DirectoryOrCreate' } },
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: 'config', mountPath: '/config', readOnly: true },
      { name: 'mps-root', mountPath: MPS_CONTAINER_ROOT },
      { name: 'mps-shm', mountPath: '/dev/shm' },
    ];
    // The same driver-root mount as the plugin's (the chart renders both from one condition).
    if (this.config.nvidiaDriverRoot !== '/' || this.config.usesCdi) {
      volumes.push({ name: 'driver-root', hostPath: { path: this.config.nvidiaDriverRoot, type: 'Directory' } });
      mounts.push({ name: 'driver-root', mountPath: CONTAINER_DRIVER_ROOT, readOnly: true });
    }
    const nvidiaImage = this.image.kind === PluginImageKind.NVIDIA;
    return new k8s.KubeDaemonSet(this, 'MpsControlDaemon', {
      metadata: { name, namespace: this.namespace, labels },
      spec: {
        selector: { matchLabels: selectorLabels({ name: this.name, instance: name }) },
        updateStrategy: renderUpdateStrategy(props.updateStrategy),
        template: {
          metadata: { labels, annotations: { 'cdk8s-gpu.io/config-sha256': sha256(configYaml) } },
          spec: {
            serviceAccountName: this.name,
            automountServiceAccountToken: false,
            priorityClassName: props.priorityClassName ?? 'system-node-critical',
            runtimeClassName: props.runtimeClassName,
            nodeSelector: props.nodeSelector,
            affinity: props.affinity ?? defaultAffinity(),
            tolerations: this.tolerations,
            hostPid: true,
            // Pulled like the plugin's image (same image, same registry credentials).
            imagePullSecrets:
              props.imagePullSecrets && props.imagePullSecrets.length > 0
                ? props.imagePullSecrets.map((n) => ({ name: n }))
                : undefined,
            containers: [
              {
                name: 'mps-control-daemon',
                image: this.image.reference,
                imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
                // NVIDIA's image ships its own mps-control-daemon binary; ours is a subcommand.
                command: nvidiaImage ? ['mps-control-daemon'] : undefined,
                args: nvidiaImage ? undefined : ['mps-control-daemon', ...this.args],
                env: Object.keys(this.env)
                  .sort()
                  .map((n) => ({ name: n, value: this.env[n] })),
                resources: props.resources ?? {
                  requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('64Mi') },
                  limits: { memory: k8s.Quantity.fromString('192Mi') },
                },
                securityContext: { privileged: true },
                volumeMounts: mounts,
              },
            ],
            volumes,
          },
        },
      },
    });
  }

  /** The container env: the variables sorted by name, then NODE_NAME from the downward API. */
  private renderEnv(): k8s.EnvVar[] {
    const env: k8s.EnvVar[] = Object.keys(this.env)
      .sort()
      .map((name) => ({ name, value: this.env[name] }));
    if (this.named && !('NODE_NAME' in this.env)) {
      env.push({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
    }
    return env;
  }

  private renderSecurityContext(): k8s.SecurityContext {
    // With named configs a node may switch to any of them without a restart: cover them all.
    if (this.allConfigs.some((c) => c.passDeviceSpecs)) {
      // Device specs name /dev/nvidia* nodes the kubelet passes through; reading them all
      // needs a privileged container (NVIDIA's compat-with-cpumanager manifest does the same).
      return { privileged: true, readOnlyRootFilesystem: true };
    }
    const add: string[] = [];
    if (this.anyMig || this.allConfigs.some((c) => c.deviceListStrategy.includes(DeviceListStrategy.VOLUME_MOUNTS))) {
      // MIG: reading /proc/driver/nvidia/capabilities and the GI/CI capability devices needs
      // CAP_SYS_ADMIN; NVIDIA's chart adds it for volume-mounts as well.
      add.push('SYS_ADMIN');
    }
    return {
      allowPrivilegeEscalation: false,
      // The plugin writes only its sockets, into the hostPath mount.
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: add.length > 0 ? add : undefined },
      seccompProfile: { type: 'RuntimeDefault' },
    };
  }
}

function httpProbe(path: string, periodSeconds: number, failureThreshold: number): k8s.Probe {
  return {
    httpGet: { path, port: k8s.IntOrString.fromString('metrics') },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 2,
  };
}

function defaultTolerations(): k8s.Toleration[] {
  return [
    { key: 'CriticalAddonsOnly', operator: 'Exists' },
    { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
  ];
}

function defaultAffinity(): k8s.Affinity {
  // Any one of these labels marks a GPU node (node selector terms are ORed), as NVIDIA's chart.
  const term = (key: string, value: string): k8s.NodeSelectorTerm => ({
    matchExpressions: [{ key, operator: 'In', values: [value] }],
  });
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          term('feature.node.kubernetes.io/pci-10de.present', 'true'),
          term('feature.node.kubernetes.io/cpu-model.vendor_id', 'NVIDIA'),
          term('nvidia.com/gpu.present', 'true'),
        ],
      },
    },
  };
}

function renderUpdateStrategy(s: PluginUpdateStrategy | undefined): k8s.DaemonSetUpdateStrategy {
  const type = s?.type ?? UpdateStrategyType.ROLLING_UPDATE;
  requireOneOf('updateStrategy.type', type, UpdateStrategyType);
  if (type === UpdateStrategyType.ON_DELETE) {
    if (s?.maxUnavailable !== undefined) {
      throw new Error(
        `updateStrategy.maxUnavailable applies only to RollingUpdate (got "${s.maxUnavailable}" with OnDelete)`,
      );
    }
    return { type };
  }
  const maxUnavailable = s?.maxUnavailable ?? '1';
  if (!/^([1-9]\d*|(100|[1-9]?\d)%)$/.test(maxUnavailable)) {
    throw new Error(
      `updateStrategy.maxUnavailable must be a whole number ≥ 1 or a percentage like "10%" (got "${maxUnavailable}")`,
    );
  }
  const value = maxUnavailable.endsWith('%')
    ? k8s.IntOrString.fromString(maxUnavailable)
    : k8s.IntOrString.fromNumber(Number(maxUnavailable));
  return { type, rollingUpdate: { maxUnavailable: value } };
}

function checkResources(r: k8s.ResourceRequirements | undefined): void {
  if (r && !r.limits?.memory) {
    throw new Error(
      "resources must set limits.memory: an unbounded plugin on every GPU node risks the node (NVIDIA's chart sets none; we do)",
    );
  }
  requireResourceRequirements('resources', r);
}

// An image tag may run to 128 characters and end in '.' or '-'; a label value may not, and
// the API server would refuse every object. Such a tag leaves the library's version.
function labelVersion(tag: string): string | undefined {
  return isLabelName(tag) ? tag : undefined;
}

function nonEmpty(map: { [key: string]: string }): { [key: string]: string } | undefined {
  return Object.keys(map).length > 0 ? map : undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
