import * as YAML from 'yaml';
import { DevicePluginConfig, GpuResource, MigStrategy, PluginImage, UpdateStrategyType } from '../../../src';
import {
  DcgmMetrics,
  DevicePluginProvider,
  GitOpsInstall,
  GpuOperatorRelease,
  GpuOperatorStack,
  GpuOperatorStackProps,
} from '../../../src/operator';
import { validateK8sObjects } from '../helpers/k8s-schema';
import { scope, synth } from './synth';

const CORE_KINDS = ['Namespace', 'ConfigMap', 'RuntimeClass', 'DaemonSet', 'ServiceAccount'];

function stack(props: GpuOperatorStackProps = {}) {
  let construct: GpuOperatorStack | undefined;
  const out = synth((s) => {
    construct = new GpuOperatorStack(s, 'Gpu', props);
  });
  return { out, construct: construct! };
}

describe('GpuOperatorStack defaults', () => {
  const { out, construct } = stack();

  test('matches the snapshot', () => {
    expect(out.all).toMatchSnapshot();
  });

  test('emits namespace, Flux install, ConfigMaps, ClusterPolicy, RuntimeClass and alerts', () => {
    expect(out.all.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/gpu-operator',
      'HelmRepository/nvidia',
      'HelmRelease/gpu-operator',
      'ConfigMap/device-plugin-configs',
      'ConfigMap/dcgm-exporter-metrics',
      'ClusterPolicy/cluster-policy',
      'RuntimeClass/nvidia',
      'PrometheusRule/gpu-operator-alerts',
    ]);
    expect(construct.install).toBe(GitOpsInstall.FLUX);
    expect(construct.devicePlugin).toBeUndefined();
  });

  test('labels the namespace for the privileged Pod Security level (enforce, audit, warn)', () => {
    expect(out.one('Namespace').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/audit': 'privileged',
      'pod-security.kubernetes.io/warn': 'privileged',
    });
  });

  test('RuntimeClass nvidia (node.k8s.io/v1) with handler nvidia, the name the toolkit registers', () => {
    const rc = out.one('RuntimeClass');
    expect(rc.apiVersion).toBe('node.k8s.io/v1');
    expect([rc.metadata.name, rc.handler]).toEqual(['nvidia', 'nvidia']);
    expect(out.one('ClusterPolicy').spec.toolkit.env).toContainEqual({
      name: 'CONTAINERD_RUNTIME_CLASS',
      value: 'nvidia',
    });
  });

  test("the HelmRelease keeps the chart's ClusterPolicy off", () => {
    expect(out.one('HelmRelease').spec.values.clusterPolicy).toEqual({ deployCR: false });
  });

  test('every object is stamped with the six app.kubernetes.io labels and a version', () => {
    for (const o of out.all) {
      expect(o.metadata.labels['app.kubernetes.io/managed-by']).toBe('cdk8s-gpu');
      expect(o.metadata.labels['app.kubernetes.io/version']).toMatch(/^v\d+\.\d+\.\d+$/);
    }
  });

  test('core kinds are valid against the Kubernetes OpenAPI schema', () => {
    expect(() => validateK8sObjects(out.all.filter((o) => CORE_KINDS.includes(o.kind)))).not.toThrow();
  });
});

