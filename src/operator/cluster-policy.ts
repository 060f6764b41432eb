import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { standardLabels } from '../common/labels';
import {
  promDurationMs,
  requireAbsolutePath,
  requireCountOrPercent,
  requireDnsLabel,
  requireDnsSubdomain,
  requireLabels,
  requireOneOf,
  requirePromDuration,
  requireTolerations,
} from '../common/validation';
import { UpdateStrategyType } from '../device-plugin/gpu-device-plugin-props';
import { DevicePluginConfig, MigStrategy } from '../device-plugin/plugin-config';
import { ClusterPolicyProps, DevicePluginSettings } from './cluster-policy-props';
import { ResolvedPolicy, renderSpec } from './cluster-policy-spec';
import { DcgmMetrics } from './dcgm-metrics';
import { MigPartedConfig } from './mig-layouts';
import { NamedPluginConfigs } from './named-plugin-configs';
import { resolveDriver } from './driver-resolve';
import { OperandImage } from './operator-images';
import { GpuOperatorRelease } from './releases';
import { resolveToolkitEnv } from './toolkit-env';
import { ContainerRuntime, DevicePluginProvider } from './vocabulary';

/** ConfigMap of the named device plugin configs. */
export const PLUGIN_CONFIGS_CONFIGMAP = 'device-plugin-configs';
/** ConfigMap of the MIG layouts (mig-parted format, key `config.yaml`). */
export const MIG_LAYOUTS_CONFIGMAP = 'custom-mig-parted-config';
/** ConfigMap of the DCGM exporter's metrics (key `dcgm-metrics.csv`). */
export const DCGM_METRICS_CONFIGMAP = 'dcgm-exporter-metrics';

/**
 * NVIDIA's `ClusterPolicy` (nvidia.com/v1, cluster-scoped), typed and validated, plus the
 * ConfigMaps it refers to: named device plugin configs, MIG layouts and DCGM metrics.
 */
