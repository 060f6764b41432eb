// Renders a resolved ClusterPolicy into the `spec` NVIDIA's CRD expects
// (api/nvidia/v1/clusterpolicy_types.go). Internal: ClusterPolicy resolves and validates,
// this file only shapes. Keys follow the CRD's field names exactly.
import { k8s } from 'cdk8s-plus-28';
import { UpdateStrategyType } from '../device-plugin/gpu-device-plugin-props';
import { MigStrategy } from '../device-plugin/plugin-config';
import { DcgmExporterPodLabels, ServiceMonitorSettings } from './cluster-policy-props';
import { DriverUpgradePolicy } from './driver-settings';
import { MIG_ALL_DISABLED } from './mig-layouts';
import { OperandImage } from './operator-images';
import { ContainerRuntime, KernelModuleType } from './vocabulary';

/** Everything the spec needs, with every default applied. */
export interface ResolvedPolicy {
  /** Only for releases whose CRD requires it (v25.10.1). */
  readonly defaultRuntime?: ContainerRuntime;
  readonly runtimeClass: string;
  /** Only for releases that read it (v25.10.1). */
  readonly initContainerImage?: OperandImage;
  readonly podSecurityContext?: Record<string, unknown>;
  readonly kubeletRootDir?: string;
  readonly scrapeTimeout?: string;
  readonly podLabels?: DcgmExporterPodLabels;
  readonly tolerations: k8s.Toleration[];
  readonly priorityClassName: string;
  readonly updateStrategy: UpdateStrategyType;
  readonly maxUnavailable?: string;
  readonly daemonSetLabels?: { [key: string]: string };
  readonly rootFs: string;
  readonly driverInstallDir: string;
  readonly cdiEnabled: boolean;
  readonly driverEnabled: boolean;
  readonly driverImage: OperandImage;
  readonly driverManagerImage: OperandImage;
  readonly usePrecompiled: boolean;
  readonly kernelModuleType: KernelModuleType;
  readonly upgradePolicy: DriverUpgradePolicy;
  readonly toolkitEnabled: boolean;
  readonly toolkitImage: OperandImage;
  readonly toolkitInstallDir: string;
  readonly toolkitEnv: { [key: string]: string };
  readonly operatorPluginEnabled: boolean;
  readonly devicePluginImage: OperandImage;
  readonly pluginConfigMap?: string;
  readonly pluginDefaultConfig?: string;
  readonly dcgmEnabled: boolean;
  readonly dcgmImage: OperandImage;
  readonly dcgmExporterEnabled: boolean;
  readonly dcgmExporterImage: OperandImage;
  readonly serviceMonitor: ServiceMonitorSettings;
  readonly metricsConfigMap?: string;
  readonly gfdEnabled: boolean;
  readonly gfdImage: OperandImage;
  readonly migStrategy: MigStrategy;
  readonly migManagerEnabled: boolean;
  readonly migManagerImage: OperandImage;
  readonly migConfigMap?: string;
  readonly validatorImage: OperandImage;
  readonly runPluginWorkload: boolean;
  readonly nodeStatusExporterEnabled: boolean;
  readonly nodeStatusExporterImage: OperandImage;
}

function image(i: OperandImage): Record<string, string> {
  return { repository: i.repository, image: i.image, version: i.version };
}

function env(vars: { [key: string]: string }): Array<{ name: string; value: string }> | undefined {
  const names = Object.keys(vars);
  return names.length > 0 ? names.map((name) => ({ name, value: vars[name] })) : undefined;
}

/** The upgrade policy with NVIDIA's chart defaults filled in, so Git shows what runs. */
export function renderUpgradePolicy(p: DriverUpgradePolicy): Record<string, unknown> {
  const out: Record<string, unknown> = {
    autoUpgrade: p.autoUpgrade ?? true,
    maxParallelUpgrades: p.maxParallelUpgrades ?? 1,
    maxUnavailable: p.maxUnavailable ?? '25%',
    podDeletion: {
      force: p.gpuPodDeletion?.force ?? false,
      timeoutSeconds: p.gpuPodDeletion?.timeoutSeconds ?? 300,
      deleteEmptyDir: p.gpuPodDeletion?.deleteEmptyDir ?? false,
    },
    waitForCompletion: {
      timeoutSeconds: 0,
      podSelector: p.waitForCompletionPodSelector ?? '',
    },
    drain: {
      enable: p.drain?.enable ?? false,
      force: p.drain?.force ?? false,
      timeoutSeconds: p.drain?.timeoutSeconds ?? 300,
      deleteEmptyDir: p.drain?.deleteEmptyDir ?? false,
      podSelector: p.drain?.podSelector ?? '',
    },
  };
  return out;
}