describe("GpuOperatorStack with this project's device plugin and several configs", () => {
  const sliced = { timeSlicing: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 4 }] } };
  const { out, construct } = stack({
    devicePlugin: {
      provider: DevicePluginProvider.PROJECT,
      configs: [{ name: 'whole' }, { name: 'sliced-4', config: sliced }],
      defaultConfig: 'whole',
    },
  });
  const ds = out.one('DaemonSet');
  const env = Object.fromEntries(ds.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));

  test('renders our plugin with every config, picked per node label, the default from the stack', () => {
    expect(construct.devicePlugin!.configNames).toEqual(['whole', 'sliced-4']);
    const data = out.ofKind('ConfigMap').find((c) => c.metadata.name === 'gpu-device-plugin-config').data;
    expect(Object.keys(data).sort()).toEqual(['sliced-4', 'whole']);
    // The same model as the operator's named configs: the stack's driver root and MIG strategy.
    expect(YAML.parse(data['sliced-4'])).toEqual(construct.clusterPolicy.pluginConfigs[1].toJson());
    expect(YAML.parse(data['sliced-4']).flags.nvidiaDriverRoot).toBe('/run/nvidia/driver');
    expect(env.CONFIG_DIR).toBe('/config');
    expect(env.DEFAULT_CONFIG).toBe('whole');
  });

  test('lets the plugin read its node: ClusterRole on nodes bound to its service account, token mounted', () => {
    expect(out.one('ClusterRole').rules).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(out.one('ClusterRoleBinding').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'gpu-device-plugin', namespace: 'gpu-operator' },
    ]);
    expect(ds.spec.template.spec.automountServiceAccountToken).toBe(true);
  });

  test('the default config is the first one unless named', () => {
    const first = stack({
      devicePlugin: {
        provider: DevicePluginProvider.PROJECT,
        configs: [{ name: 'sliced-4', config: sliced }, { name: 'whole' }],
      },
    });
    expect(first.construct.devicePlugin!.defaultConfig).toBe('sliced-4');
  });
});

describe("GpuOperatorStack with this project's device plugin", () => {
  const tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }];
  const sliced = { timeSlicing: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 2 }] } };
  const { out, construct } = stack({
    daemonsets: { tolerations, priorityClassName: 'gpu-node-critical', maxUnavailable: '20%' },
    devicePlugin: {
      provider: DevicePluginProvider.PROJECT,
      configs: [{ name: 'sliced', config: sliced }],
      projectPlugin: { image: PluginImage.project('v9.9.9') },
    },
  });
  const ds = out.one('DaemonSet');
  const pod = ds.spec.template.spec;

  test('matches the snapshot', () => {
    expect(out.all).toMatchSnapshot();
  });

  test("turns the operator's plugin off and emits no named configs ConfigMap", () => {
    expect(out.one('ClusterPolicy').spec.devicePlugin.enabled).toBe(false);
    expect(out.ofKind('ConfigMap').map((c) => c.metadata.name)).toEqual([
      'dcgm-exporter-metrics',
      'gpu-device-plugin-config',
    ]);
    expect(construct.devicePlugin).toBeDefined();
  });

  test('runs a GpuDevicePlugin in the operator namespace without creating another namespace', () => {
    expect(out.ofKind('Namespace').map((n) => n.metadata.name)).toEqual(['gpu-operator']);
    expect(ds.metadata.namespace).toBe('gpu-operator');
    expect(out.one('ServiceAccount').metadata.namespace).toBe('gpu-operator');
    expect(pod.containers[0].image).toBe('ghcr.io/cdk8s-gpu/gpu-device-plugin:v9.9.9');
  });

  test('runs only where the operator would run its plugin (nvidia.com/gpu.deploy.device-plugin=true)', () => {
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.deploy.device-plugin': 'true' });
  });

  test("tolerates, prioritises and rolls out like the operator's operands", () => {
    expect(pod.tolerations).toEqual(tolerations);
    expect(pod.priorityClassName).toBe('gpu-node-critical');
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '20%' } });
  });

  test("uses the nvidia RuntimeClass and the operator's driver root", () => {
    expect(pod.runtimeClassName).toBe('nvidia');
    expect(pod.volumes).toContainEqual({
      name: 'driver-root',
      hostPath: { path: '/run/nvidia/driver', type: 'Directory' },
    });
  });

  test("its config file is the same DevicePluginConfig the operator's plugin would get", () => {
    const file = out.one('ConfigMap', 'gpu-device-plugin-config').data['config.yaml'];
    expect(file).toBe(
      new DevicePluginConfig({
        ...sliced,
        migStrategy: MigStrategy.SINGLE,
        nvidiaDriverRoot: '/run/nvidia/driver',
      }).toYaml(),
    );
  });

  test('core kinds (Namespace, ConfigMap, RuntimeClass, DaemonSet, ServiceAccount) are schema-valid', () => {
    const core = out.all.filter((o) => CORE_KINDS.includes(o.kind));
    expect(core.map((o) => o.kind).sort()).toEqual([
      'ConfigMap',
      'ConfigMap',
      'DaemonSet',
      'Namespace',
      'RuntimeClass',
      'ServiceAccount',
    ]);
    expect(() => validateK8sObjects(core)).not.toThrow();
  });

  test('with a pre-installed driver the plugin reads the driver from /', () => {
    const d = stack({ driver: { enabled: false }, devicePlugin: { provider: DevicePluginProvider.PROJECT } }).out;
    expect(YAML.parse(d.one('ConfigMap', 'gpu-device-plugin-config').data['config.yaml']).flags.nvidiaDriverRoot).toBe(
      '/',
    );
    expect(d.one('DaemonSet').spec.template.spec.volumes.map((v: any) => v.name)).not.toContain('driver-root');
  });

  test('OnDelete operands give an OnDelete plugin', () => {
    const d = stack({
      daemonsets: { updateStrategy: UpdateStrategyType.ON_DELETE },
      devicePlugin: { provider: DevicePluginProvider.PROJECT },
    }).out;
    expect(d.one('DaemonSet').spec.updateStrategy).toEqual({ type: 'OnDelete' });
  });
});

