/**
 * Issue test 1: the shipped manifests meet a real apiserver. Every dist/ file and every
 * chart scenario is accepted by server-side apply; every ClusterPolicy variant the operator
 * stack can emit passes strict server-side validation against NVIDIA's real ClusterPolicy CRD
 * of its release; pods that break the extended-resource rules are refused by the apiserver
 * with the errors the constructs already raise at synth.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { GpuJob, GpuRequest, GpuResource } from '../../src';
import { GPU_OPERATOR_VERSION, GpuOperatorRelease } from '../../src/operator';
import { clusterPolicyVariants, distClusterPolicies } from './helpers/cluster-policy-variants';
import { applyServerSide, deleteAndWait, kubectl, kubectlOk, REPO_ROOT, RunResult, waitFor } from './helpers/kube';
import { chartScenarios, distManifests, ManifestSource } from './helpers/manifests';
import { ofKind, oneOfKind } from '../helpers/k8s-objects';

const sources: ManifestSource[] = [...distManifests(), ...chartScenarios()];

/** Namespaces the stream puts objects in without creating them (a chart's `namespace.create: false`). */
function foreignNamespaces(yaml: string): string[] {
  const objects = parseAllDocuments(yaml)
    .map((d) => d.toJS())
    .filter((o) => o);
  const created = new Set(ofKind(objects, 'Namespace').map((o) => o.metadata.name));
  const used = new Set(objects.map((o) => o.metadata?.namespace).filter((n): n is string => !!n));
  return [...used].filter((n) => !created.has(n) && n !== 'default');
}

describe('shipped manifests on the real apiserver', () => {
  let crdDir: string;

  beforeAll(() => {
    // Flux, prometheus-operator and NVIDIA kinds need their CRDs (test/e2e/crds.sh); the
    // ClusterPolicy CRD is NVIDIA's real one of the pinned release.
    crdDir = execFileSync('bash', [join(REPO_ROOT, 'test', 'e2e', 'crds.sh')], { encoding: 'utf8' }).trim();
    kubectlOk(['apply', '--server-side', '-f', crdDir]);
    kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', '-f', crdDir]);
  });

  afterAll(() => {
    kubectl(['delete', '--ignore-not-found', '-f', crdDir]);
  });

  test.each(sources.map((s) => [s.label, s] as const))('%s is accepted by server-side apply', (_label, source) => {
    const yaml = source.render();
    const namespaces = foreignNamespaces(yaml);
    for (const ns of namespaces) kubectlOk(['create', 'namespace', ns]);
    const applied = applyServerSide(yaml);
    try {
      expect(applied.stderr).toBe('');
      expect(applied.code).toBe(0);
      expect(applied.stdout).toMatch(/serverside-applied/);
    } finally {
      // Each source starts from an empty cluster: immutable fields (selectors) would
      // otherwise turn a later scenario's create into a refused update.
      deleteAndWait(yaml);
      for (const ns of namespaces) kubectlOk(['delete', 'namespace', ns, '--wait=true', '--timeout=120s']);
    }
  });
});

/** The real ClusterPolicy CRD of GPU Operator `version` (from its chart, test/e2e/crds.sh). */
function clusterPolicyCrd(version: string): string {
  const dir = execFileSync('bash', [join(REPO_ROOT, 'test', 'e2e', 'crds.sh'), '--gpu-operator', version], {
    encoding: 'utf8',
  }).trim();
  return join(dir, 'nvidia.com_clusterpolicies.yaml');
}

/** `kubectl apply --server-side --dry-run=server --validate=strict`: the apiserver checks every field against the CRD's schema. */
function strictDryRun(obj: object): RunResult {
  return kubectl(
    ['apply', '--server-side', '--dry-run=server', '--validate=strict', '--field-manager=e2e-variants', '-f', '-'],
    JSON.stringify(obj),
  );
}

const CRD_NAME = 'customresourcedefinition/clusterpolicies.nvidia.com';

/** A variant of the stack's ClusterPolicy with one field changed (for the negative controls). */
function mutated(policy: any, change: (spec: any) => void): any {
  const copy = JSON.parse(JSON.stringify(policy));
  change(copy.spec);
  return copy;
}

