import * as YAML from 'yaml';
import { DevicePluginConfig, GpuResource, MigStrategy, UpdateStrategyType } from '../../../src';
import {
  ClusterPolicy,
  ClusterPolicyProps,
  ContainerRuntime,
  ContainerdConfig,
  DcgmMetrics,
  DefaultOperandImages,
  DevicePluginProvider,
  GpuOperatorRelease,
  KernelModuleType,
  OperandImage,
} from '../../../src/operator';
import { scope, synth } from './synth';

function policy(props: ClusterPolicyProps = {}) {
  let construct: ClusterPolicy | undefined;
  const out = synth((s) => {
    construct = new ClusterPolicy(s, 'Policy', props);
  });
  return { out, construct: construct!, cp: out.one('ClusterPolicy'), spec: out.one('ClusterPolicy').spec };
}

const pinned = (i: OperandImage) => ({ repository: i.repository, image: i.image, version: i.version });

describe('ClusterPolicy defaults', () => {
  const { out, cp, spec } = policy();

  test('matches the snapshot', () => {
    expect(out.all).toMatchSnapshot();
  });

  test('emits the plugin configs and DCGM metrics ConfigMaps, then the ClusterPolicy', () => {
    expect(out.all.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/device-plugin-configs',
      'ConfigMap/dcgm-exporter-metrics',
      'ClusterPolicy/cluster-policy',
    ]);
  });

  test("is nvidia.com/v1, cluster-scoped, named cluster-policy (as NVIDIA's chart names it)", () => {
    expect(cp.apiVersion).toBe('nvidia.com/v1');
    expect(cp.metadata.name).toBe('cluster-policy');
    expect(cp.metadata.namespace).toBeUndefined();
    expect(cp.metadata.labels['app.kubernetes.io/version']).toBe('v26.7.0');
  });

  test('has every section the CRD requires', () => {
    for (const key of [
      'operator',
      'daemonsets',
      'driver',
      'toolkit',
      'devicePlugin',
      'dcgmExporter',
      'dcgm',
      'nodeStatusExporter',
      'gfd',
    ]) {
      expect(spec).toHaveProperty(key);
    }
  });

  test('operator: RuntimeClass nvidia only; v26.7.0 ignores defaultRuntime and initContainer (deprecated in its CRD), so neither is emitted', () => {
    expect(spec.operator).toEqual({ runtimeClass: 'nvidia' });
  });

  test('cdi: enabled only; cdi.default is ignored by both releases and never emitted', () => {
    expect(spec.cdi).toEqual({ enabled: true });
  });

  test('daemonsets: nvidia.com/gpu toleration, system-node-critical, RollingUpdate one node at a time', () => {
    expect(spec.daemonsets).toEqual({
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      priorityClassName: 'system-node-critical',
      updateStrategy: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '1' },
    });
  });

  test('driver: installed, pinned, auto kernel modules, compiled on the node, driver manager pinned', () => {
    expect(spec.driver).toMatchObject({
      enabled: true,
      ...pinned(DefaultOperandImages.DRIVER),
      usePrecompiled: false,
      kernelModuleType: 'auto',
      manager: pinned(DefaultOperandImages.DRIVER_MANAGER),
    });
  });

  test("driver.upgradePolicy: NVIDIA's defaults written out (automatic, one node, pods deleted first, no drain)", () => {
    expect(spec.driver.upgradePolicy).toEqual({
      autoUpgrade: true,
      maxParallelUpgrades: 1,
      maxUnavailable: '25%',
      podDeletion: { force: false, timeoutSeconds: 300, deleteEmptyDir: false },
      waitForCompletion: { timeoutSeconds: 0, podSelector: '' },
      drain: { enable: false, force: false, timeoutSeconds: 300, deleteEmptyDir: false, podSelector: '' },
    });
  });

  test('toolkit: installed, pinned, handler named after the RuntimeClass', () => {
    expect(spec.toolkit).toEqual({
      enabled: true,
      ...pinned(DefaultOperandImages.TOOLKIT),
      installDir: '/usr/local/nvidia',
      env: [{ name: 'CONTAINERD_RUNTIME_CLASS', value: 'nvidia' }],
    });
  });

  test('devicePlugin: the operator\'s, pinned, reading the named configs ConfigMap with default "default"', () => {
    expect(spec.devicePlugin).toEqual({
      enabled: true,
      ...pinned(DefaultOperandImages.DEVICE_PLUGIN),
      config: { name: 'device-plugin-configs', default: 'default' },
    });
  });

  test("the named configs ConfigMap holds DevicePluginConfig.toYaml() for the stack's MIG strategy and driver root", () => {
    const cm = out.one('ConfigMap', 'device-plugin-configs');
    expect(cm.metadata.namespace).toBe('gpu-operator');
    expect(cm.data).toEqual({
      default: new DevicePluginConfig({
        migStrategy: MigStrategy.SINGLE,
        nvidiaDriverRoot: '/run/nvidia/driver',
      }).toYaml(),
    });
  });

  test('dcgm off, dcgmExporter on with a 15s ServiceMonitor and the recommended metrics ConfigMap', () => {
    expect(spec.dcgm).toEqual({ enabled: false, ...pinned(DefaultOperandImages.DCGM) });
    expect(spec.dcgmExporter).toEqual({
      enabled: true,
      ...pinned(DefaultOperandImages.DCGM_EXPORTER),
      serviceMonitor: { enabled: true, interval: '15s', scrapeTimeout: '10s', honorLabels: false },
      config: { name: 'dcgm-exporter-metrics' },
    });
    expect(out.one('ConfigMap', 'dcgm-exporter-metrics').data).toEqual({
      'dcgm-metrics.csv': DcgmMetrics.recommended().toCsv(),
    });
  });

  test('gfd on with the device plugin image; mig single; MIG manager on with built-in layouts', () => {
    expect(spec.gfd).toEqual({ enabled: true, ...pinned(DefaultOperandImages.DEVICE_PLUGIN) });
    expect(spec.mig).toEqual({ strategy: 'single' });
    expect(spec.migManager).toEqual({ enabled: true, ...pinned(DefaultOperandImages.MIG_MANAGER) });
  });

  test('validator and node status exporter run the operator image; no CUDA workload; exporter off', () => {
    expect(spec.validator).toEqual({
      ...pinned(DefaultOperandImages.OPERATOR),
      plugin: { env: [{ name: 'WITH_WORKLOAD', value: 'false' }] },
    });
    expect(spec.nodeStatusExporter).toEqual({ enabled: false, ...pinned(DefaultOperandImages.OPERATOR) });
  });

  test("cdi enabled; host paths / and /run/nvidia/driver (no kubeletRootDir: the operator's default)", () => {
    expect(spec.cdi).toEqual({ enabled: true });
    expect(spec.hostPaths).toEqual({ rootFS: '/', driverInstallDir: '/run/nvidia/driver' });
  });

  test('every operand image is pinned to a version', () => {
    for (const section of Object.values<any>(spec)) {
      if (section?.image) expect(section.version).toMatch(/\d/);
    }
  });
});

