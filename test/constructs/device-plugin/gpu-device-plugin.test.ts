import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import * as YAML from 'yaml';
import {
  DeviceListStrategy,
  GpuDevicePlugin,
  GpuResource,
  MigStrategy,
  PluginImage,
  PluginImageKind,
  UpdateStrategyType,
} from '../../../src';
import { envOf, mpsDaemonSet, pluginContainer, synthPlugin } from './synth';

describe('GpuDevicePlugin defaults', () => {
  const { all, byKind } = synthPlugin();
  const ds = byKind('DaemonSet');
  const podSpec = ds.spec.template.spec;
  const container = pluginContainer(ds);

  test('matches the snapshot', () => {
    expect(all).toMatchSnapshot();
  });

  test('emits a namespace, service account, config map and daemon set, in that order', () => {
    expect(all.map((o) => o.kind)).toEqual(['Namespace', 'ServiceAccount', 'ConfigMap', 'DaemonSet']);
  });

  test('uses stable names without hash suffixes', () => {
    expect(all.map((o) => o.metadata.name)).toEqual([
      'gpu-device-plugin',
      'gpu-device-plugin',
      'gpu-device-plugin-config',
      'gpu-device-plugin',
    ]);
    expect(all.slice(1).every((o) => o.metadata.namespace === 'gpu-device-plugin')).toBe(true);
  });

  test('labels the namespace for the privileged Pod Security level', () => {
    expect(byKind('Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('stamps every object with the six app.kubernetes.io labels', () => {
    for (const o of all) {
      expect(
        Object.keys(o.metadata.labels)
          .filter((k) => k.startsWith('app.kubernetes.io/'))
          .sort(),
      ).toEqual([
        'app.kubernetes.io/component',
        'app.kubernetes.io/instance',
        'app.kubernetes.io/managed-by',
        'app.kubernetes.io/name',
        'app.kubernetes.io/part-of',
        'app.kubernetes.io/version',
      ]);
      expect(o.metadata.labels['app.kubernetes.io/version']).toBe('v0.1.0');
    }
  });

  test('selects pods by name and instance only (the selector is immutable)', () => {
    expect(ds.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'gpu-device-plugin',
      'app.kubernetes.io/instance': 'gpu-device-plugin',
    });
  });

  test('runs this project image pinned to the library version', () => {
    expect(container.image).toBe('ghcr.io/cdk8s-gpu/gpu-device-plugin:v0.1.0');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
  });

  test('mounts the kubelet device plugin directory at the same path, type Directory', () => {
    expect(podSpec.volumes[0]).toEqual({
      name: 'device-plugins',
      hostPath: { path: '/var/lib/kubelet/device-plugins', type: 'Directory' },
    });
    expect(container.volumeMounts[0]).toEqual({ name: 'device-plugins', mountPath: '/var/lib/kubelet/device-plugins' });
  });

  test('mounts the config map at /config and points CONFIG_FILE at it', () => {
    expect(podSpec.volumes[1]).toEqual({ name: 'config', configMap: { name: 'gpu-device-plugin-config' } });
    expect(envOf(ds).CONFIG_FILE).toBe('/config/config.yaml');
  });

  test('drops every capability, forbids escalation, and adds none back', () => {
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('sets the NVIDIA runtime env', () => {
    expect(envOf(ds)).toMatchObject({ NVIDIA_VISIBLE_DEVICES: 'all', NVIDIA_DRIVER_CAPABILITIES: 'compute,utility' });
  });

  test('probes /healthz and /readyz on the metrics port', () => {
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: 8080, protocol: 'TCP' }]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
  });

  test('tolerates nvidia.com/gpu and CriticalAddonsOnly', () => {
    expect(podSpec.tolerations).toEqual([
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  test('runs on GPU nodes found by NFD or the gpu.present label (terms ORed)', () => {
    const terms = podSpec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms.map((t: any) => t.matchExpressions[0].key)).toEqual([
      'feature.node.kubernetes.io/pci-10de.present',
      'feature.node.kubernetes.io/cpu-model.vendor_id',
      'nvidia.com/gpu.present',
    ]);
  });

  test('is system-node-critical, with a memory limit, and no API token', () => {
    expect(podSpec.priorityClassName).toBe('system-node-critical');
    expect(container.resources).toEqual({ requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '192Mi' } });
    expect(podSpec.automountServiceAccountToken).toBe(false);
    expect(byKind('ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  test('rolls one node at a time', () => {
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
  });

  test('writes NVIDIA v1 config with defaults', () => {
    expect(YAML.parse(byKind('ConfigMap').data['config.yaml'])).toEqual({
      version: 'v1',
      flags: {
        migStrategy: 'none',
        failOnInitError: true,
        nvidiaDriverRoot: '/',
        plugin: { passDeviceSpecs: false, deviceListStrategy: 'envvar', deviceIDStrategy: 'uuid' },
      },
    });
  });
});

describe('GpuDevicePlugin props', () => {
  test('name and namespace rename every object; createNamespace false uses an existing namespace', () => {
    const { all } = synthPlugin({ name: 'nvdp', namespace: 'kube-system', createNamespace: false });
    expect(all.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/kube-system/nvdp',
      'ConfigMap/kube-system/nvdp-config',
      'DaemonSet/kube-system/nvdp',
    ]);
  });

  test("NVIDIA's image: pinned, no probes, no metrics port", () => {
    const ds = synthPlugin({ image: PluginImage.nvidia() }).byKind('DaemonSet');
    const c = pluginContainer(ds);
    expect(c.image).toBe('nvcr.io/nvidia/k8s-device-plugin:v0.20.0');
    expect(c.livenessProbe).toBeUndefined();
    expect(c.readinessProbe).toBeUndefined();
    expect(c.ports).toBeUndefined();
    expect(ds.metadata.labels['app.kubernetes.io/version']).toBe('v0.20.0');
  });

  test('a custom image reference is used as given', () => {
    const c = pluginContainer(
      synthPlugin({ image: PluginImage.fromReference('registry.local:5000/gpu/plugin:dev-1') }).byKind('DaemonSet'),
    );
    expect(c.image).toBe('registry.local:5000/gpu/plugin:dev-1');
    expect(c.livenessProbe).toBeDefined();
  });

  test("pull secrets, pull policy, pod annotations, security contexts and host network (the values NVIDIA's chart has)", () => {
    const ds = synthPlugin({
      imagePullSecrets: ['regcred'],
      imagePullPolicy: 'Always',
      podAnnotations: { 'example.com/owner': 'ml' },
      podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      securityContext: { privileged: false, runAsUser: 0 },
      hostNetwork: true,
    }).byKind('DaemonSet');
    const spec = ds.spec.template.spec;
    expect(spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(spec.hostNetwork).toBe(true);
    expect(spec.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(pluginContainer(ds).imagePullPolicy).toBe('Always');
    expect(pluginContainer(ds).securityContext).toEqual({ privileged: false, runAsUser: 0 });
    expect(Object.keys(ds.spec.template.metadata.annotations).sort()).toEqual([
      'cdk8s-gpu.io/config-sha256',
      'example.com/owner',
    ]);
  });

  test.each([
    [{ imagePullPolicy: 'always' }, 'imagePullPolicy must be one of IfNotPresent, Always, Never (got "always")'],
    [{ imagePullSecrets: ['Reg Cred'] }, 'imagePullSecrets[0]'],
    [
      { podAnnotations: { 'cdk8s-gpu.io/config-sha256': 'x' } },
      'podAnnotations must not set cdk8s-gpu.io/config-sha256',
    ],
  ])('refuses %j', (props, message) => {
    expect(() => synthPlugin(props as object)).toThrow(message);
  });

  test('migStrategy goes to the config, adds SYS_ADMIN and NVIDIA_MIG_MONITOR_DEVICES', () => {
    const { byKind } = synthPlugin({ migStrategy: MigStrategy.MIXED });
    expect(YAML.parse(byKind('ConfigMap').data['config.yaml']).flags.migStrategy).toBe('mixed');
    const ds = byKind('DaemonSet');
    expect(pluginContainer(ds).securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['SYS_ADMIN'] });
    expect(envOf(ds).NVIDIA_MIG_MONITOR_DEVICES).toBe('all');
  });

  test('several device list strategies render as a list; CDI mounts /var/run/cdi', () => {
    const { byKind } = synthPlugin({ deviceListStrategy: [DeviceListStrategy.CDI_CRI, DeviceListStrategy.ENVVAR] });
    expect(YAML.parse(byKind('ConfigMap').data['config.yaml']).flags.plugin.deviceListStrategy).toEqual([
      'cdi-cri',
      'envvar',
    ]);
    const ds = byKind('DaemonSet');
    expect(ds.spec.template.spec.volumes).toContainEqual({
      name: 'cdi-root',
      hostPath: { path: '/var/run/cdi', type: 'DirectoryOrCreate' },
    });
    expect(pluginContainer(ds).volumeMounts).toContainEqual({ name: 'cdi-root', mountPath: '/var/run/cdi' });
  });

  test('CDI mounts the driver root (the host root by default) read-only at /driver-root, where the plugin reads the files its spec lists', () => {
    const ds = synthPlugin({ deviceListStrategy: [DeviceListStrategy.CDI_CRI] }).byKind('DaemonSet');
    expectDriverRootMounted(ds, '/');
    const plain = synthPlugin().byKind('DaemonSet');
    expect(plain.spec.template.spec.volumes.map((v: { name: string }) => v.name)).not.toContain('driver-root');
  });

  test("gpuFeatureDiscovery writes the GFD labels into NFD's features.d on the host", () => {
    const ds = synthPlugin({ gpuFeatureDiscovery: true }).byKind('DaemonSet');
    expect(envOf(ds).GFD_OUTPUT_FILE).toBe('/etc/kubernetes/node-feature-discovery/features.d/gfd');
    expect(ds.spec.template.spec.volumes).toContainEqual({
      name: 'nfd-features',
      hostPath: { path: '/etc/kubernetes/node-feature-discovery/features.d', type: 'DirectoryOrCreate' },
    });
    expect(pluginContainer(ds).volumeMounts).toContainEqual({
      name: 'nfd-features',
      mountPath: '/etc/kubernetes/node-feature-discovery/features.d',
    });
    expect(envOf(synthPlugin().byKind('DaemonSet')).GFD_OUTPUT_FILE).toBeUndefined();
  });

  test("gpuFeatureDiscovery with NVIDIA's image is refused with what to use instead", () => {
    expect(() => synthPlugin({ gpuFeatureDiscovery: true, image: PluginImage.nvidia() })).toThrow(
      /gpuFeatureDiscovery needs this project's plugin image: NVIDIA's plugin writes no labels \(deploy NVIDIA's gpu-feature-discovery/,
    );
  });

  test('volume-mounts adds SYS_ADMIN', () => {
    const c = pluginContainer(
      synthPlugin({ deviceListStrategy: [DeviceListStrategy.VOLUME_MOUNTS] }).byKind('DaemonSet'),
    );
    expect(c.securityContext.capabilities.add).toEqual(['SYS_ADMIN']);
  });

  test('passDeviceSpecs makes the container privileged and goes to the config', () => {
    const { byKind } = synthPlugin({ passDeviceSpecs: true });
    expect(pluginContainer(byKind('DaemonSet')).securityContext).toEqual({
      privileged: true,
      readOnlyRootFilesystem: true,
    });
    expect(YAML.parse(byKind('ConfigMap').data['config.yaml']).flags.plugin.passDeviceSpecs).toBe(true);
  });

  test('failOnInitError and nvidiaDriverRoot go to the config; a driver root is mounted read-only', () => {
    const { byKind } = synthPlugin({ failOnInitError: false, nvidiaDriverRoot: '/run/nvidia/driver' });
    const flags = YAML.parse(byKind('ConfigMap').data['config.yaml']).flags;
    expect(flags.failOnInitError).toBe(false);
    expect(flags.nvidiaDriverRoot).toBe('/run/nvidia/driver');
    const ds = byKind('DaemonSet');
    expectDriverRootMounted(ds, '/run/nvidia/driver');
  });

  // NVIDIA's GPUDirect flags: in the file only when on, so a config without them keeps its bytes and hash.
  test.each(['gdsEnabled', 'mofedEnabled', 'gdrcopyEnabled'] as const)(
    '%s: true is written after nvidiaDriverRoot; false changes nothing',
    (flag) => {
      const on = synthPlugin({ [flag]: true });
      const text: string = on.byKind('ConfigMap').data['config.yaml'];
      const flags = YAML.parse(text).flags;
      expect(flags[flag]).toBe(true);
      expect(Object.keys(flags)).toEqual(['migStrategy', 'failOnInitError', 'nvidiaDriverRoot', flag, 'plugin']);
      const off = synthPlugin({ [flag]: false });
      const none = synthPlugin();
      expect(off.byKind('ConfigMap')).toEqual(none.byKind('ConfigMap'));
      expect(off.byKind('DaemonSet')).toEqual(none.byKind('DaemonSet'));
      expect(on.byKind('DaemonSet').spec.template.metadata.annotations['cdk8s-gpu.io/config-sha256']).not.toBe(
        none.byKind('DaemonSet').spec.template.metadata.annotations['cdk8s-gpu.io/config-sha256'],
      );
    },
  );

  test('timeSlicing renders the sharing block with per-GPU devices', () => {
    const { byKind } = synthPlugin({
      timeSlicing: {
        renameByDefault: true,
        failRequestsGreaterThanOne: true,
        resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 4, devices: ['0', '1'] }],
      },
    });
    const cfg = YAML.parse(byKind('ConfigMap').data['config.yaml']);
    expect(cfg.sharing).toEqual({
      timeSlicing: {
        renameByDefault: true,
        failRequestsGreaterThanOne: true,
        resources: [{ name: 'nvidia.com/gpu', devices: ['0', '1'], replicas: 4 }],
      },
    });
    expect(cfg.flags.plugin.sharedDevicesAllocationPolicy).toBe('distributed');
  });

  test('mps renders its block, mpsRoot and a host mount; failRequestsGreaterThanOne defaults to true', () => {
    const { byKind } = synthPlugin({ mps: { resources: [{ replicas: 2, rename: 'gpu-mps' }] } });
    const cfg = YAML.parse(byKind('ConfigMap').data['config.yaml']);
    expect(cfg.flags.mpsRoot).toBe('/run/nvidia/mps');
    expect(cfg.sharing.mps).toEqual({
      renameByDefault: false,
      failRequestsGreaterThanOne: true,
      resources: [{ name: 'nvidia.com/gpu', rename: 'gpu-mps', devices: 'all', replicas: 2 }],
    });
    // NVIDIA's layout: the host's MPS root at /mps, where the daemon's .ready marker is read.
    expect(pluginContainer(byKind('DaemonSet')).volumeMounts).toContainEqual({ name: 'mps-root', mountPath: '/mps' });
    expect(byKind('DaemonSet').spec.template.spec.volumes).toContainEqual({
      name: 'mps-root',
      hostPath: { path: '/run/nvidia/mps', type: 'DirectoryOrCreate' },
    });
  });

  test('mps also deploys the MPS control daemon: hostPID, same image and config, the subcommand, the MPS root', () => {
    const { all, byKind } = synthPlugin({
      mps: { resources: [{ replicas: 2 }] },
      mpsRoot: '/var/run/nvidia/mps',
      nodeSelector: { pool: 'gpu' },
      extraArgs: ['--fail-on-init-error=false'],
    });
    const ds = mpsDaemonSet(all);
    const plugin = byKind('DaemonSet');
    expect(ds.metadata.name).toBe('gpu-device-plugin-mps-control-daemon');
    expect(ds.metadata.labels['app.kubernetes.io/component']).toBe('mps-control-daemon');
    expect(ds.spec.selector.matchLabels).not.toEqual(plugin.spec.selector.matchLabels);
    const pod = ds.spec.template.spec;
    expect(pod.hostPID).toBe(true);
    expect(pod.nodeSelector).toEqual({ pool: 'gpu' });
    expect(pod.affinity).toEqual(plugin.spec.template.spec.affinity);
    expect(pod.tolerations).toEqual(plugin.spec.template.spec.tolerations);
    const c = pod.containers[0];
    expect(c.image).toBe(pluginContainer(plugin).image);
    expect(c.args).toEqual(['mps-control-daemon', '--fail-on-init-error=false']);
    expect(c.env).toEqual(pluginContainer(plugin).env);
    expect(c.volumeMounts).toEqual([
      { name: 'config', mountPath: '/config', readOnly: true },
      { name: 'mps-root', mountPath: '/mps' },
      { name: 'mps-shm', mountPath: '/dev/shm' },
    ]);
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        { name: 'mps-root', hostPath: { path: '/var/run/nvidia/mps', type: 'DirectoryOrCreate' } },
        { name: 'mps-shm', hostPath: { path: '/var/run/nvidia/mps/shm', type: 'DirectoryOrCreate' } },
      ]),
    );
    expect(ds.spec.template.metadata.annotations).toEqual(plugin.spec.template.metadata.annotations);
  });

  test("no MPS, no MPS control daemon; NVIDIA's image runs its own mps-control-daemon binary", () => {
    expect(mpsDaemonSet(synthPlugin({ timeSlicing: { resources: [{ replicas: 2 }] } }).all)).toBeUndefined();
    const c = mpsDaemonSet(synthPlugin({ mps: { resources: [{ replicas: 2 }] }, image: PluginImage.nvidia() }).all).spec
      .template.spec.containers[0];
    expect(c.command).toEqual(['mps-control-daemon']);
    expect(c.args).toBeUndefined();
  });

  test('the MPS control daemon pulls its image like the plugin: pull policy and pull secrets', () => {
    const { all, byKind } = synthPlugin({
      mps: { resources: [{ replicas: 2 }] },
      imagePullPolicy: 'Always',
      imagePullSecrets: ['regcred'],
    });
    const pod = mpsDaemonSet(all).spec.template.spec;
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(pod.imagePullSecrets).toEqual(byKind('DaemonSet').spec.template.spec.imagePullSecrets);
    expect(pod.containers[0].imagePullPolicy).toBe('Always');
  });

  test("with a CDI strategy the MPS control daemon gets the plugin's driver-root mount (one chart condition for both)", () => {
    const { all, byKind } = synthPlugin({
      mps: { resources: [{ replicas: 2 }] },
      deviceListStrategy: [DeviceListStrategy.CDI_CRI],
    });
    const pod = mpsDaemonSet(all).spec.template.spec;
    const plugin = byKind('DaemonSet').spec.template.spec;
    const driverRoot = (vs: Array<{ name: string }>) => vs.find((v) => v.name === 'driver-root');
    expect(driverRoot(pod.volumes)).toEqual(driverRoot(plugin.volumes));
    expect(driverRoot(pod.containers[0].volumeMounts)).toEqual({
      name: 'driver-root',
      mountPath: '/driver-root',
      readOnly: true,
    });
  });

  test("a name too long for the MPS DaemonSet's suffix is refused with the reason", () => {
    expect(() => synthPlugin({ name: 'a'.repeat(50), mps: { resources: [{ replicas: 2 }] } })).toThrow(
      /mps-control-daemon/,
    );
  });

  test('a config change changes the pod template checksum (rolls the pods)', () => {
    const a = synthPlugin().byKind('DaemonSet').spec.template.metadata.annotations['cdk8s-gpu.io/config-sha256'];
    const b = synthPlugin({ failOnInitError: false }).byKind('DaemonSet').spec.template.metadata.annotations[
      'cdk8s-gpu.io/config-sha256'
    ];
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
  });

  test.each([
    [{ disabled: true }, { DP_DISABLE_HEALTHCHECKS: 'all' }],
    [{ skipXids: [48, 63] }, { DP_DISABLE_HEALTHCHECKS: '48,63' }],
    [{ enableXids: [13] }, { DP_ENABLE_HEALTHCHECKS: '13' }],
    [{ recoverySeconds: 120 }, { HEALTH_RECOVERY_SECONDS: '120' }],
  ])('health %j sets %j', (health, env) => {
    expect(envOf(synthPlugin({ health }).byKind('DaemonSet'))).toMatchObject(env);
  });

  test('nodeSelector, affinity, tolerations, priority class, runtime class are passed through', () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }],
        },
      },
    };
    const tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }];
    const spec = synthPlugin({
      nodeSelector: { 'nvidia.com/gpu.deploy.device-plugin': 'true' },
      affinity,
      tolerations,
      priorityClassName: 'gpu-critical',
      runtimeClassName: 'nvidia',
    }).byKind('DaemonSet').spec.template.spec;
    expect(spec.nodeSelector).toEqual({ 'nvidia.com/gpu.deploy.device-plugin': 'true' });
    expect(spec.affinity).toEqual(affinity);
    expect(spec.tolerations).toEqual(tolerations);
    expect(spec.priorityClassName).toBe('gpu-critical');
    expect(spec.runtimeClassName).toBe('nvidia');
  });

  test('updateStrategy OnDelete and a percentage maxUnavailable', () => {
    expect(
      synthPlugin({ updateStrategy: { type: UpdateStrategyType.ON_DELETE } }).byKind('DaemonSet').spec.updateStrategy,
    ).toEqual({ type: 'OnDelete' });
    expect(synthPlugin({ updateStrategy: { maxUnavailable: '25%' } }).byKind('DaemonSet').spec.updateStrategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%' },
    });
  });

  test('extraEnv wins over generated env; extraArgs become args', () => {
    const ds = synthPlugin({
      extraEnv: { NVIDIA_DRIVER_CAPABILITIES: 'all', LOG_LEVEL: 'debug' },
      extraArgs: ['--metrics-port=9090'],
    }).byKind('DaemonSet');
    expect(envOf(ds)).toMatchObject({ NVIDIA_DRIVER_CAPABILITIES: 'all', LOG_LEVEL: 'debug' });
    expect(pluginContainer(ds).args).toEqual(['--metrics-port=9090']);
  });

  test('resources replace the defaults', () => {
    const c = pluginContainer(
      synthPlugin({ resources: { limits: { memory: k8s.Quantity.fromString('300Mi') } } }).byKind('DaemonSet'),
    );
    expect(c.resources).toEqual({ limits: { memory: '300Mi' } });
  });
});

