/**
 * The stack against NVIDIA's real gpu-operator chart (../shared/peers, unpacked by
 * test/tools/peers.sh) rendered by the pinned helm: `helm template` with exactly the values
 * our HelmRelease and Application carry renders no ClusterPolicy (Git owns the only one),
 * runs the pinned operator, hands the operator the ClusterPolicy's validator and driver
 * manager images, and reads only keys the chart has.
 */
import { App, Chart } from 'cdk8s';
import { SCENARIOS, buildScenario } from '../../../src/scenarios';
import {
  GitOpsInstall,
  GPU_OPERATOR_VERSION,
  GpuOperatorRelease,
  GpuOperatorStack,
  GpuOperatorStackProps,
  OperandImage,
} from '../../../src/operator';
import { chartValues, helmTemplate, inValuesYaml, leafPaths, templatesText } from './real-operator-chart';
import { firstOfKind, ofKind } from '../../helpers/k8s-objects';

// Helm renders these chart-side keys from `.Values.X | default .Chart.AppVersion`; the
// chart's values.yaml leaves them commented out (`#version: ""`). We must set them: the
// archive's appVersion is a development tag, and a release's would be its own.
const COMMENTED_KEYS_READ_BY_TEMPLATES = ['operator.version', 'validator.version'];

interface Case {
  label: string;
  values: any;
  policy: any;
}

/** The values our install objects carry, with the ClusterPolicy they sit beside. */
function valuesOf(objects: any[], label: string): Case {
  const release = firstOfKind(objects, 'HelmRelease');
  const app = firstOfKind(objects, 'Application');
  const values = release?.spec.values ?? app?.spec.source.helm.valuesObject;
  if (!values) throw new Error(`${label} has no HelmRelease or Application`);
  return { label, values, policy: firstOfKind(objects, 'ClusterPolicy') };
}

function stackCase(label: string, props: GpuOperatorStackProps): Case {
  const chart = new Chart(new App(), 'test');
  new GpuOperatorStack(chart, 'Gpu', props);
  return valuesOf(chart.toJson(), label);
}

const distCases: Case[] = SCENARIOS.filter((s) => s.name.startsWith('gpu-operator')).map((s) => {
  const app = new App();
  buildScenario(app, s);
  return valuesOf(
    app.charts.flatMap((c) => c.toJson()),
    `dist/${s.name}.k8s.yaml`,
  );
});

const cases: Case[] = [
  ...distCases,
  stackCase('Argo CD Application', { install: GitOpsInstall.ARGO_CD }),
  stackCase('Flux without NFD, mirrored validator and driver manager', {
    chart: { nfd: false },
    validator: { image: OperandImage.of('registry.local/nvidia', 'gpu-operator', GPU_OPERATOR_VERSION) },
    driver: { managerImage: OperandImage.of('registry.local/nvidia/cloud-native', 'k8s-driver-manager', 'v0.12.0') },
  }),
  stackCase('Argo CD with extra values', {
    install: GitOpsInstall.ARGO_CD,
    chart: { extraValues: { operator: { priorityClassName: 'system-cluster-critical' } } },
  }),
];

