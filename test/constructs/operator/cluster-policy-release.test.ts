/**
 * The ClusterPolicy follows its GPU Operator release: which fields exist (v26.7.0's day-2
 * fields), which are required or ignored (defaultRuntime, initContainer, cdi.default), and
 * what the release's device plugin understands (sharedDevicesAllocationPolicy from v0.20.0).
 */
import * as YAML from 'yaml';
import { GpuResource, SharedAllocationPolicy } from '../../../src';
import { ClusterPolicy, ClusterPolicyProps, GpuOperatorRelease, OperandImage } from '../../../src/operator';
import { scope, synth } from './synth';

function policy(props: ClusterPolicyProps = {}) {
  const out = synth((s) => new ClusterPolicy(s, 'Policy', props));
  return { out, spec: out.one('ClusterPolicy').spec };
}

const V25 = GpuOperatorRelease.V25_10_1;
const V26 = GpuOperatorRelease.V26_7_0;
const timeSliced = (sharedAllocationPolicy?: SharedAllocationPolicy) => ({
  configs: [
    {
      name: 'ts',
      config: {
        timeSlicing: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 4 }] },
        sharedAllocationPolicy,
      },
    },
  ],
});

describe('v26.7.0 day-2 fields', () => {
  test('hostPaths.kubeletRootDir for nodes that moved the kubelet', () => {
    expect(policy({ hostPaths: { kubeletRootDir: '/data/kubelet' } }).spec.hostPaths).toEqual({
      rootFS: '/',
      driverInstallDir: '/run/nvidia/driver',
      kubeletRootDir: '/data/kubelet',
    });
  });

  test("daemonsets.podSecurityContext in the API's field names", () => {
    const { spec } = policy({
      daemonsets: { podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' }, supplementalGroups: [44] } },
    });
    expect(spec.daemonsets.podSecurityContext).toEqual({
      seccompProfile: { type: 'RuntimeDefault' },
      supplementalGroups: [44],
    });
  });

  test('dcgmExporter.podLabels: pod labels, UIDs and an allowlist', () => {
    const { spec } = policy({
      dcgmExporter: { podLabels: { enabled: true, uid: true, allowlist: ['^app$', '^kueue\\.x-k8s\\.io/.*$'] } },
    });
    expect(spec.dcgmExporter).toMatchObject({
      enablePodLabels: true,
      enablePodUID: true,
      podLabelAllowlistRegex: ['^app$', '^kueue\\.x-k8s\\.io/.*$'],
    });
  });

  test("without podLabels the exporter keeps the chart's default (fields not emitted)", () => {
    const { spec } = policy();
    expect(spec.dcgmExporter.enablePodLabels).toBeUndefined();
    expect(spec.dcgmExporter.podLabelAllowlistRegex).toBeUndefined();
  });

  test("serviceMonitor.scrapeTimeout: the chart's 10s by default, settable", () => {
    expect(policy().spec.dcgmExporter.serviceMonitor.scrapeTimeout).toBe('10s');
    expect(
      policy({ dcgmExporter: { serviceMonitor: { interval: '1m', scrapeTimeout: '30s' } } }).spec.dcgmExporter
        .serviceMonitor.scrapeTimeout,
    ).toBe('30s');
  });

  test.each<[string, ClusterPolicyProps, RegExp]>([
    [
      'a relative kubeletRootDir',
      { hostPaths: { kubeletRootDir: 'var/lib/kubelet' } },
      /hostPaths.kubeletRootDir must be an absolute host path \(got "var\/lib\/kubelet"\)/,
    ],
    [
      'runAsNonRoot for every operand',
      { daemonsets: { podSecurityContext: { runAsNonRoot: true } } },
      /the driver, toolkit and device plugin must run as root/,
    ],
    [
      'a non-root runAsUser',
      { daemonsets: { podSecurityContext: { runAsUser: 1000 } } },
      /remove runAsNonRoot: true \/ runAsUser: 1000/,
    ],
    [
      'an allowlist with pod labels off',
      { dcgmExporter: { podLabels: { allowlist: ['^app$'] } } },
      /podLabels.allowlist filters pod labels, but podLabels.enabled is false/,
    ],
    [
      'a broken allowlist regex',
      { dcgmExporter: { podLabels: { enabled: true, allowlist: ['^app($'] } } },
      /dcgmExporter.podLabels.allowlist\[0\] must be a regular expression/,
    ],
    [
      'a scrape timeout above the interval',
      { dcgmExporter: { serviceMonitor: { interval: '15s', scrapeTimeout: '1m' } } },
      /scrapeTimeout "1m" is longer than interval "15s"/,
    ],
    [
      'the default 10s timeout above a 5s interval',
      { dcgmExporter: { serviceMonitor: { interval: '5s' } } },
      /scrapeTimeout "10s" is longer than interval "5s"/,
    ],
    [
      'an init container image (ignored by v26.7.0)',
      { operator: { initContainerImage: OperandImage.of('nvcr.io/nvidia', 'cuda', '13.0.1-base-ubi9') } },
      /operator.initContainerImage sets spec.operator.initContainer, which GPU Operator v26.7.0 ignores/,
    ],
  ])('rejects %s', (_what, props, message) => {
    expect(() => new ClusterPolicy(scope(), 'Policy', props)).toThrow(message);
  });
});

describe('v25.10.1 has none of the v26.7.0 fields', () => {
  test.each<[string, ClusterPolicyProps]>([
    ['hostPaths.kubeletRootDir', { hostPaths: { kubeletRootDir: '/data/kubelet' } }],
    [
      'daemonsets.podSecurityContext',
      { daemonsets: { podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } } } },
    ],
    ['dcgmExporter.podLabels', { dcgmExporter: { podLabels: { enabled: true } } }],
    ['dcgmExporter.serviceMonitor.scrapeTimeout', { dcgmExporter: { serviceMonitor: { scrapeTimeout: '10s' } } }],
  ])('refuses %s, naming the release', (field, props) => {
    expect(() => new ClusterPolicy(scope(), 'Policy', { ...props, release: V25 })).toThrow(
      new RegExp(`${field.replace(/\./g, '\\.')} needs GPU Operator v26.7.0 or newer, but the release is v25.10.1`),
    );
  });
});