describe('GpuDevicePlugin validation', () => {
  test.each<[string, any, RegExp]>([
    ['name not a DNS label', { name: 'GPU_Plugin' }, /^name must be a DNS-1123 label.*got "GPU_Plugin"/],
    ['namespace not a DNS label', { namespace: 'a'.repeat(64) }, /^namespace must be a DNS-1123 label/],
    [
      'name that only looks like a chart value token',
      { name: '\u27e6cv:0\u27e7' },
      /^name must be a DNS-1123 label: .*got "\u27e6cv:0\u27e7"/,
    ],
    [
      'driver root that only looks like a chart value token',
      { nvidiaDriverRoot: '\u27e6cv:0\u27e7' },
      /^nvidiaDriverRoot must be an absolute host path/,
    ],
    [
      'toleration with an unknown operator',
      { tolerations: [{ key: 'gpu', operator: 'In' }] },
      /^tolerations\[0\]\.operator must be "Exists" or "Equal" \(got "In"\)/,
    ],
    [
      'toleration without a key, operator Equal',
      { tolerations: [{ operator: 'Equal', value: 'gpu' }] },
      /^tolerations\[0\] has no key, so its operator must be "Exists"/,
    ],
    [
      'toleration Exists with a value',
      { tolerations: [{ key: 'gpu', operator: 'Exists', value: 'yes' }] },
      /^tolerations\[0\]\.value must be left out with operator "Exists" \(got "yes"\)/,
    ],
    [
      'toleration with an unknown effect',
      { tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoEvict' }] },
      /^tolerations\[0\]\.effect must be one of "NoSchedule", "PreferNoSchedule", "NoExecute"/,
    ],
    [
      'tolerationSeconds without NoExecute',
      { tolerations: [{ operator: 'Exists' }, { key: 'gpu', operator: 'Exists', tolerationSeconds: 30 }] },
      /^tolerations\[1\]\.tolerationSeconds applies only to effect "NoExecute"/,
    ],
    [
      'toleration key that is no label key',
      { tolerations: [{ key: 'gpu node', operator: 'Exists' }] },
      /^tolerations\[0\]\.key must be a label key: .*\(got "gpu node"\)/,
    ],
    [
      'nodeSelector key that is no label key',
      { nodeSelector: { 'gpu type': 'a100' } },
      /^nodeSelector key "gpu type" must be a label key/,
    ],
    [
      'nodeSelector value that is no label value',
      { nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA A100' } },
      /^nodeSelector\["nvidia.com\/gpu.product"\] must be a label value: .*\(got "NVIDIA A100"\)/,
    ],
    [
      'priorityClassName with an empty part',
      { priorityClassName: 'gpu..critical' },
      /^priorityClassName must be a DNS-1123 subdomain: .*\(got "gpu..critical"\)/,
    ],
    [
      'runtimeClassName in upper case',
      { runtimeClassName: 'NVIDIA' },
      /^runtimeClassName must be a DNS-1123 subdomain: .*\(got "NVIDIA"\)/,
    ],
    [
      'empty runtimeClassName',
      { runtimeClassName: '' },
      /^runtimeClassName must be a DNS-1123 subdomain: .*\(got ""\)/,
    ],
    [
      'extraEnv name with a space',
      { extraEnv: { 'LOG LEVEL': 'debug' } },
      /^extraEnv holds the variable name "LOG LEVEL"; names must be letters, digits/,
    ],
    ['extraEnv name starting with a digit', { extraEnv: { '1X': 'y' } }, /^extraEnv holds the variable name "1X"/],
    [
      'negative memory limit',
      { resources: { limits: { memory: k8s.Quantity.fromString('-64Mi') } } },
      /^resources.limits.memory must be a quantity ≥ 0 .*\(got "-64Mi"\)/,
    ],
    [
      'CPU request in words',
      {
        resources: {
          limits: { memory: k8s.Quantity.fromString('192Mi') },
          requests: { cpu: k8s.Quantity.fromString('lots') },
        },
      },
      /^resources.requests.cpu must be a quantity ≥ 0 .*\(got "lots"\)/,
    ],
    [
      'memory request above the limit',
      {
        resources: {
          limits: { memory: k8s.Quantity.fromString('192Mi') },
          requests: { memory: k8s.Quantity.fromString('1Gi') },
        },
      },
      /^resources.requests.memory must be at most resources.limits.memory \(got 1Gi > 192Mi\)/,
    ],
    [
      'negative recovery',
      { health: { recoverySeconds: -1 } },
      /health.recoverySeconds must be a whole number of seconds ≥ 0 \(got -1\)/,
    ],
    [
      'recovery with NVIDIA image',
      { image: PluginImage.nvidia(), health: { recoverySeconds: 30 } },
      /needs this project's plugin image/,
    ],
    [
      'fractional skip XID',
      { health: { skipXids: [4.5] } },
      /health.skipXids must hold whole XID numbers ≥ 1 \(got 4.5\)/,
    ],
    [
      'bad maxUnavailable',
      { updateStrategy: { maxUnavailable: '0' } },
      /maxUnavailable must be a whole number ≥ 1 or a percentage .*got "0"/,
    ],
    [
      'maxUnavailable with OnDelete',
      { updateStrategy: { type: UpdateStrategyType.ON_DELETE, maxUnavailable: '1' } },
      /applies only to RollingUpdate/,
    ],
    ['resources without memory limit', { resources: { requests: {} } }, /resources must set limits.memory/],
    [
      'replicas 1',
      { timeSlicing: { resources: [{ replicas: 1 }] } },
      /timeSlicing.resources\[0\].replicas must be a whole number ≥ 2 \(got 1\)/,
    ],
    [
      'replicas 2.5',
      { mps: { resources: [{ replicas: 2.5 }] } },
      /mps.resources\[0\].replicas must be a whole number ≥ 2 \(got 2.5\)/,
    ],
    ['empty sharing list', { timeSlicing: { resources: [] } }, /timeSlicing.resources must list at least one resource/],
    [
      'MPS with MIG mixed',
      { migStrategy: MigStrategy.MIXED, mps: { resources: [{ replicas: 2 }] } },
      /mps cannot be combined with migStrategy "mixed"/,
    ],
    [
      'MIG resource without mixed',
      { timeSlicing: { resources: [{ resource: GpuResource.of('nvidia.com/mig-1g.10gb'), replicas: 2 }] } },
      /is a MIG resource, which exists only with migStrategy "mixed"/,
    ],
    [
      'non-NVIDIA resource',
      { timeSlicing: { resources: [{ resource: GpuResource.of('example.com/fpga'), replicas: 2 }] } },
      /must be an NVIDIA resource .*example.com\/fpga/,
    ],
    [
      'bad rename',
      { timeSlicing: { resources: [{ replicas: 2, rename: 'Shared GPU' }] } },
      /rename must be a resource name .*got "Shared GPU"/,
    ],
    [
      'bad device ref',
      { timeSlicing: { resources: [{ replicas: 2, devices: ['first'] }] } },
      /devices entries must be GPU indices .*got "first"/,
    ],
    [
      'duplicate advertised names',
      { timeSlicing: { resources: [{ replicas: 2 }] }, mps: { resources: [{ replicas: 2 }] } },
      /both be advertised as "nvidia.com\/gpu"/,
    ],
    ['empty device list strategy', { deviceListStrategy: [] }, /deviceListStrategy must name at least one strategy/],
    [
      'repeated device list strategy',
      { deviceListStrategy: [DeviceListStrategy.ENVVAR, DeviceListStrategy.ENVVAR] },
      /lists "envvar" twice/,
    ],
    [
      'relative driver root',
      { nvidiaDriverRoot: 'run/nvidia' },
      /nvidiaDriverRoot must be an absolute host path \(got "run\/nvidia"\)/,
    ],
  ])('%s', (_name, props, message) => {
    expect(() => synthPlugin(props)).toThrow(message);
  });

  test.each<[string, any]>([
    ['an empty priorityClassName (no priority class)', { priorityClassName: '' }],
    ['a toleration for every taint', { tolerations: [{ operator: 'Exists' }] }],
    [
      'a NoExecute toleration with seconds',
      {
        tolerations: [
          { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        ],
      },
    ],
    ['an empty nodeSelector value', { nodeSelector: { 'nvidia.com/gpu.present': '' } }],
  ])('accepts %s', (_name, props) => {
    expect(() => synthPlugin(props)).not.toThrow();
  });

  test('addToleration refuses a bad toleration, naming its position', () => {
    const plugin = new GpuDevicePlugin(new Chart(Testing.app(), 'test'), 'DevicePlugin');
    expect(() => plugin.addToleration({ key: 'gpu', operator: 'Exists', value: 'x' })).toThrow(
      /^tolerations\[2\]\.value must be left out with operator "Exists"/,
    );
  });

  test('addEnv refuses a name Kubernetes rejects', () => {
    const plugin = new GpuDevicePlugin(new Chart(Testing.app(), 'test'), 'DevicePlugin');
    expect(() => plugin.addEnv('MY VAR', '1')).toThrow(/^addEnv holds the variable name "MY VAR"/);
  });
});

describe('PluginImage', () => {
  test.each([
    ['ghcr.io/x/y', /must be pinned with a tag or a digest/],
    ['ghcr.io/x/y:latest', /floating tag "latest"/],
    ['Not An Image', /must be a container image reference/],
  ])('%s is refused', (ref, message) => {
    expect(() => PluginImage.fromReference(ref)).toThrow(message);
  });

  test('a digest pins an image without a tag', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const image = PluginImage.fromReference(`ghcr.io/x/y@${digest}`, PluginImageKind.NVIDIA);
    expect(image.tag).toBe('');
    expect(image.kind).toBe(PluginImageKind.NVIDIA);
  });

  test('the kind is inferred from the well-known repositories', () => {
    expect(PluginImage.fromReference('nvcr.io/nvidia/k8s-device-plugin:v0.20.0').kind).toBe(PluginImageKind.NVIDIA);
    expect(PluginImage.fromReference('ghcr.io/cdk8s-gpu/gpu-device-plugin:v1.0.0').kind).toBe(PluginImageKind.PROJECT);
    expect(PluginImage.fromReference('registry.local/mirror/k8s-device-plugin:v0.20.0').kind).toBe(
      PluginImageKind.PROJECT,
    );
  });

  test.each([
    [
      'nvcr.io/nvidia/k8s-device-plugin:v0.20.0',
      PluginImageKind.PROJECT,
      'is NVIDIA\'s plugin but kind is "project": leave kind out (it is inferred from the repository) or set kind "nvidia"',
    ],
    [
      'ghcr.io/cdk8s-gpu/gpu-device-plugin:v1.0.0',
      PluginImageKind.NVIDIA,
      'is this project\'s plugin but kind is "nvidia"',
    ],
  ])('a kind that contradicts the repository of %s is refused', (ref, kind, message) => {
    expect(() => PluginImage.fromReference(ref, kind)).toThrow(message);
  });
});

/** The DaemonSet mounts host directory `hostPath` read-only at /driver-root in the plugin container. */
function expectDriverRootMounted(ds: any, hostPath: string): void {
  expect(ds.spec.template.spec.volumes).toContainEqual({
    name: 'driver-root',
    hostPath: { path: hostPath, type: 'Directory' },
  });
  expect(pluginContainer(ds).volumeMounts).toContainEqual({
    name: 'driver-root',
    mountPath: '/driver-root',
    readOnly: true,
  });
}