describe('GpuOperatorStack install modes', () => {
  test('Argo CD: an Application, and the ClusterPolicy waits for its CRD', () => {
    const { out } = stack({ install: GitOpsInstall.ARGO_CD });
    expect(out.one('Application').metadata.namespace).toBe('argocd');
    expect(out.ofKind('HelmRelease')).toEqual([]);
    expect(out.one('ClusterPolicy').metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
      'argocd.argoproj.io/sync-wave': '1',
    });
  });

  test('NONE: no install objects; the ClusterPolicy has no Argo annotations', () => {
    const { out } = stack({ install: GitOpsInstall.NONE });
    expect(out.all.some((o) => ['HelmRepository', 'HelmRelease', 'Application'].includes(o.kind))).toBe(false);
    expect(out.one('ClusterPolicy').metadata.annotations).toBeUndefined();
  });

  test('chart options reach the HelmRelease', () => {
    const { out } = stack({ chart: { version: 'v26.7.0', nfd: false } });
    expect(out.one('HelmRelease').spec.chart.spec.version).toBe('v26.7.0');
    expect(out.one('HelmRelease').spec.values.nfd).toEqual({ enabled: false });
  });

  test('chart.version picks the release: operator, validator and every operand follow it', () => {
    const custom = GpuOperatorRelease.custom({ version: 'v26.7.1', basedOn: GpuOperatorRelease.V26_7_0 });
    const { out } = stack({ release: custom, chart: { version: 'v26.7.1' } });
    expect(out.one('HelmRelease').spec.values.operator.version).toBe('v26.7.1');
    expect(out.one('ClusterPolicy').spec.validator.version).toBe('v26.7.1');
    expect(out.one('ClusterPolicy').spec.devicePlugin.version).toBe('v0.20.0');
  });

  test('v25.10.1 with install NONE: a ClusterPolicy for that release (defaultRuntime written, plugin v0.18.1), no chart', () => {
    const { out } = stack({ release: GpuOperatorRelease.V25_10_1, install: GitOpsInstall.NONE });
    expect(out.ofKind('HelmRelease')).toEqual([]);
    expect(out.one('ClusterPolicy').spec.operator.defaultRuntime).toBe('containerd');
    expect(out.one('ClusterPolicy').spec.devicePlugin.version).toBe('v0.18.1');
  });

  test('Argo CD sync waves: Namespace -1, Application 0, ClusterPolicy 1', () => {
    const { out } = stack({ install: GitOpsInstall.ARGO_CD });
    const wave = (o: any) => o.metadata.annotations?.['argocd.argoproj.io/sync-wave'];
    expect([wave(out.one('Namespace')), wave(out.one('Application')), wave(out.one('ClusterPolicy'))]).toEqual([
      '-1',
      '0',
      '1',
    ]);
  });

  test("prometheusOperator false: no PrometheusRule and the exporter's ServiceMonitor off", () => {
    const { out } = stack({ prometheusOperator: false });
    expect(out.ofKind('PrometheusRule')).toEqual([]);
    expect(out.one('ClusterPolicy').spec.dcgmExporter.serviceMonitor.enabled).toBe(false);
    expect(out.one('ClusterPolicy').spec.dcgmExporter.enabled).toBe(true);
  });

  test('prometheusOperator false with the exporter off emits no ServiceMonitor settings', () => {
    const { out } = stack({ prometheusOperator: false, dcgmExporter: { enabled: false } });
    expect(out.one('ClusterPolicy').spec.dcgmExporter).toMatchObject({ enabled: false });
    expect(out.one('ClusterPolicy').spec.dcgmExporter.serviceMonitor).toBeUndefined();
  });
});

