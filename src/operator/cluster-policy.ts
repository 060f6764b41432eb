import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { standardLabels } from '../common/labels';
import { requireDnsLabel, requireDnsSubdomain, requireLabels, requireTolerations } from '../common/validation';
import { UpdateStrategyType } from '../device-plugin/options';
import { DevicePluginConfig, MigStrategy } from '../device-plugin/plugin-config';
import {
  checkAbsolutePath, checkCountOrPercent, checkEnum, checkPromDuration,
} from './checks';
import { ClusterPolicyProps, DevicePluginSettings } from './cluster-policy-props';
import { ResolvedPolicy, renderSpec } from './cluster-policy-spec';
import { DcgmMetrics } from './dcgm-metrics';
import { MigPartedConfig } from './mig-layouts';
import { NamedPluginConfigs } from './named-plugin-configs';
import { resolveDriver } from './driver-resolve';
import { DefaultOperandImages, GPU_OPERATOR_VERSION } from './operator-images';
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
  /** Every device plugin config, in the order of pluginConfigNames (empty when no plugin runs). */
  public readonly pluginConfigs: DevicePluginConfig[];
  /** Whether the DCGM exporter runs. */
  public readonly dcgmExporterEnabled: boolean;
  /** The metrics the exporter collects. */
  public readonly dcgmMetrics: DcgmMetrics;
  /** The ClusterPolicy object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: ClusterPolicyProps = {}) {
    super(scope, id);
    this.name = props.name ?? 'cluster-policy';
    this.namespace = props.namespace ?? 'gpu-operator';
    requireDnsSubdomain('name', this.name);
    requireDnsLabel('namespace', this.namespace);

    const operator = props.operator ?? {};
    const defaultRuntime = operator.defaultRuntime ?? ContainerRuntime.CONTAINERD;
    checkEnum('operator.defaultRuntime', defaultRuntime, ContainerRuntime);
    this.runtimeClass = operator.runtimeClass ?? 'nvidia';
    requireDnsSubdomain('operator.runtimeClass', this.runtimeClass);

    const ds = props.daemonsets ?? {};
    // Every operand pod gets these (and this project's plugin, when it runs): checked here,
    // where the message can name the prop the user set.
    requireTolerations('daemonsets.tolerations', ds.tolerations);
    this.tolerations = [...(ds.tolerations ?? [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }])];
    this.priorityClassName = ds.priorityClassName ?? 'system-node-critical';
    // Empty means "no priority class" to the API server.
    if (this.priorityClassName) requireDnsSubdomain('daemonsets.priorityClassName', this.priorityClassName);
    requireLabels('daemonsets.labels', ds.labels);
    this.updateStrategy = ds.updateStrategy ?? UpdateStrategyType.ROLLING_UPDATE;
    checkEnum('daemonsets.updateStrategy', this.updateStrategy, UpdateStrategyType);
    if (this.updateStrategy === UpdateStrategyType.ON_DELETE) {
      if (ds.maxUnavailable !== undefined) {
        throw new Error(`daemonsets.maxUnavailable applies only to RollingUpdate (got "${ds.maxUnavailable}" with OnDelete); remove it`);
      }
    } else {
      this.maxUnavailable = ds.maxUnavailable ?? '1';
      checkCountOrPercent('daemonsets.maxUnavailable', this.maxUnavailable);
    }

    const hostPaths = props.hostPaths ?? {};
    const rootFs = hostPaths.rootFs ?? '/';
    const driverInstallDir = hostPaths.driverInstallDir ?? '/run/nvidia/driver';
    checkAbsolutePath('hostPaths.rootFs', rootFs);
    checkAbsolutePath('hostPaths.driverInstallDir', driverInstallDir);

    const driver = resolveDriver(props.driver ?? {});
    this.driverEnabled = driver.enabled;
    this.driverRoot = driver.enabled ? driverInstallDir : '/';

    const toolkit = props.toolkit ?? {};
    const toolkitEnv = resolveToolkitEnv(toolkit, defaultRuntime, this.runtimeClass);
    const toolkitInstallDir = toolkit.installDir ?? '/usr/local/nvidia';
    checkAbsolutePath('toolkit.installDir', toolkitInstallDir);

    this.migStrategy = props.mig?.strategy ?? MigStrategy.SINGLE;
    checkEnum('mig.strategy', this.migStrategy, MigStrategy);
    const migManager = props.migManager ?? {};
    const migManagerEnabled = migManager.enabled ?? true;
    if (this.migStrategy !== MigStrategy.NONE && !migManagerEnabled) {
      throw new Error(`mig.strategy "${this.migStrategy}" needs the MIG manager to partition GPUs from the nvidia.com/mig.config label; set migManager.enabled to true, or mig.strategy to "none"`);
    }
    if (migManager.layouts && !migManagerEnabled) {
      throw new Error('migManager.layouts needs the MIG manager; set migManager.enabled to true or remove the layouts');
    }
    const migLayouts = migManager.layouts ? new MigPartedConfig(migManager.layouts) : undefined;

    const plugin = props.devicePlugin ?? {};
    this.devicePluginEnabled = plugin.enabled ?? true;
    this.devicePluginProvider = plugin.provider ?? DevicePluginProvider.OPERATOR;
    checkEnum('devicePlugin.provider', this.devicePluginProvider, DevicePluginProvider);
    const configs = this.resolvePluginConfigs(plugin);
    this.pluginConfigNames = configs?.names ?? [];
    this.defaultPluginConfig = configs?.get(configs.defaultName);
    this.pluginConfigs = this.pluginConfigNames.map(name => configs!.get(name));
    const operatorPlugin = this.devicePluginEnabled && this.devicePluginProvider === DevicePluginProvider.OPERATOR;
    const devicePluginImage = plugin.image ?? DefaultOperandImages.DEVICE_PLUGIN;

    const exporter = props.dcgmExporter ?? {};
    this.dcgmExporterEnabled = exporter.enabled ?? true;
    if (!this.dcgmExporterEnabled && (exporter.serviceMonitor || exporter.metrics)) {
      throw new Error('dcgmExporter.serviceMonitor and dcgmExporter.metrics need the exporter; set dcgmExporter.enabled to true or remove them');
    }
    const serviceMonitor = exporter.serviceMonitor ?? {};
    requireLabels('dcgmExporter.serviceMonitor.additionalLabels', serviceMonitor.additionalLabels);
    checkPromDuration('dcgmExporter.serviceMonitor.interval', serviceMonitor.interval ?? '15s');
    this.dcgmMetrics = exporter.metrics ?? DcgmMetrics.recommended();

    const cdi = props.cdi ?? {};
    const validatorImage = props.validator?.image ?? DefaultOperandImages.OPERATOR;
    const labels = (component: string) => standardLabels({ name: 'gpu-operator', instance: 'gpu-operator', component, version: GPU_OPERATOR_VERSION });

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
    const metricsConfigMap = this.dcgmExporterEnabled && !this.dcgmMetrics.isBuiltIn ? DCGM_METRICS_CONFIGMAP : undefined;
    if (metricsConfigMap) {
      new k8s.KubeConfigMap(this, 'DcgmMetrics', {
        metadata: { name: metricsConfigMap, namespace: this.namespace, labels: labels('dcgm-metrics') },
        data: { 'dcgm-metrics.csv': this.dcgmMetrics.toCsv() },
      });
    }

    const resolved: ResolvedPolicy = {
      defaultRuntime,
      runtimeClass: this.runtimeClass,
      initContainerImage: operator.initContainerImage ?? DefaultOperandImages.CUDA_BASE,
      tolerations: this.tolerations,
      priorityClassName: this.priorityClassName,
      updateStrategy: this.updateStrategy,
      maxUnavailable: this.maxUnavailable,
      daemonSetLabels: ds.labels,
      rootFs,
      driverInstallDir,
      cdiEnabled: cdi.enabled ?? true,
      cdiDefault: cdi.useByDefault ?? false,
      driverEnabled: driver.enabled,
      driverImage: driver.image,
      driverManagerImage: driver.managerImage,
      usePrecompiled: driver.usePrecompiled,
      kernelModuleType: driver.kernelModuleType,
      upgradePolicy: driver.upgradePolicy,
      toolkitEnabled: toolkit.enabled ?? true,
      toolkitImage: toolkit.image ?? DefaultOperandImages.TOOLKIT,
      toolkitInstallDir,
      toolkitEnv,
      operatorPluginEnabled: operatorPlugin,
      devicePluginImage,
      pluginConfigMap,
      pluginDefaultConfig: configs?.defaultName,
      dcgmEnabled: props.dcgm?.enabled ?? false,
      dcgmImage: props.dcgm?.image ?? DefaultOperandImages.DCGM,
      dcgmExporterEnabled: this.dcgmExporterEnabled,
      dcgmExporterImage: exporter.image ?? DefaultOperandImages.DCGM_EXPORTER,
      serviceMonitor,
      metricsConfigMap,
      gfdEnabled: props.gfd?.enabled ?? true,
      gfdImage: props.gfd?.image ?? devicePluginImage,
      migStrategy: this.migStrategy,
      migManagerEnabled,
      migManagerImage: migManager.image ?? DefaultOperandImages.MIG_MANAGER,
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

  private resolvePluginConfigs(plugin: DevicePluginSettings): NamedPluginConfigs | undefined {
    const project = this.devicePluginProvider === DevicePluginProvider.PROJECT;
    if (!this.devicePluginEnabled) {
      if (plugin.configs || plugin.defaultConfig || plugin.projectPlugin) {
        throw new Error('devicePlugin.configs, defaultConfig and projectPlugin need a device plugin; set devicePlugin.enabled to true or remove them');
      }
      return undefined;
    }
    if (plugin.projectPlugin && !project) {
      throw new Error('devicePlugin.projectPlugin applies only with provider DevicePluginProvider.PROJECT; set the provider or remove projectPlugin');
    }
    if (project && (plugin.configs?.length ?? 0) > 1) {
      throw new Error(`devicePlugin.provider PROJECT runs one config on every node, but ${plugin.configs!.length} configs are given (${plugin.configs!.map(c => c.name).join(', ')}); keep one, or use the operator's plugin, which switches configs per node label`);
    }
    return new NamedPluginConfigs(plugin.configs, plugin.defaultConfig, this.migStrategy, this.driverRoot);
  }
}
