import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PRIVILEGED_NAMESPACE_LABELS, standardLabels } from '../common/labels';
import { requireUniqueObjectNames } from '../common/unique-names';
import { requireDnsLabel, requireOneOf } from '../common/validation';
import { GpuDevicePlugin } from '../device-plugin/gpu-device-plugin';
import { UpdateStrategyType } from '../device-plugin/gpu-device-plugin-props';
import { OperatorChartOptions, OperatorChartValues } from './chart-values';
import { ClusterPolicy } from './cluster-policy';
import { ClusterPolicyProps } from './cluster-policy-props';
import { GpuAlertsOptions, GpuOperatorAlerts } from './gpu-alerts';
import { ArgoCdInstallOptions, FluxInstallOptions, OperatorInstall } from './operator-install';
import { GpuOperatorRelease } from './releases';
import { DevicePluginProvider, GitOpsInstall } from './vocabulary';

/** Node label the operator sets on GPU nodes where a device plugin should run. */
export const DEVICE_PLUGIN_DEPLOY_LABEL = 'nvidia.com/gpu.deploy.device-plugin';

/** Properties of a GpuOperatorStack: the ClusterPolicy's settings plus how it all gets installed. */
export interface GpuOperatorStackProps extends ClusterPolicyProps {
  /**
   * How the operator itself gets installed: Flux, Argo CD, or not at all (installed already).
   * With Flux, apply the ClusterPolicy from a Kustomization that `dependsOn` the one holding
   * the HelmRelease (with `wait: true`): its CRD arrives with the chart. With Argo CD the
   * stack emits sync waves: Namespace -1, Application 0, ClusterPolicy 1.
   * A release whose chart lacks `clusterPolicy.deployCR` (v25.10.1) allows only NONE.
   * @default GitOpsInstall.FLUX
   */
  readonly install?: GitOpsInstall;
  /**
   * NVIDIA's chart: version, repository and values. `chart.version` alone also picks the
   * release (operator and operand pins) from GpuOperatorRelease's table.
   * @default - the release's chart from helm.ngc.nvidia.com, with NFD
   */
  readonly chart?: OperatorChartOptions;
  /**
   * Flux settings (install FLUX).
   * @default - reconcile every 30m, refresh the repository every 1h
   */
  readonly flux?: FluxInstallOptions;
  /**
   * Argo CD settings (install ARGO_CD).
   * @default - namespace argocd, project default, automated sync
   */
  readonly argoCd?: ArgoCdInstallOptions;
  /**
   * Create the namespace, labelled for the `privileged` Pod Security level (the driver,
   * toolkit and device plugin pods load kernel modules, edit the host's containerd config
   * and mount host paths, which `baseline` and `restricted` reject). Keep workloads out of it.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Emit the RuntimeClass GPU pods name (`nvidia`, handler `nvidia`). The operator's toolkit
   * creates the same object when it runs; emitting it keeps it in Git and present even when
   * the toolkit is pre-installed.
   * @default true
   */
  readonly createRuntimeClass?: boolean;
  /**
   * GPU alerts (a PrometheusRule; needs the Prometheus Operator).
   * @default - critical XIDs, fell off the bus, double-bit ECC, above 85 °C, exporter down
   */
  readonly alerts?: GpuAlertsOptions;
  /**
   * The cluster runs the Prometheus Operator (its `PrometheusRule` and `ServiceMonitor` CRDs).
   * false turns off both the alerts' PrometheusRule and the exporter's ServiceMonitor, which
   * an apiserver without those CRDs would refuse (the operator would fail to create it).
   * @default true
   */
  readonly prometheusOperator?: boolean;
}

/**
 * The production GPU stack: NVIDIA's GPU Operator installed through GitOps at a pinned
 * version, its ClusterPolicy typed and owned by Git, the device plugin configs, MIG layouts
 * and DCGM metrics as ConfigMaps, the `nvidia` RuntimeClass and GPU alerts. Optionally this
 * project's device plugin replaces the operator's.
 */
export class GpuOperatorStack extends Construct {
  /** Namespace the operator runs in. */
  public readonly namespace: string;
  /** How the operator is installed. */
  public readonly install: GitOpsInstall;
  /** The ClusterPolicy and its ConfigMaps. */
  public readonly clusterPolicy: ClusterPolicy;
  /** The GitOps objects that install the chart. */
  public readonly operatorInstall: OperatorInstall;
  /** This project's device plugin, when it replaces the operator's. */
  public readonly devicePlugin?: GpuDevicePlugin;
  /** The alerts, unless turned off. */
  public readonly alerts?: GpuOperatorAlerts;
  /** The GPU Operator release everything is pinned to. */
  public readonly release: GpuOperatorRelease;