describe('ClusterPolicy props', () => {
  test('operator settings on v25.10.1, whose CRD requires defaultRuntime and whose operator reads initContainer', () => {
    const { spec } = policy({
      release: GpuOperatorRelease.V25_10_1,
      operator: {
        defaultRuntime: ContainerRuntime.CRIO,
        runtimeClass: 'nvidia-gpu',
        initContainerImage: OperandImage.of('r.local/nv', 'cuda', '13.0.1-base-ubi9'),
      },
    });
    expect(spec.operator).toEqual({
      defaultRuntime: 'crio',
      runtimeClass: 'nvidia-gpu',
      initContainer: { repository: 'r.local/nv', image: 'cuda', version: '13.0.1-base-ubi9' },
    });
  });

  test("v25.10.1 defaults: containerd written (its CRD requires the field), the release's init container and operands", () => {
    const { spec, cp } = policy({ release: GpuOperatorRelease.V25_10_1 });
    expect(spec.operator).toEqual({
      defaultRuntime: 'containerd',
      runtimeClass: 'nvidia',
      initContainer: pinned(GpuOperatorRelease.V25_10_1.operands.initContainer!),
    });
    expect(spec.devicePlugin.version).toBe('v0.18.1');
    expect(spec.validator.version).toBe('v25.10.1');
    expect(spec.dcgmExporter.serviceMonitor.scrapeTimeout).toBeUndefined();
    expect(cp.metadata.labels['app.kubernetes.io/version']).toBe('v25.10.1');
  });

  test('v26.7.0: defaultRuntime still checks the toolkit settings but is not emitted', () => {
    const { spec } = policy({ operator: { defaultRuntime: ContainerRuntime.CRIO } });
    expect(spec.operator).toEqual({ runtimeClass: 'nvidia' });
    expect(() =>
      policy({ operator: { defaultRuntime: ContainerRuntime.CRIO }, toolkit: { containerd: ContainerdConfig.K3S } }),
    ).toThrow(/toolkit.containerd applies to containerd, but operator.defaultRuntime is "crio"/);
  });

  test('daemonsets: tolerations, priority class, labels, maxUnavailable', () => {
    const tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }];
    const { spec, construct } = policy({
      daemonsets: { tolerations, priorityClassName: 'gpu-critical', maxUnavailable: '25%', labels: { team: 'ml' } },
    });
    expect(spec.daemonsets).toEqual({
      tolerations,
      priorityClassName: 'gpu-critical',
      updateStrategy: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%' },
      labels: { team: 'ml' },
    });
    expect(construct.tolerations).toEqual(tolerations);
  });

  test('daemonsets OnDelete has no rollingUpdate', () => {
    const { spec, construct } = policy({ daemonsets: { updateStrategy: UpdateStrategyType.ON_DELETE } });
    expect(spec.daemonsets.updateStrategy).toBe('OnDelete');
    expect(spec.daemonsets.rollingUpdate).toBeUndefined();
    expect(construct.maxUnavailable).toBeUndefined();
  });

  test('driver: precompiled open modules at a branch, with a drain policy', () => {
    const { spec } = policy({
      driver: {
        usePrecompiled: true,
        version: '570',
        kernelModuleType: KernelModuleType.OPEN,
        upgradePolicy: {
          maxParallelUpgrades: 2,
          maxUnavailable: '1',
          waitForCompletionPodSelector: 'app=train',
          drain: { enable: true, force: true, timeoutSeconds: 600, deleteEmptyDir: true },
        },
      },
    });
    expect(spec.driver).toMatchObject({ version: '570', usePrecompiled: true, kernelModuleType: 'open' });
    expect(spec.driver.upgradePolicy).toMatchObject({
      maxParallelUpgrades: 2,
      maxUnavailable: '1',
      waitForCompletion: { timeoutSeconds: 0, podSelector: 'app=train' },
      drain: { enable: true, force: true, timeoutSeconds: 600, deleteEmptyDir: true, podSelector: '' },
    });
  });

  test('driver disabled: only enabled false and the image; the plugin configs use driver root /', () => {
    const { spec, construct, out } = policy({ driver: { enabled: false } });
    expect(spec.driver).toEqual({ enabled: false, ...pinned(DefaultOperandImages.DRIVER) });
    expect(construct.driverRoot).toBe('/');
    expect(YAML.parse(out.one('ConfigMap', 'device-plugin-configs').data.default).flags.nvidiaDriverRoot).toBe('/');
  });

  test('toolkit for k3s: config and socket env', () => {
    const { spec } = policy({ toolkit: { containerd: ContainerdConfig.K3S, setAsDefaultRuntime: false } });
    expect(spec.toolkit.env).toEqual([
      { name: 'CONTAINERD_CONFIG', value: '/var/lib/rancher/k3s/agent/etc/containerd/config.toml' },
      { name: 'CONTAINERD_SOCKET', value: '/run/k3s/containerd/containerd.sock' },
      { name: 'CONTAINERD_RUNTIME_CLASS', value: 'nvidia' },
      { name: 'CONTAINERD_SET_AS_DEFAULT', value: 'false' },
    ]);
  });

  test('named time-slicing and MPS configs become one ConfigMap key each, with the chosen default', () => {
    const { spec, out, construct } = policy({
      mig: { strategy: MigStrategy.NONE },
      devicePlugin: {
        configs: [
          { name: 'whole' },
          {
            name: 'sliced-4',
            config: { timeSlicing: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 4 }] } },
          },
          { name: 'mps-2', config: { mps: { resources: [{ replicas: 2 }] } } },
        ],
        defaultConfig: 'sliced-4',
      },
    });
    expect(spec.devicePlugin.config).toEqual({ name: 'device-plugin-configs', default: 'sliced-4' });
    const data = out.one('ConfigMap', 'device-plugin-configs').data;
    expect(Object.keys(data).sort()).toEqual(['mps-2', 'sliced-4', 'whole']);
    expect(YAML.parse(data['sliced-4']).sharing.timeSlicing.resources).toEqual([
      { name: 'nvidia.com/gpu', devices: 'all', replicas: 4 },
    ]);
    expect(YAML.parse(data['mps-2']).sharing.mps.failRequestsGreaterThanOne).toBe(true);
    expect(construct.pluginConfigNames).toEqual(['whole', 'sliced-4', 'mps-2']);
    expect(construct.defaultPluginConfig!.timeSlicing!.resources[0].replicas).toBe(4);
  });

  test("provider PROJECT turns the operator's plugin off and emits no configs ConfigMap", () => {
    const { spec, out, construct } = policy({ devicePlugin: { provider: DevicePluginProvider.PROJECT } });
    expect(spec.devicePlugin).toEqual({ enabled: false, ...pinned(DefaultOperandImages.DEVICE_PLUGIN) });
    expect(out.ofKind('ConfigMap').map((c) => c.metadata.name)).toEqual(['dcgm-exporter-metrics']);
    expect(construct.devicePluginProvider).toBe(DevicePluginProvider.PROJECT);
    expect(construct.defaultPluginConfig!.migStrategy).toBe(MigStrategy.SINGLE);
  });

  test('device plugin disabled: no config, no default config', () => {
    const { spec, construct } = policy({ devicePlugin: { enabled: false } });
    expect(spec.devicePlugin.enabled).toBe(false);
    expect(spec.devicePlugin.config).toBeUndefined();
    expect(construct.defaultPluginConfig).toBeUndefined();
    expect(construct.pluginConfigNames).toEqual([]);
  });

  test('dcgmExporter: ServiceMonitor settings and the built-in metrics (no ConfigMap)', () => {
    const { spec, out } = policy({
      dcgmExporter: {
        serviceMonitor: { interval: '30s', honorLabels: true, additionalLabels: { release: 'kube-prometheus' } },
        metrics: DcgmMetrics.builtIn(),
      },
    });
    expect(spec.dcgmExporter.serviceMonitor).toEqual({
      enabled: true,
      interval: '30s',
      scrapeTimeout: '10s',
      honorLabels: true,
      additionalLabels: { release: 'kube-prometheus' },
    });
    expect(spec.dcgmExporter.config).toBeUndefined();
    expect(out.ofKind('ConfigMap').map((c) => c.metadata.name)).toEqual(['device-plugin-configs']);
  });

  test('MIG layouts become custom-mig-parted-config, default all-disabled', () => {
    const { spec, out } = policy({
      mig: { strategy: MigStrategy.MIXED },
      migManager: { layouts: [{ name: 'all-1g.10gb', groups: [{ migEnabled: true, migDevices: { '1g.10gb': 7 } }] }] },
    });
    expect(spec.mig).toEqual({ strategy: 'mixed' });
    expect(spec.migManager.config).toEqual({ name: 'custom-mig-parted-config', default: 'all-disabled' });
    const file = YAML.parse(out.one('ConfigMap', 'custom-mig-parted-config').data['config.yaml']);
    expect(Object.keys(file['mig-configs'])).toEqual(['all-disabled', 'all-1g.10gb']);
  });

  test('validator workload, node status exporter, gfd and dcgm switches; cdi and host paths', () => {
    const { spec } = policy({
      validator: { runPluginWorkload: true },
      nodeStatusExporter: { enabled: true },
      gfd: { enabled: false },
      dcgm: { enabled: true },
      cdi: { enabled: false },
      hostPaths: { rootFs: '/host', driverInstallDir: '/opt/nvidia/driver' },
    });
    expect(spec.validator.plugin.env).toEqual([{ name: 'WITH_WORKLOAD', value: 'true' }]);
    expect([spec.nodeStatusExporter.enabled, spec.gfd.enabled, spec.dcgm.enabled]).toEqual([true, false, true]);
    expect(spec.cdi).toEqual({ enabled: false });
    expect(spec.hostPaths).toEqual({ rootFS: '/host', driverInstallDir: '/opt/nvidia/driver' });
  });

  test('name and namespace', () => {
    const { cp, out } = policy({ name: 'gpus', namespace: 'nvidia' });
    expect(cp.metadata.name).toBe('gpus');
    expect(out.ofKind('ConfigMap').every((c) => c.metadata.namespace === 'nvidia')).toBe(true);
  });
});