describe('GpuOperatorStack options', () => {
  test('an existing namespace and no RuntimeClass', () => {
    const { out } = stack({
      namespace: 'nvidia',
      createNamespace: false,
      createRuntimeClass: false,
      install: GitOpsInstall.NONE,
    });
    expect(out.ofKind('Namespace')).toEqual([]);
    expect(out.ofKind('RuntimeClass')).toEqual([]);
    expect(out.ofKind('ConfigMap').every((c) => c.metadata.namespace === 'nvidia')).toBe(true);
    expect(out.one('PrometheusRule').metadata.namespace).toBe('nvidia');
  });

  test('a custom RuntimeClass name is used for the handler, the toolkit and the ClusterPolicy', () => {
    const { out } = stack({ operator: { runtimeClass: 'nvidia-gpu' } });
    expect(out.one('RuntimeClass')).toMatchObject({ metadata: { name: 'nvidia-gpu' }, handler: 'nvidia-gpu' });
    expect(out.one('ClusterPolicy').spec.operator.runtimeClass).toBe('nvidia-gpu');
  });

  test('alerts off: no PrometheusRule, and the built-in metrics are then allowed', () => {
    const { out, construct } = stack({ alerts: { enabled: false }, dcgmExporter: { metrics: DcgmMetrics.builtIn() } });
    expect(out.ofKind('PrometheusRule')).toEqual([]);
    expect(construct.alerts).toBeUndefined();
  });

  test('alert rule labels reach the PrometheusRule', () => {
    const { out } = stack({ alerts: { ruleLabels: { release: 'kube-prometheus-stack' } } });
    expect(out.one('PrometheusRule').metadata.labels.release).toBe('kube-prometheus-stack');
  });
});