  constructor(scope: Construct, id: string, props: GpuOperatorStackProps = {}) {
    super(scope, id);
    this.namespace = props.namespace ?? 'gpu-operator';
    this.install = props.install ?? GitOpsInstall.FLUX;
    this.release = resolveRelease(props);
    const release = this.release;
    // Checked here, under the props the caller set, before they are passed on (as flux.namespace, mode, ...).
    requireDnsLabel('namespace', this.namespace);
    requireOneOf('install', this.install, GitOpsInstall);
    const labels = (component: string) =>
      standardLabels({ name: 'gpu-operator', instance: 'gpu-operator', component, version: release.version });
    if (this.install === GitOpsInstall.NONE && props.chart) {
      throw new Error(
        'chart settings apply only when the stack installs the operator, but install is GitOpsInstall.NONE; remove chart or pick FLUX or ARGO_CD',
      );
    }
    if (this.install !== GitOpsInstall.NONE && !release.features.chartDeployCrSwitch) {
      throw new Error(
        `install "${this.install}" would install GPU Operator ${release.version}'s chart, which has no clusterPolicy.deployCR switch: it always renders its own ClusterPolicy "cluster-policy", the object this stack emits from Git, and two owners of one object fight (Helm refuses to adopt it, server-side apply conflicts with manager "helm", helm uninstall deletes it). Use release GpuOperatorRelease.${'V' + GpuOperatorRelease.PINNED.version.slice(1).replace(/\./g, '_')}, or install: GitOpsInstall.NONE with an operator installed without that chart's ClusterPolicy`,
      );
    }
    const prometheus = props.prometheusOperator ?? true;
    if (!prometheus) {
      if (props.alerts?.enabled === true) {
        throw new Error(
          'alerts.enabled is true, but prometheusOperator is false: the alerts are a PrometheusRule, which needs the Prometheus Operator; remove one of the two',
        );
      }
      if (props.dcgmExporter?.serviceMonitor?.enabled === true) {
        throw new Error(
          'dcgmExporter.serviceMonitor.enabled is true, but prometheusOperator is false: a ServiceMonitor needs the Prometheus Operator; remove one of the two',
        );
      }
    }

    if (props.createNamespace ?? true) {
      new k8s.KubeNamespace(this, 'Namespace', {
        metadata: {
          name: this.namespace,
          annotations: this.install === GitOpsInstall.ARGO_CD ? { 'argocd.argoproj.io/sync-wave': '-1' } : undefined,
          labels: {
            ...labels('namespace'),
            ...PRIVILEGED_NAMESPACE_LABELS,
          },
        },
      });
    }
    const exporterOn = props.dcgmExporter?.enabled ?? true;
    const policyProps: ClusterPolicyProps =
      prometheus && exporterOn
        ? props
        : {
            ...props,
            dcgmExporter: exporterOn
              ? { ...props.dcgmExporter, serviceMonitor: { ...props.dcgmExporter?.serviceMonitor, enabled: false } }
              : props.dcgmExporter,
          };
    this.operatorInstall = new OperatorInstall(this, 'Install', {
      mode: this.install,
      namespace: this.namespace,
      chart:
        this.install === GitOpsInstall.NONE
          ? undefined
          : new OperatorChartValues(props.chart, {
              release,
              // The same images the ClusterPolicy names (ClusterPolicy checks the props).
              validator: props.validator?.image ?? release.operands.validator,
              driverManager: props.driver?.managerImage ?? release.operands.driverManager,
            }),
      flux: props.flux,
      argoCd: props.argoCd,
      labels: labels('operator'),
    });
    this.clusterPolicy = new ClusterPolicy(this, 'ClusterPolicy', {
      ...policyProps,
      release,
      namespace: this.namespace,
    });
    if (this.install === GitOpsInstall.ARGO_CD) {
      // Synced together with the Application, the ClusterPolicy's CRD does not exist yet at
      // dry-run; Argo CD retries it once the chart has installed the CRD. Waves: the
      // namespace first (-1), then the Application (0), then the ClusterPolicy (1).
      this.clusterPolicy.resource.metadata.addAnnotation(
        'argocd.argoproj.io/sync-options',
        'SkipDryRunOnMissingResource=true',
      );
      this.clusterPolicy.resource.metadata.addAnnotation('argocd.argoproj.io/sync-wave', '1');
    }
    if (props.createRuntimeClass ?? true) {
      new k8s.KubeRuntimeClass(this, 'RuntimeClass', {
        metadata: { name: this.clusterPolicy.runtimeClass, labels: labels('runtime-class') },
        handler: this.clusterPolicy.runtimeClass,
      });
    }
    this.devicePlugin = this.projectPlugin(props);
    this.alerts = prometheus ? this.gpuAlerts(props, labels('alerts')) : undefined;
    requireUniqueObjectNames(this, 'GpuOperatorStack', (obj) =>
      obj.kind === 'Namespace'
        ? 'set namespace to another one, or createNamespace: false'
        : 'a cluster runs one GPU operator: keep one GpuOperatorStack per cluster, or change the name of the other object',
    );
  }