function renderServiceMonitor(s: ServiceMonitorSettings, scrapeTimeout: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {
    enabled: s.enabled ?? true,
    interval: s.interval ?? '15s',
    scrapeTimeout,
    honorLabels: s.honorLabels ?? false,
  };
  if (s.additionalLabels && Object.keys(s.additionalLabels).length > 0) {
    out.additionalLabels = { ...s.additionalLabels };
  }
  return out;
}

/** The ClusterPolicy's spec. */
export function renderSpec(r: ResolvedPolicy): Record<string, unknown> {
  const daemonsets: Record<string, unknown> = {
    tolerations: r.tolerations,
    priorityClassName: r.priorityClassName,
    updateStrategy: r.updateStrategy,
  };
  if (r.updateStrategy === UpdateStrategyType.ROLLING_UPDATE) {
    daemonsets.rollingUpdate = { maxUnavailable: r.maxUnavailable };
  }
  if (r.daemonSetLabels && Object.keys(r.daemonSetLabels).length > 0) {
    daemonsets.labels = { ...r.daemonSetLabels };
  }
  if (r.podSecurityContext) {
    daemonsets.podSecurityContext = r.podSecurityContext;
  }

  const driver: Record<string, unknown> = { enabled: r.driverEnabled, ...image(r.driverImage) };
  if (r.driverEnabled) {
    driver.usePrecompiled = r.usePrecompiled;
    driver.kernelModuleType = r.kernelModuleType;
    driver.manager = image(r.driverManagerImage);
    driver.upgradePolicy = renderUpgradePolicy(r.upgradePolicy);
  }

  const devicePlugin: Record<string, unknown> = { enabled: r.operatorPluginEnabled, ...image(r.devicePluginImage) };
  if (r.pluginConfigMap) {
    devicePlugin.config = { name: r.pluginConfigMap, default: r.pluginDefaultConfig };
  }

  const dcgmExporter: Record<string, unknown> = { enabled: r.dcgmExporterEnabled, ...image(r.dcgmExporterImage) };
  if (r.dcgmExporterEnabled) {
    dcgmExporter.serviceMonitor = renderServiceMonitor(r.serviceMonitor, r.scrapeTimeout);
    if (r.metricsConfigMap) {
      dcgmExporter.config = { name: r.metricsConfigMap };
    }
    if (r.podLabels) {
      dcgmExporter.enablePodLabels = r.podLabels.enabled ?? false;
      dcgmExporter.enablePodUID = r.podLabels.uid ?? false;
      if (r.podLabels.allowlist && r.podLabels.allowlist.length > 0) {
        dcgmExporter.podLabelAllowlistRegex = [...r.podLabels.allowlist];
      }
    }
  }

  const migManager: Record<string, unknown> = { enabled: r.migManagerEnabled, ...image(r.migManagerImage) };
  if (r.migConfigMap) {
    migManager.config = { name: r.migConfigMap, default: MIG_ALL_DISABLED };
  }

  // v25.10.1's CRD requires operator.defaultRuntime (it is emitted only there); v26.7.0
  // detects the runtime and ignores both defaultRuntime and initContainer. cdi.default is
  // ignored by both releases and required by neither, so it is never emitted.
  const operator: Record<string, unknown> = {};
  if (r.defaultRuntime !== undefined) operator.defaultRuntime = r.defaultRuntime;
  operator.runtimeClass = r.runtimeClass;
  if (r.initContainerImage) operator.initContainer = image(r.initContainerImage);
  const hostPaths: Record<string, unknown> = { rootFS: r.rootFs, driverInstallDir: r.driverInstallDir };
  if (r.kubeletRootDir !== undefined) hostPaths.kubeletRootDir = r.kubeletRootDir;

  return {
    operator,
    daemonsets,
    hostPaths,
    cdi: { enabled: r.cdiEnabled },
    driver,
    toolkit: {
      enabled: r.toolkitEnabled,
      ...image(r.toolkitImage),
      installDir: r.toolkitInstallDir,
      env: env(r.toolkitEnv),
    },
    devicePlugin,
    dcgm: { enabled: r.dcgmEnabled, ...image(r.dcgmImage) },
    dcgmExporter,
    gfd: { enabled: r.gfdEnabled, ...image(r.gfdImage) },
    mig: { strategy: r.migStrategy },
    migManager,
    validator: {
      ...image(r.validatorImage),
      plugin: { env: [{ name: 'WITH_WORKLOAD', value: String(r.runPluginWorkload) }] },
    },
    nodeStatusExporter: { enabled: r.nodeStatusExporterEnabled, ...image(r.nodeStatusExporterImage) },
  };
}
