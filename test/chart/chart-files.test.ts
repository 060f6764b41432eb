import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { KUBE_VERSION, chartReadme, chartYaml, readPackageInfo } from '../../src/chart/chart-files';
import { CI_SCENARIOS } from '../../src/chart/ci-scenarios';
import { DEVICE_PLUGIN_FIELDS, DevicePluginValues } from '../../src/chart/device-plugin-values';
import { defaultsOf } from '../../src/chart/values-model';
import { coalesce, devicePluginProps } from '../../src/chart/values-props';
import { GpuResource } from '../../src/common/gpu-resource';
import { DevicePluginConfig } from '../../src/device-plugin/plugin-config';
import { PluginImage } from '../../src/device-plugin/plugin-image';
import { CHART_DIR, HELM_BUILD_TIMEOUT_MS, helmBinary, helmOk, parseObjects, writeValues } from './helm';

const pkg = readPackageInfo();
const chart = YAML.parse(chartYaml('gpu-device-plugin', pkg));

describe('Chart.yaml', () => {
  test('is apiVersion v2 with version and appVersion from package.json', () => {
    expect([chart.apiVersion, chart.name, chart.version, chart.appVersion]).toEqual([
      'v2',
      'gpu-device-plugin',
      pkg.version,
      pkg.version,
    ]);
  });

  test('names the Kubernetes versions it supports', () => {
    expect(chart.kubeVersion).toBe(KUBE_VERSION);
  });

  test('has home, sources, keywords and maintainers from package.json', () => {
    expect(chart.home).toBe(pkg.homepage);
    expect(chart.sources).toEqual(['https://github.com/cdk8s-gpu/cdk8s-gpu']);
    expect(chart.keywords).toEqual(pkg.keywords);
    expect(chart.maintainers).toEqual([{ name: 'cdk8s-gpu authors', url: 'https://github.com/cdk8s-gpu/cdk8s-gpu' }]);
  });

  test('lists both plugin images for Artifact Hub, as YAML inside the annotation', () => {
    expect(YAML.parse(chart.annotations['artifacthub.io/images'])).toEqual([
      { name: 'gpu-device-plugin', image: PluginImage.project().reference },
      { name: 'nvidia-k8s-device-plugin', image: PluginImage.nvidia().reference },
    ]);
  });

  test('marks a pre-release version as a pre-release on Artifact Hub', () => {
    const pre = YAML.parse(chartYaml('c', { ...pkg, version: '1.0.0-rc.1' }));
    expect([chart.annotations['artifacthub.io/prerelease'], pre.annotations['artifacthub.io/prerelease']]).toEqual([
      'false',
      'true',
    ]);
  });
});

test('the chart README links every ci scenario', () => {
  const readme = chartReadme('gpu-device-plugin', pkg, '', CI_SCENARIOS);
  for (const s of CI_SCENARIOS) {
    expect(readme).toContain(`[\`ci/${s.name}-values.yaml\`](ci/${s.name}-values.yaml) | ${s.description} |`);
  }
});

describe('NOTES.txt, rendered by helm', () => {
  let tmp: string;

  // `helm template` leaves NOTES.txt out and `helm install --dry-run` needs a cluster, so a
  // copy of the chart renders it through `tpl` inside a ConfigMap.
  function renderNotes(set: string[] | object): string {
    const args = ['template', 'gpu', tmp, '--namespace', 'kube-system', '--show-only', 'templates/zz-notes.yaml'];
    if (Array.isArray(set)) {
      for (const s of set) args.push('--set', s);
    } else {
      args.push('--values', writeValues(path.dirname(tmp), `notes-${Object.keys(set).join('-')}`, set));
    }
    return parseObjects(helmOk(args))[0].data.notes;
  }

  beforeAll(() => {
    helmBinary();
    tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chart-notes-')), 'gpu-device-plugin');
    fs.cpSync(CHART_DIR, tmp, { recursive: true });
    fs.copyFileSync(path.join(tmp, 'templates', 'NOTES.txt'), path.join(tmp, 'notes-source.txt'));
    fs.writeFileSync(
      path.join(tmp, 'templates', 'zz-notes.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: |\n    {{- tpl (.Files.Get "notes-source.txt") . | nindent 4 }}\n',
    );
  }, HELM_BUILD_TIMEOUT_MS);

  afterAll(() => {
    fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  });

  test('tells how to check allocatable nvidia.com/gpu on the nodes', () => {
    expect(renderNotes([])).toContain(
      "kubectl get nodes -o custom-columns='NODE:.metadata.name,nvidia.com/gpu:.status.allocatable.nvidia\\.com/gpu'",
    );
  });

  test('names the DaemonSet and its namespace', () => {
    expect(renderNotes([])).toContain('kubectl -n gpu-device-plugin rollout status daemonset/gpu-gpu-device-plugin');
  });

  test('points to the per-profile resources with MIG strategy mixed', () => {
    expect(renderNotes(['migStrategy=mixed'])).toContain("kubectl describe nodes | grep 'nvidia.com/mig-'");
  });

  test('with renameByDefault, shows and asks for nvidia.com/gpu.shared, not nvidia.com/gpu', () => {
    const notes = renderNotes([
      'timeSlicing.enabled=true',
      'timeSlicing.renameByDefault=true',
      'timeSlicing.resources[0].name=nvidia.com/gpu',
      'timeSlicing.resources[0].replicas=2',
    ]);
    expect(notes).toContain('GPUs are shared (time-slicing): each GPU counts as several replicas.');
    expect(notes).toContain(
      "custom-columns='NODE:.metadata.name,nvidia.com/gpu.shared:.status.allocatable.nvidia\\.com/gpu\\.shared'",
    );
    expect(notes).toContain('      nvidia.com/gpu.shared: 1');
    expect(notes).not.toContain('nvidia.com/gpu:');
  });

  // The resources NOTES names are the construct's own answer for the same values.
  test.each(CI_SCENARIOS.map((s) => [s.name, s] as const))(
    'ci/%s-values.yaml: the resources named are the ones the construct advertises',
    (_name, scenario) => {
      const values = coalesce(defaultsOf(DEVICE_PLUGIN_FIELDS), scenario.values) as DevicePluginValues;
      const props = devicePluginProps(values, { name: 'gpu', namespace: 'kube-system' });
      const shared = new DevicePluginConfig({ ...props }).advertisedSharedResourceNames();
      const allShared = [props.timeSlicing, props.mps].some((o) =>
        o?.resources.some(
          (r) =>
            (r.resource ?? GpuResource.NVIDIA_GPU).name === 'nvidia.com/gpu' &&
            !r.devices &&
            (r.rename !== undefined || o.renameByDefault),
        ),
      );
      const expected = [...new Set([...(allShared ? [] : ['nvidia.com/gpu']), ...shared])];
      const notes = renderNotes(scenario.values);
      expect(notes).toContain(`2. Check that the nodes advertise ${expected.join(', ')} (allocatable):`);
      expect(notes).toContain(`      ${expected[expected.length - 1]}: 1`);
    },
  );
});