describe('GpuOperatorStack validation', () => {
  test.each<[string, GpuOperatorStackProps, RegExp]>([
    [
      'chart settings without an install',
      { install: GitOpsInstall.NONE, chart: { nfd: false } },
      /chart settings apply only when the stack installs the operator, but install is GitOpsInstall.NONE/,
    ],
    [
      'Flux with v25.10.1, whose chart always renders its own ClusterPolicy',
      { release: GpuOperatorRelease.V25_10_1 },
      /install "flux" would install GPU Operator v25.10.1's chart, which has no clusterPolicy.deployCR switch.*Use release GpuOperatorRelease.V26_7_0, or install: GitOpsInstall.NONE/,
    ],
    [
      'Argo CD with v25.10.1 picked by chart.version',
      { install: GitOpsInstall.ARGO_CD, chart: { version: 'v25.10.1' } },
      /install "argocd" would install GPU Operator v25.10.1's chart, which has no clusterPolicy.deployCR switch/,
    ],
    [
      'a chart version outside the release table',
      { chart: { version: 'v25.3.4' } },
      /GPU Operator v25.3.4 is not in this library's release table \(v25.10.1, v26.7.0\)/,
    ],
    [
      'chart.version and release disagreeing',
      { release: GpuOperatorRelease.V26_7_0, chart: { version: 'v25.10.1' } },
      /chart.version "v25.10.1" and release v26.7.0 disagree/,
    ],
    [
      "a moved kubelet root with this project's plugin",
      { devicePlugin: { provider: DevicePluginProvider.PROJECT }, hostPaths: { kubeletRootDir: '/data/kubelet' } },
      /hostPaths.kubeletRootDir is "\/data\/kubelet", but this project's device plugin \(devicePlugin.provider PROJECT\) registers in \/var\/lib\/kubelet\/device-plugins/,
    ],
    [
      'alerts with prometheusOperator false',
      { prometheusOperator: false, alerts: { enabled: true } },
      /alerts.enabled is true, but prometheusOperator is false/,
    ],
    [
      'a ServiceMonitor with prometheusOperator false',
      { prometheusOperator: false, dcgmExporter: { serviceMonitor: { enabled: true } } },
      /dcgmExporter.serviceMonitor.enabled is true, but prometheusOperator is false/,
    ],
    [
      'alerts without the exporter',
      { dcgmExporter: { enabled: false } },
      /alerts need the DCGM exporter's metrics, but dcgmExporter.enabled is false; enable the exporter or set alerts.enabled to false/,
    ],
    [
      'alerts without the ServiceMonitor',
      { dcgmExporter: { serviceMonitor: { enabled: false } } },
      /alerts read the exporter through its ServiceMonitor/,
    ],
    [
      'alerts with the built-in metrics',
      { dcgmExporter: { metrics: DcgmMetrics.builtIn() } },
      /GpuDoubleBitEccError alert needs DCGM_FI_DEV_ECC_DBE_VOL_TOTAL/,
    ],
    [
      'MPS with MIG mixed',
      {
        mig: { strategy: MigStrategy.MIXED },
        devicePlugin: { configs: [{ name: 'mps', config: { mps: { resources: [{ replicas: 2 }] } } }] },
      },
      /MPS, which NVIDIA's plugin does not support with mig.strategy "mixed"/,
    ],
    [
      'a MIG strategy without the MIG manager',
      { migManager: { enabled: false } },
      /mig.strategy "single" needs the MIG manager/,
    ],
    [
      'a driver upgrade policy with the driver disabled',
      { driver: { enabled: false, upgradePolicy: {} } },
      /driver.upgradePolicy applies only to a driver the operator installs/,
    ],
    [
      'Flux settings with Argo CD',
      { install: GitOpsInstall.ARGO_CD, flux: {} },
      /flux settings apply only with install GitOpsInstall.FLUX/,
    ],
    // The project plugin gets the operands' tolerations and priority class: refused under the prop the user set.
    [
      'a keyless Equal toleration for the project plugin',
      {
        devicePlugin: { provider: DevicePluginProvider.PROJECT },
        daemonsets: { tolerations: [{ operator: 'Equal', value: 'x' }] },
      },
      /^daemonsets.tolerations\[0\] has no key, so its operator must be "Exists"/,
    ],
    [
      'a priority class with an empty part for the project plugin',
      { devicePlugin: { provider: DevicePluginProvider.PROJECT }, daemonsets: { priorityClassName: 'gpu..critical' } },
      /^daemonsets.priorityClassName must be a DNS-1123 subdomain/,
    ],
  ])('rejects %s', (_what, props, message) => {
    expect(() => new GpuOperatorStack(scope(), 'Gpu', props)).toThrow(message);
  });

  test('with the ServiceMonitor off, naming the scrape job keeps the alerts', () => {
    expect(
      () =>
        new GpuOperatorStack(scope(), 'Gpu', {
          dcgmExporter: { serviceMonitor: { enabled: false } },
          alerts: { exporterJob: 'gpu-metrics' },
        }),
    ).not.toThrow();
  });
});
