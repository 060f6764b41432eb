// The GpuOperatorStack example of the README, run from README.md as a user runs it, with
// the objects and fields the README says it produces.
import * as YAML from 'yaml';
import { oneOfKind } from '../../helpers/k8s-objects';
import { readmeBlock, runReadmeExample } from '../../helpers/readme';

describe('README GpuOperatorStack example', () => {
  let all: any[];
  let spec: any;
  const one = (kind: string, name?: string) => oneOfKind(all, kind, name);

  beforeAll(async () => {
    const written = await runReadmeExample(readmeBlock('GpuOperatorStack'));
    expect(Object.keys(written)).toEqual(['gpu-operator.k8s.yaml']);
    all = written['gpu-operator.k8s.yaml'].objects;
    spec = one('ClusterPolicy').spec;
  });

  test('synthesizes the objects the README lists, in order', () => {
    expect(all.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      'Namespace gpu-operator',
      'HelmRepository nvidia',
      'HelmRelease gpu-operator',
      'ConfigMap device-plugin-configs',
      'ConfigMap dcgm-exporter-metrics',
      'ClusterPolicy cluster-policy',
      'RuntimeClass nvidia',
      'PrometheusRule gpu-operator-alerts',
    ]);
  });

  test("the HelmRelease pins chart v26.7.0 and keeps the chart's ClusterPolicy off", () => {
    expect(one('HelmRelease').spec.chart.spec.version).toBe('v26.7.0');
    expect(one('HelmRelease').spec.values.clusterPolicy).toEqual({ deployCR: false });
  });

  test('the ClusterPolicy excerpt the README shows', () => {
    expect(spec.devicePlugin.config).toEqual({ name: 'device-plugin-configs', default: 'whole' });
    expect(spec.toolkit.env).toEqual([
      { name: 'CONTAINERD_CONFIG', value: '/var/lib/rancher/rke2/agent/etc/containerd/config.toml.tmpl' },
      { name: 'CONTAINERD_SOCKET', value: '/run/k3s/containerd/containerd.sock' },
      { name: 'CONTAINERD_RUNTIME_CLASS', value: 'nvidia' },
    ]);
    expect(spec.driver.upgradePolicy).toMatchObject({
      autoUpgrade: true,
      maxParallelUpgrades: 2,
      drain: { enable: true, timeoutSeconds: 600 },
    });
    expect(spec.dcgmExporter.serviceMonitor.additionalLabels).toEqual({ release: 'kube-prometheus-stack' });
    expect(spec.mig).toEqual({ strategy: 'none' });
  });

  test('nodes labelled nvidia.com/device-plugin.config=sliced-4 get 4 replicas per GPU', () => {
    const file = YAML.parse(one('ConfigMap', 'device-plugin-configs').data['sliced-4']);
    expect(file.sharing.timeSlicing.resources).toEqual([{ name: 'nvidia.com/gpu', devices: 'all', replicas: 4 }]);
  });
});