describe('ClusterPolicy validation', () => {
  test.each<[string, ClusterPolicyProps, RegExp]>([
    [
      'a name that is not a DNS subdomain',
      { name: 'Cluster_Policy' },
      /name must be a DNS-1123 subdomain: .*\(got "Cluster_Policy"\)/,
    ],
    [
      'a name with an empty part',
      { name: 'gpu..policy' },
      /^name must be a DNS-1123 subdomain: .*\(got "gpu..policy"\)/,
    ],
    ['a name with a part ending in -', { name: 'gpu-.policy' }, /^name must be a DNS-1123 subdomain/],
    ['a namespace that is not a DNS label', { namespace: 'gpu.operator' }, /namespace must be a DNS-1123 label/],
    [
      'a runtime class with a part starting with -',
      { operator: { runtimeClass: 'nvidia.-cdi' } },
      /^operator.runtimeClass must be a DNS-1123 subdomain: .*\(got "nvidia.-cdi"\)/,
    ],
    [
      'a toleration with an unknown operator',
      { daemonsets: { tolerations: [{ key: 'gpu', operator: 'In' }] } },
      /^daemonsets.tolerations\[0\].operator must be "Exists" or "Equal" \(got "In"\)/,
    ],
    [
      'a toleration with tolerationSeconds but no NoExecute',
      { daemonsets: { tolerations: [{ key: 'gpu', operator: 'Exists', tolerationSeconds: 30 }] } },
      /^daemonsets.tolerations\[0\].tolerationSeconds applies only to effect "NoExecute"/,
    ],
    [
      'a priority class that is no DNS subdomain',
      { daemonsets: { priorityClassName: 'GPU Critical' } },
      /^daemonsets.priorityClassName must be a DNS-1123 subdomain: .*\(got "GPU Critical"\)/,
    ],
    [
      'a pod label that is no label key',
      { daemonsets: { labels: { 'team name': 'ml' } } },
      /^daemonsets.labels key "team name" must be a label key/,
    ],
    [
      'a ServiceMonitor label value with a space',
      { dcgmExporter: { serviceMonitor: { additionalLabels: { release: 'kube prometheus' } } } },
      /^dcgmExporter.serviceMonitor.additionalLabels\["release"\] must be a label value: .*\(got "kube prometheus"\)/,
    ],
    [
      'an unknown runtime (from another jsii language)',
      { operator: { defaultRuntime: 'podman' as ContainerRuntime } },
      /operator.defaultRuntime must be one of "containerd", "crio", "docker" \(got "podman"\)/,
    ],
    [
      'an unknown update strategy',
      { daemonsets: { updateStrategy: 'Recreate' as UpdateStrategyType } },
      /daemonsets.updateStrategy must be one of "RollingUpdate", "OnDelete"/,
    ],
    [
      'maxUnavailable with OnDelete',
      { daemonsets: { updateStrategy: UpdateStrategyType.ON_DELETE, maxUnavailable: '1' } },
      /daemonsets.maxUnavailable applies only to RollingUpdate \(got "1" with OnDelete\)/,
    ],
    [
      'a bad maxUnavailable',
      { daemonsets: { maxUnavailable: '0' } },
      /daemonsets.maxUnavailable must be a whole number ≥ 1 or a percentage/,
    ],
    [
      'a relative driverInstallDir',
      { hostPaths: { driverInstallDir: 'run/nvidia/driver' } },
      /hostPaths.driverInstallDir must be an absolute host path/,
    ],
    [
      'an unknown MIG strategy',
      { mig: { strategy: 'double' as MigStrategy } },
      /mig.strategy must be one of "none", "single", "mixed" \(got "double"\)/,
    ],
    [
      'a MIG strategy without the MIG manager',
      { mig: { strategy: MigStrategy.MIXED }, migManager: { enabled: false } },
      /mig.strategy "mixed" needs the MIG manager .*; set migManager.enabled to true, or mig.strategy to "none"/,
    ],
    [
      'MIG layouts without the MIG manager',
      { mig: { strategy: MigStrategy.NONE }, migManager: { enabled: false, layouts: [] } },
      /migManager.layouts needs the MIG manager/,
    ],
    [
      'MPS with MIG mixed',
      {
        mig: { strategy: MigStrategy.MIXED },
        devicePlugin: { configs: [{ name: 'mps', config: { mps: { resources: [{ replicas: 2 }] } } }] },
      },
      /configs\["mps"\] shares GPUs with MPS, which NVIDIA's plugin does not support with mig.strategy "mixed"/,
    ],
    [
      'an unknown plugin provider',
      { devicePlugin: { provider: 'vendor' as DevicePluginProvider } },
      /devicePlugin.provider must be one of "operator", "project"/,
    ],
    [
      'plugin configs with the plugin off',
      { devicePlugin: { enabled: false, configs: [{ name: 'a' }] } },
      /devicePlugin.configs, defaultConfig and projectPlugin need a device plugin/,
    ],
    [
      "projectPlugin with the operator's plugin",
      { devicePlugin: { projectPlugin: {} } },
      /devicePlugin.projectPlugin applies only with provider DevicePluginProvider.PROJECT/,
    ],
    [
      'exporter settings with the exporter off',
      { dcgmExporter: { enabled: false, serviceMonitor: {} } },
      /dcgmExporter.serviceMonitor, dcgmExporter.metrics and dcgmExporter.podLabels need the exporter/,
    ],
    [
      'a bad ServiceMonitor interval',
      { dcgmExporter: { serviceMonitor: { interval: '15 seconds' } } },
      /dcgmExporter.serviceMonitor.interval must be a Prometheus duration .*\(got "15 seconds"\)/,
    ],
  ])('rejects %s', (_what, props, message) => {
    expect(() => new ClusterPolicy(scope(), 'Policy', props)).toThrow(message);
  });
});