describe.each([GpuOperatorRelease.V26_7_0, GpuOperatorRelease.V25_10_1].map((r) => [r.version, r] as const))(
  "every ClusterPolicy variant the stack emits for %s, against that release's real CRD (strict server-side validation)",
  (version, release) => {
    // dist/ pins the pinned release: its ClusterPolicies join that release's matrix.
    const dist = release === GpuOperatorRelease.PINNED ? distClusterPolicies(REPO_ROOT) : [];
    const variants = [...dist, ...clusterPolicyVariants(release)];
    let crd: string;

    beforeAll(async () => {
      crd = clusterPolicyCrd(version);
      kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', crd]);
      // `kubectl wait` fails outright while a new CRD has no status yet: poll instead.
      await waitFor(`${CRD_NAME} Established`, 60_000, () => {
        const conditions = JSON.parse(kubectlOk(['get', CRD_NAME, '-o', 'json'])).status?.conditions ?? [];
        return conditions.some((c: any) => c.type === 'Established' && c.status === 'True');
      });
      // The CRD must be the release's: its schema rejects a field only the other release has.
      const served = JSON.parse(kubectlOk(['get', CRD_NAME, '-o', 'json']));
      const hostPaths = served.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.hostPaths.properties;
      expect('kubeletRootDir' in hostPaths).toBe(release.features.kubeletRootDir);
    });

    afterAll(() => {
      kubectl(['delete', '--ignore-not-found', '--wait=true', '--timeout=120s', CRD_NAME]);
    });

    test(`the matrix has ${variants.length} variants (${dist.length} from dist/)`, () => {
      expect(variants.length).toBeGreaterThanOrEqual(30);
      expect(dist.length).toBe(release === GpuOperatorRelease.PINNED ? 2 : 0);
      expect(new Set(variants.map((v) => v.label)).size).toBe(variants.length);
    });

    test.each(variants.map((v) => [v.label, v] as const))('%s validates', (_label, v) => {
      const r = strictDryRun(v.policy);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/clusterpolicy\.nvidia\.com\/\S+ serverside-applied \(server dry run\)/);
    });

    // Negative controls: strict validation against this CRD does catch a wrong field.
    test('a field the CRD does not have is refused (the old stand-in CRD accepted anything)', () => {
      const r = strictDryRun(
        mutated(variants[0].policy, (spec) => {
          spec.devicePlugin.sharedDevicesAllocationPolicy = 'packed';
        }),
      );
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        /\.spec\.devicePlugin\.sharedDevicesAllocationPolicy: field not declared in schema|unknown field "spec\.devicePlugin\.sharedDevicesAllocationPolicy"/,
      );
    });

    if (release.features.crdRequiresDefaultRuntime) {
      test('this CRD requires spec.operator.defaultRuntime and defaults it to docker, so the stack writes containerd', () => {
        expect(variants.every((v) => v.policy.spec.operator.defaultRuntime !== undefined)).toBe(true);
        const without = mutated(variants[0].policy, (spec) => {
          delete spec.operator.defaultRuntime;
        });
        const r = kubectl(
          [
            'apply',
            '--server-side',
            '--dry-run=server',
            '--validate=strict',
            '--field-manager=e2e-variants',
            '-o',
            'json',
            '-f',
            '-',
          ],
          JSON.stringify(without),
        );
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout).spec.operator.defaultRuntime).toBe('docker');
        expect(variants[0].policy.spec.operator.defaultRuntime).toBe('containerd');
      });

      test('this CRD has no v26.7.0 day-2 fields: kubeletRootDir is refused here', () => {
        const r = strictDryRun(
          mutated(variants[0].policy, (spec) => {
            spec.hostPaths.kubeletRootDir = '/data/kubelet';
          }),
        );
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(
          /\.spec\.hostPaths\.kubeletRootDir: field not declared in schema|unknown field "spec\.hostPaths\.kubeletRootDir"/,
        );
      });
    } else {
      test('the stack emits neither deprecated field (operator.defaultRuntime, cdi.default) nor operator.initContainer', () => {
        for (const v of variants) {
          expect(v.policy.spec.operator.defaultRuntime).toBeUndefined();
          expect(v.policy.spec.operator.initContainer).toBeUndefined();
          expect(v.policy.spec.cdi.default).toBeUndefined();
        }
      });
    }
  },
);

test("the pinned release's CRD is the one the shipped manifests were applied against", () => {
  expect(GpuOperatorRelease.PINNED.version).toBe(GPU_OPERATOR_VERSION);
});

/** A pod whose one container asks for GPUs with the given resources block. */
function brokenPod(name: string, resources: object): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'e2e.local/busybox:1.35.0', resources }] },
  });
}

/** Synthesizes one GpuJob in a fresh app; returns its main container. */
function gpuJobContainer(props: Partial<ConstructorParameters<typeof GpuJob>[2]>): any {
  const app = new App();
  const chart = new Chart(app, 'e2e');
  new GpuJob(chart, 'job', { image: 'e2e.local/busybox:1.35.0', ...props });
  const job = oneOfKind(chart.toJson(), 'Job');
  return job.spec.template.spec.containers[0];
}

const refusals = [
  {
    name: 'gpu-requests-without-limits',
    resources: { requests: { 'nvidia.com/gpu': '1' } },
    apiserver:
      /spec\.containers\[0\]\.resources\.limits: Required value: Limit must be set for non overcommitable resources/,
    construct: () => expect(gpuJobContainer({ gpus: 1 }).resources.limits['nvidia.com/gpu']).toBe(1),
  },
  {
    name: 'gpu-fractional',
    resources: { limits: { 'nvidia.com/gpu': '500m' } },
    // 1.33 prints the Quantity struct as the invalid value; the field and the rule are what count.
    apiserver:
      /spec\.containers\[0\]\.resources\.limits\[nvidia\.com\/gpu\]: Invalid value: .*"500m".*: must be an integer/,
    construct: () => expect(() => gpuJobContainer({ gpus: 0.5 })).toThrow(/must be a whole number ≥ 1 \(got 0\.5\)/),
  },
  {
    name: 'gpu-request-differs-from-limit',
    resources: { requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '2' } },
    apiserver:
      /spec\.containers\[0\]\.resources\.requests: Invalid value: "1": must be equal to nvidia\.com\/gpu limit of 2/,
    construct: () =>
      expect(() =>
        gpuJobContainer({ gpuRequests: [GpuRequest.of(GpuResource.NVIDIA_GPU, { count: 2, requests: 1 })] }),
      ).toThrow(/requests must equal count for nvidia\.com\/gpu \(got requests 1, count 2\)/),
  },
];

describe('broken GPU requests', () => {
  test.each(refusals.map((c) => [c.name, c] as const))('the apiserver refuses %s', (name, c) => {
    const r = applyServerSide(brokenPod(name, c.resources));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(c.apiserver);
    expect(kubectl(['get', 'pod', '-n', 'default', name]).code).not.toBe(0);
  });

  test.each(refusals.map((c) => [c.name, c] as const))('the constructs rule out %s at synth', (_name, c) => {
    c.construct();
  });
});