export class ClusterPolicy extends Construct {
  /** The GPU Operator release the policy is written for. */
  public readonly release: GpuOperatorRelease;
  /** Name of the ClusterPolicy. */
  public readonly name: string;
  /** Namespace of the ConfigMaps (the operator's). */
  public readonly namespace: string;
  /** The MIG strategy in effect. */
  public readonly migStrategy: MigStrategy;
  /** Name of the RuntimeClass GPU pods use. */
  public readonly runtimeClass: string;
  /** Tolerations of every operand. */
  public readonly tolerations: k8s.Toleration[];
  /** Priority class of every operand. */
  public readonly priorityClassName: string;
  /** Update strategy of every operand. */
  public readonly updateStrategy: UpdateStrategyType;
  /** maxUnavailable of every operand (undefined with OnDelete). */
  public readonly maxUnavailable?: string;
  /** Whether the operator installs the driver. */
  public readonly driverEnabled: boolean;
  /** Where the driver's files are on the host: `/run/nvidia/driver` or `/`. */
  public readonly driverRoot: string;
  /** Whether a device plugin runs at all. */
  public readonly devicePluginEnabled: boolean;
  /** Which device plugin runs. */
  public readonly devicePluginProvider: DevicePluginProvider;
  /** Names of the device plugin configs (empty when no plugin runs). */
  public readonly pluginConfigNames: string[];
  /** The default device plugin config (undefined when no plugin runs). */
  public readonly defaultPluginConfig?: DevicePluginConfig;
  /** Name of the default device plugin config (undefined when no plugin runs). */
  public readonly defaultPluginConfigName?: string;
  /** Every device plugin config, in the order of pluginConfigNames (empty when no plugin runs). */
  public readonly pluginConfigs: DevicePluginConfig[];
  /** Whether the DCGM exporter runs. */
  public readonly dcgmExporterEnabled: boolean;
  /** The metrics the exporter collects. */
  public readonly dcgmMetrics: DcgmMetrics;
  /** The validator image (the operator Deployment gets the same). */
  public readonly validatorImage: OperandImage;
  /** The driver manager image (the operator Deployment gets the same). */
  public readonly driverManagerImage: OperandImage;
  /** The ClusterPolicy object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: ClusterPolicyProps = {}) {
    super(scope, id);
    const release = props.release ?? GpuOperatorRelease.PINNED;
    this.release = release;
    const features = release.features;
    // Fields a release's CRD does not have: refused here, where the message can name the prop
    // and the release, instead of by the apiserver's strict validation at apply time.
    const needs = (prop: string, has: boolean) => {
      if (!has) {
        throw new Error(
          `${prop} needs GPU Operator v26.7.0 or newer, but the release is ${release.version}, whose ClusterPolicy has no such field; remove it or set release to GpuOperatorRelease.V26_7_0`,
        );
      }
    };
    this.name = props.name ?? 'cluster-policy';
    this.namespace = props.namespace ?? 'gpu-operator';
    requireDnsSubdomain('name', this.name);
    requireDnsLabel('namespace', this.namespace);

    const operator = props.operator ?? {};
    const defaultRuntime = operator.defaultRuntime ?? ContainerRuntime.CONTAINERD;
    requireOneOf('operator.defaultRuntime', defaultRuntime, ContainerRuntime);
    this.runtimeClass = operator.runtimeClass ?? 'nvidia';
    requireDnsSubdomain('operator.runtimeClass', this.runtimeClass);
    if (operator.initContainerImage && !features.initContainerHonored) {
      throw new Error(
        `operator.initContainerImage sets spec.operator.initContainer, which GPU Operator ${release.version} ignores (deprecated in its CRD); remove it`,
      );
    }
    const initContainerImage = features.initContainerHonored
      ? (operator.initContainerImage ?? release.operands.initContainer)
      : undefined;

    const ds = props.daemonsets ?? {};
    // Every operand pod gets these (and this project's plugin, when it runs): checked here,
    // where the message can name the prop the user set.
    requireTolerations('daemonsets.tolerations', ds.tolerations);
    this.tolerations = [...(ds.tolerations ?? [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }])];
    this.priorityClassName = ds.priorityClassName ?? 'system-node-critical';
    // Empty means "no priority class" to the API server.
    if (this.priorityClassName) requireDnsSubdomain('daemonsets.priorityClassName', this.priorityClassName);
    requireLabels('daemonsets.labels', ds.labels);
    if (ds.podSecurityContext) {
      needs('daemonsets.podSecurityContext', features.daemonSetPodSecurityContext);
      const psc = ds.podSecurityContext;
      if (psc.runAsNonRoot === true || (psc.runAsUser !== undefined && psc.runAsUser !== 0)) {
        throw new Error(
          `daemonsets.podSecurityContext applies to every operand, and the driver, toolkit and device plugin must run as root (they load kernel modules and edit the host's runtime config); remove runAsNonRoot: true / runAsUser: ${psc.runAsUser ?? '(unset)'} and set seccomp, SELinux or AppArmor profiles instead`,
        );
      }
    }
    this.updateStrategy = ds.updateStrategy ?? UpdateStrategyType.ROLLING_UPDATE;
    requireOneOf('daemonsets.updateStrategy', this.updateStrategy, UpdateStrategyType);
    if (this.updateStrategy === UpdateStrategyType.ON_DELETE) {
      if (ds.maxUnavailable !== undefined) {
        throw new Error(
          `daemonsets.maxUnavailable applies only to RollingUpdate (got "${ds.maxUnavailable}" with OnDelete); remove it`,
        );
      }
    } else {
      this.maxUnavailable = ds.maxUnavailable ?? '1';
      requireCountOrPercent('daemonsets.maxUnavailable', this.maxUnavailable);
    }

    const hostPaths = props.hostPaths ?? {};
    const rootFs = hostPaths.rootFs ?? '/';
    const driverInstallDir = hostPaths.driverInstallDir ?? '/run/nvidia/driver';
    requireAbsolutePath('hostPaths.rootFs', rootFs);
    requireAbsolutePath('hostPaths.driverInstallDir', driverInstallDir);
    if (hostPaths.kubeletRootDir !== undefined) {
      needs('hostPaths.kubeletRootDir', features.kubeletRootDir);
      requireAbsolutePath('hostPaths.kubeletRootDir', hostPaths.kubeletRootDir);
    }

    const driver = resolveDriver(props.driver ?? {}, release);
    this.driverManagerImage = driver.managerImage;
    this.driverEnabled = driver.enabled;
    this.driverRoot = driver.enabled ? driverInstallDir : '/';

    const toolkit = props.toolkit ?? {};
    const toolkitEnv = resolveToolkitEnv(toolkit, defaultRuntime, this.runtimeClass);
    const toolkitInstallDir = toolkit.installDir ?? '/usr/local/nvidia';
    requireAbsolutePath('toolkit.installDir', toolkitInstallDir);

    this.migStrategy = props.mig?.strategy ?? MigStrategy.SINGLE;
    requireOneOf('mig.strategy', this.migStrategy, MigStrategy);
    const migManager = props.migManager ?? {};
    const migManagerEnabled = migManager.enabled ?? true;
    if (this.migStrategy !== MigStrategy.NONE && !migManagerEnabled) {
      throw new Error(
        `mig.strategy "${this.migStrategy}" needs the MIG manager to partition GPUs from the nvidia.com/mig.config label; set migManager.enabled to true, or mig.strategy to "none"`,
      );
    }
    if (migManager.layouts && !migManagerEnabled) {
      throw new Error('migManager.layouts needs the MIG manager; set migManager.enabled to true or remove the layouts');
    }
    const migLayouts = migManager.layouts ? new MigPartedConfig(migManager.layouts) : undefined;

    const plugin = props.devicePlugin ?? {};
    this.devicePluginEnabled = plugin.enabled ?? true;
    this.devicePluginProvider = plugin.provider ?? DevicePluginProvider.OPERATOR;
    requireOneOf('devicePlugin.provider', this.devicePluginProvider, DevicePluginProvider);
    const operatorPlugin = this.devicePluginEnabled && this.devicePluginProvider === DevicePluginProvider.OPERATOR;
    const devicePluginImage = plugin.image ?? release.operands.devicePlugin;
    // The project's plugin is this repository's, which knows the key; the operator's
    // plugin knows it from v0.20.0 on.
    const sharedPolicyPlugin =
      operatorPlugin && !pluginAtLeast(devicePluginImage, release, 20) ? devicePluginImage.reference : undefined;
    const configs = this.resolvePluginConfigs(plugin, sharedPolicyPlugin);
    this.pluginConfigNames = configs?.names ?? [];
    this.defaultPluginConfig = configs?.get(configs.defaultName);
    this.defaultPluginConfigName = configs?.defaultName;
    this.pluginConfigs = this.pluginConfigNames.map((name) => configs!.get(name));

    const exporter = props.dcgmExporter ?? {};
    this.dcgmExporterEnabled = exporter.enabled ?? true;
    if (!this.dcgmExporterEnabled && (exporter.serviceMonitor || exporter.metrics || exporter.podLabels)) {
      throw new Error(
        'dcgmExporter.serviceMonitor, dcgmExporter.metrics and dcgmExporter.podLabels need the exporter; set dcgmExporter.enabled to true or remove them',
      );
    }
    const serviceMonitor = exporter.serviceMonitor ?? {};
    requireLabels('dcgmExporter.serviceMonitor.additionalLabels', serviceMonitor.additionalLabels);
    const interval = serviceMonitor.interval ?? '15s';
    requirePromDuration('dcgmExporter.serviceMonitor.interval', interval);
    if (serviceMonitor.scrapeTimeout !== undefined) {
      needs('dcgmExporter.serviceMonitor.scrapeTimeout', features.serviceMonitorScrapeTimeout);
      requirePromDuration('dcgmExporter.serviceMonitor.scrapeTimeout', serviceMonitor.scrapeTimeout);
    }
    const scrapeTimeout = features.serviceMonitorScrapeTimeout ? (serviceMonitor.scrapeTimeout ?? '10s') : undefined;
    if (scrapeTimeout !== undefined && promDurationMs(scrapeTimeout) > promDurationMs(interval)) {
      throw new Error(
        `dcgmExporter.serviceMonitor.scrapeTimeout "${scrapeTimeout}" is longer than interval "${interval}"; Prometheus refuses that, so shorten the timeout or lengthen the interval`,
      );
    }
    const podLabels = exporter.podLabels;
    if (podLabels) {
      needs('dcgmExporter.podLabels', features.dcgmExporterPodLabels);
      if (podLabels.allowlist && !(podLabels.enabled ?? false)) {
        throw new Error(
          'dcgmExporter.podLabels.allowlist filters pod labels, but podLabels.enabled is false; set enabled to true or remove the allowlist',
        );
      }
      (podLabels.allowlist ?? []).forEach((re, i) => {
        try {
          if (re === '') throw new Error('empty');
          new RegExp(re);
        } catch (e) {
          throw new Error(
            `dcgmExporter.podLabels.allowlist[${i}] must be a regular expression over label names, e.g. "^app$" (got ${JSON.stringify(re)}: ${(e as Error).message})`,
          );
        }
      });
    }
    this.dcgmMetrics = exporter.metrics ?? DcgmMetrics.recommended();

    const cdi = props.cdi ?? {};
    const validatorImage = props.validator?.image ?? release.operands.validator;
    this.validatorImage = validatorImage;
    const labels = (component: string) =>
      standardLabels({ name: 'gpu-operator', instance: 'gpu-operator', component, version: release.version });

    const pluginConfigMap = operatorPlugin ? PLUGIN_CONFIGS_CONFIGMAP : undefined;
    if (pluginConfigMap && configs) {
      new k8s.KubeConfigMap(this, 'PluginConfigs', {
        metadata: { name: pluginConfigMap, namespace: this.namespace, labels: labels('device-plugin-config') },
        data: configs.toConfigMapData(),
      });
    }
    if (migLayouts) {
      new k8s.KubeConfigMap(this, 'MigLayouts', {
        metadata: { name: MIG_LAYOUTS_CONFIGMAP, namespace: this.namespace, labels: labels('mig-config') },
        data: { 'config.yaml': migLayouts.toYaml() },
      });
    }
    const metricsConfigMap =
      this.dcgmExporterEnabled && !this.dcgmMetrics.isBuiltIn ? DCGM_METRICS_CONFIGMAP : undefined;
    if (metricsConfigMap) {
      new k8s.KubeConfigMap(this, 'DcgmMetrics', {
        metadata: { name: metricsConfigMap, namespace: this.namespace, labels: labels('dcgm-metrics') },
        data: { 'dcgm-metrics.csv': this.dcgmMetrics.toCsv() },
      });
    }

    const resolved: ResolvedPolicy = {
      defaultRuntime: features.crdRequiresDefaultRuntime ? defaultRuntime : undefined,
      runtimeClass: this.runtimeClass,
      initContainerImage,
      podSecurityContext: ds.podSecurityContext ? k8s.toJson_PodSecurityContext(ds.podSecurityContext) : undefined,
      kubeletRootDir: hostPaths.kubeletRootDir,
      scrapeTimeout,
      podLabels,
      tolerations: this.tolerations,
      priorityClassName: this.priorityClassName,
      updateStrategy: this.updateStrategy,
      maxUnavailable: this.maxUnavailable,
      daemonSetLabels: ds.labels,
      rootFs,
      driverInstallDir,
      cdiEnabled: cdi.enabled ?? true,
      driverEnabled: driver.enabled,
      driverImage: driver.image,
      driverManagerImage: driver.managerImage,
      usePrecompiled: driver.usePrecompiled,
      kernelModuleType: driver.kernelModuleType,
      upgradePolicy: driver.upgradePolicy,
      toolkitEnabled: toolkit.enabled ?? true,
      toolkitImage: toolkit.image ?? release.operands.toolkit,
      toolkitInstallDir,
      toolkitEnv,
      operatorPluginEnabled: operatorPlugin,
      devicePluginImage,
      pluginConfigMap,
      pluginDefaultConfig: configs?.defaultName,
      dcgmEnabled: props.dcgm?.enabled ?? false,
      dcgmImage: props.dcgm?.image ?? release.operands.dcgm,
      dcgmExporterEnabled: this.dcgmExporterEnabled,
      dcgmExporterImage: exporter.image ?? release.operands.dcgmExporter,
      serviceMonitor,
      metricsConfigMap,
      gfdEnabled: props.gfd?.enabled ?? true,
      gfdImage: props.gfd?.image ?? plugin.image ?? release.operands.gfd,
      migStrategy: this.migStrategy,
      migManagerEnabled,
      migManagerImage: migManager.image ?? release.operands.migManager,
      migConfigMap: migLayouts ? MIG_LAYOUTS_CONFIGMAP : undefined,
      validatorImage,
      runPluginWorkload: props.validator?.runPluginWorkload ?? false,
      nodeStatusExporterEnabled: props.nodeStatusExporter?.enabled ?? false,
      nodeStatusExporterImage: props.nodeStatusExporter?.image ?? validatorImage,
    };
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'nvidia.com/v1',
      kind: 'ClusterPolicy',
      metadata: { name: this.name, labels: labels('cluster-policy') },
      spec: renderSpec(resolved),
    });
  }

  private resolvePluginConfigs(
    plugin: DevicePluginSettings,
    sharedPolicyPlugin: string | undefined,
  ): NamedPluginConfigs | undefined {
    const project = this.devicePluginProvider === DevicePluginProvider.PROJECT;
    if (!this.devicePluginEnabled) {
      if (plugin.configs || plugin.defaultConfig || plugin.projectPlugin) {
        throw new Error(
          'devicePlugin.configs, defaultConfig and projectPlugin need a device plugin; set devicePlugin.enabled to true or remove them',
        );
      }
      return undefined;
    }
    if (plugin.projectPlugin && !project) {
      throw new Error(
        'devicePlugin.projectPlugin applies only with provider DevicePluginProvider.PROJECT; set the provider or remove projectPlugin',
      );
    }
    return new NamedPluginConfigs(
      plugin.configs,
      plugin.defaultConfig,
      this.migStrategy,
      this.driverRoot,
      sharedPolicyPlugin,
    );
  }
}

/**
 * True when the device plugin image is NVIDIA's v0.MINOR or newer. A digest names no
 * release: it counts as the release's own plugin when that is the release's image name.
 */
function pluginAtLeast(image: OperandImage, release: GpuOperatorRelease, minor: number): boolean {
  const tag = image.version.startsWith('sha256:') ? release.operands.devicePlugin.version : image.version;
  const m = /^v?(\d+)\.(\d+)\.\d+/.exec(tag);
  if (!m) return false;
  return Number(m[1]) > 0 || Number(m[2]) >= minor;
}