describe(`the real gpu-operator ${GPU_OPERATOR_VERSION} chart with our values`, () => {
  const defaults = chartValues(GPU_OPERATOR_VERSION);
  const templates = templatesText(GPU_OPERATOR_VERSION);
  const pinned = GpuOperatorRelease.PINNED;

  test('the cases include both dist/ operator scenarios', () => {
    expect(distCases.map((c) => c.label)).toEqual([
      'dist/gpu-operator.k8s.yaml',
      'dist/gpu-operator-project-plugin.k8s.yaml',
    ]);
  });

  describe.each(cases.map((c) => [c.label, c] as const))('%s', (_label, c) => {
    const rendered = helmTemplate(GPU_OPERATOR_VERSION, c.values);
    const operator = firstOfKind(rendered, 'Deployment', 'gpu-operator');
    const container = operator?.spec.template.spec.containers.find((x: any) => x.name === 'gpu-operator');
    const env = (name: string) => container?.env.find((e: any) => e.name === name)?.value;
    const ref = (s: any) => `${s.repository}/${s.image}:${s.version}`;

    test("renders no ClusterPolicy: the stack's is the only one", () => {
      expect(operator).toBeDefined();
      expect(ofKind(rendered, 'ClusterPolicy')).toEqual([]);
    });

    test(`runs the operator of the pinned release (${pinned.operands.operator.reference})`, () => {
      expect(container?.image).toBe(
        c.values.operator.repository === pinned.operands.operator.repository
          ? pinned.operands.operator.reference
          : `${c.values.operator.repository}/gpu-operator:${pinned.version}`,
      );
      expect(container?.image.endsWith(`:${pinned.version}`)).toBe(true);
    });

    test("gives the operator the ClusterPolicy's validator and driver manager images", () => {
      expect(env('VALIDATOR_IMAGE')).toBe(ref(c.policy.spec.validator));
      expect(env('DRIVER_MANAGER_IMAGE')).toBe(ref(c.policy.spec.driver.manager));
    });

    test("every image it renders is pinned: none at the chart's development appVersion", () => {
      const images: string[] = [];
      const walk = (node: any): void => {
        if (Array.isArray(node)) {
          node.forEach(walk);
          return;
        }
        if (typeof node !== 'object' || node === null) return;
        for (const [k, v] of Object.entries(node)) {
          if (k === 'image' && typeof v === 'string') images.push(v);
          else if (k === 'env' && Array.isArray(v))
            v.filter((e: any) => /_IMAGE$/.test(e.name)).forEach((e: any) => images.push(e.value));
          else walk(v);
        }
      };
      walk(rendered);
      expect(images.length).toBeGreaterThanOrEqual(3);
      expect(images.filter((i) => !/:(v?\d+\.\d+[\w.-]*)$/.test(i))).toEqual([]);
      expect(images.filter((i) => i.endsWith(':main-latest'))).toEqual([]);
    });

    test("uses only keys the chart's values.yaml has (or reads as .Values.X with a default)", () => {
      const paths = leafPaths(c.values);
      const unknown = paths.filter((p) => !inValuesYaml(defaults, p));
      expect(unknown.filter((p) => !COMMENTED_KEYS_READ_BY_TEMPLATES.includes(p))).toEqual([]);
      for (const p of unknown) {
        expect(templates).toContain(`.Values.${p}`);
      }
    });
  });
});

describe('the real gpu-operator v25.10.1 chart: why a stack on it cannot install the chart', () => {
  // The values a v25.10.1 HelmRelease carried before this library refused it.
  const values = {
    clusterPolicy: { deployCR: false },
    nfd: { enabled: true },
    operator: {
      repository: 'nvcr.io/nvidia',
      image: 'gpu-operator',
      version: 'v25.10.1',
      upgradeCRD: false,
      cleanupCRD: false,
    },
  };

  test('its templates never read clusterPolicy.deployCR, and its values.yaml has no such key', () => {
    expect(templatesText('v25.10.1')).not.toMatch(/clusterPolicy\.deployCR/);
    expect(inValuesYaml(chartValues('v25.10.1'), 'clusterPolicy.deployCR')).toBe(false);
  });

  test('helm template renders its own ClusterPolicy "cluster-policy", the stack\'s name, even with deployCR false', () => {
    const policies = ofKind(helmTemplate('v25.10.1', values), 'ClusterPolicy');
    expect(policies.map((p) => p.metadata.name)).toEqual(['cluster-policy']);
  });

  test.each([GitOpsInstall.FLUX, GitOpsInstall.ARGO_CD])(
    'so the stack refuses install %s with release v25.10.1',
    (install) => {
      expect(
        () => new GpuOperatorStack(new Chart(new App(), 't'), 'Gpu', { install, release: GpuOperatorRelease.V25_10_1 }),
      ).toThrow(/has no clusterPolicy.deployCR switch/);
    },
  );

  test('the v26.7.0 chart has the switch its templates honour', () => {
    expect(templatesText('v26.7.0')).toMatch(/^\{\{- if \.Values\.clusterPolicy\.deployCR \}\}/m);
    expect(chartValues('v26.7.0').clusterPolicy).toEqual({ deployCR: true });
  });
});