describe('sharedDevicesAllocationPolicy follows the device plugin release', () => {
  const file = (spec: any, out: any) => YAML.parse(out.one('ConfigMap', spec.devicePlugin.config.name).data.ts);

  test('v26.7.0 (plugin v0.20.0): packed reaches the config', () => {
    const { spec, out } = policy({ devicePlugin: timeSliced(SharedAllocationPolicy.PACKED) });
    expect(file(spec, out).flags.plugin.sharedDevicesAllocationPolicy).toBe('packed');
  });

  test('v25.10.1 (plugin v0.18.1): refused, since the plugin has no such field', () => {
    expect(() => policy({ release: V25, devicePlugin: timeSliced(SharedAllocationPolicy.PACKED) })).toThrow(
      /configs\["ts"\].sharedAllocationPolicy is "packed", but the operator's device plugin nvcr.io\/nvidia\/k8s-device-plugin:v0.18.1 has no sharedDevicesAllocationPolicy \(NVIDIA's plugin reads it from v0.20.0\)/,
    );
  });

  test('v25.10.1 without the prop: the key is left out of the config', () => {
    const { spec, out } = policy({ release: V25, devicePlugin: timeSliced() });
    const f = file(spec, out);
    expect(f.flags.plugin).not.toHaveProperty('sharedDevicesAllocationPolicy');
    expect(f.sharing.timeSlicing.resources).toEqual([{ name: 'nvidia.com/gpu', devices: 'all', replicas: 4 }]);
  });

  test('an older plugin image on v26.7.0 is refused too', () => {
    expect(() =>
      policy({
        devicePlugin: {
          image: V26.operands.devicePlugin.withVersion('v0.19.2'),
          ...timeSliced(SharedAllocationPolicy.DISTRIBUTED),
        },
      }),
    ).toThrow(/k8s-device-plugin:v0.19.2 has no sharedDevicesAllocationPolicy/);
  });
});

describe('operands follow the release', () => {
  test.each([V25, V26])("%s: every default image is the release's", (release) => {
    const { spec } = policy({ release, dcgm: { enabled: true }, nodeStatusExporter: { enabled: true } });
    const ref = (s: any) => `${s.repository}/${s.image}:${s.version}`;
    const o = release.operands;
    expect({
      driver: ref(spec.driver),
      manager: ref(spec.driver.manager),
      toolkit: ref(spec.toolkit),
      devicePlugin: ref(spec.devicePlugin),
      gfd: ref(spec.gfd),
      dcgm: ref(spec.dcgm),
      dcgmExporter: ref(spec.dcgmExporter),
      migManager: ref(spec.migManager),
      validator: ref(spec.validator),
      nodeStatusExporter: ref(spec.nodeStatusExporter),
    }).toEqual({
      driver: o.driver.reference,
      manager: o.driverManager.reference,
      toolkit: o.toolkit.reference,
      devicePlugin: o.devicePlugin.reference,
      gfd: o.gfd.reference,
      dcgm: o.dcgm.reference,
      dcgmExporter: o.dcgmExporter.reference,
      migManager: o.migManager.reference,
      validator: o.validator.reference,
      nodeStatusExporter: o.validator.reference,
    });
  });
});