  private projectPlugin(props: GpuOperatorStackProps): GpuDevicePlugin | undefined {
    const policy = this.clusterPolicy;
    if (!policy.devicePluginEnabled || policy.devicePluginProvider !== DevicePluginProvider.PROJECT) {
      return undefined;
    }
    const kubeletRootDir = props.hostPaths?.kubeletRootDir;
    if (kubeletRootDir !== undefined && kubeletRootDir.replace(/\/+$/, '') !== '/var/lib/kubelet') {
      throw new Error(
        `hostPaths.kubeletRootDir is "${kubeletRootDir}", but this project's device plugin (devicePlugin.provider PROJECT) registers in /var/lib/kubelet/device-plugins; use the operator's plugin on nodes with a moved kubelet root, or leave kubeletRootDir out`,
      );
    }
    const project = props.devicePlugin?.projectPlugin ?? {};
    // The same configs as the operator's plugin would get, from the same model, passed whole:
    // one config as the plugin's own props, several as named configs picked per node label.
    const names = policy.pluginConfigNames;
    const configProps =
      names.length === 1
        ? policy.defaultPluginConfig!.toProps()
        : {
            configs: names.map((name, i) => ({ name, config: policy.pluginConfigs[i].toProps() })),
            defaultConfig: policy.defaultPluginConfigName,
          };
    return new GpuDevicePlugin(this, 'DevicePlugin', {
      namespace: this.namespace,
      createNamespace: false,
      image: project.image,
      health: project.health,
      resources: project.resources,
      ...configProps,
      // Run where the operator would run its own plugin: it labels GPU nodes with this, and
      // sets it to paused-for-mig-change while the MIG manager repartitions a node.
      nodeSelector: { [DEVICE_PLUGIN_DEPLOY_LABEL]: 'true' },
      tolerations: policy.tolerations,
      priorityClassName: policy.priorityClassName,
      runtimeClassName: policy.runtimeClass,
      updateStrategy: {
        type: policy.updateStrategy,
        maxUnavailable: policy.updateStrategy === UpdateStrategyType.ROLLING_UPDATE ? policy.maxUnavailable : undefined,
      },
    });
  }

  private gpuAlerts(props: GpuOperatorStackProps, labels: { [key: string]: string }): GpuOperatorAlerts | undefined {
    const alerts = props.alerts ?? {};
    if (!(alerts.enabled ?? true)) {
      return undefined;
    }
    if (!this.clusterPolicy.dcgmExporterEnabled) {
      throw new Error(
        "alerts need the DCGM exporter's metrics, but dcgmExporter.enabled is false; enable the exporter or set alerts.enabled to false",
      );
    }
    if (props.dcgmExporter?.serviceMonitor?.enabled === false && alerts.exporterJob === undefined) {
      throw new Error(
        'alerts read the exporter through its ServiceMonitor, which dcgmExporter.serviceMonitor.enabled turns off; enable it, set alerts.exporterJob to the job that scrapes the exporter, or set alerts.enabled to false',
      );
    }
    return new GpuOperatorAlerts(this, 'Alerts', {
      ...alerts,
      namespace: this.namespace,
      metrics: this.clusterPolicy.dcgmMetrics,
      labels,
    });
  }
}

/** The release from props.release and props.chart.version, which must agree. */
function resolveRelease(props: GpuOperatorStackProps): GpuOperatorRelease {
  const chartVersion = props.chart?.version;
  if (props.release && chartVersion !== undefined) {
    const v = chartVersion.startsWith('v') ? chartVersion : `v${chartVersion}`;
    if (v !== props.release.version) {
      throw new Error(
        `chart.version "${chartVersion}" and release ${props.release.version} disagree; the chart, the operator and every operand follow one release, so set only release (or only chart.version)`,
      );
    }
  }
  if (props.release) return props.release;
  return chartVersion !== undefined ? GpuOperatorRelease.of(chartVersion) : GpuOperatorRelease.PINNED;
}
