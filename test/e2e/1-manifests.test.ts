/**
 * Issue test 1: the shipped manifests meet a real apiserver. Every dist/ file and every
 * chart scenario is accepted by server-side apply; pods that break the extended-resource
 * rules are refused by the apiserver with the errors the constructs already raise at synth.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { GpuJob, GpuRequest, GpuResource } from '../../src';
import { applyServerSide, deleteAndWait, kubectl, kubectlOk, REPO_ROOT } from './helpers/kube';
import { chartScenarios, distManifests, ManifestSource } from './helpers/manifests';

const sources: ManifestSource[] = [...distManifests(), ...chartScenarios()];

/** Namespaces the stream puts objects in without creating them (a chart's `namespace.create: false`). */
function foreignNamespaces(yaml: string): string[] {
  const objects = parseAllDocuments(yaml).map(d => d.toJS()).filter(o => o);
  const created = new Set(objects.filter(o => o.kind === 'Namespace').map(o => o.metadata.name));
  const used = new Set(objects.map(o => o.metadata?.namespace).filter((n): n is string => !!n));
  return [...used].filter(n => !created.has(n) && n !== 'default');
}

describe('shipped manifests on the real apiserver', () => {
  let crdDir: string;

  beforeAll(() => {
    // Flux, prometheus-operator and NVIDIA kinds need their CRDs (test/e2e/crds.sh).
    crdDir = execFileSync('bash', [join(REPO_ROOT, 'test', 'e2e', 'crds.sh')], { encoding: 'utf8' }).trim();
    kubectlOk(['apply', '--server-side', '-f', crdDir]);
    kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', '-f', crdDir]);
  });

  afterAll(() => {
    kubectl(['delete', '--ignore-not-found', '-f', crdDir]);
  });

  test.each(sources.map(s => [s.label, s] as const))('%s is accepted by server-side apply', (_label, source) => {
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
  const job = chart.toJson().find((o: any) => o.kind === 'Job');
  return job.spec.template.spec.containers[0];
}

const refusals = [
  {
    name: 'gpu-requests-without-limits',
    resources: { requests: { 'nvidia.com/gpu': '1' } },
    apiserver: /spec\.containers\[0\]\.resources\.limits: Required value: Limit must be set for non overcommitable resources/,
    construct: () => expect(gpuJobContainer({ gpus: 1 }).resources.limits['nvidia.com/gpu']).toBe(1),
  },
  {
    name: 'gpu-fractional',
    resources: { limits: { 'nvidia.com/gpu': '500m' } },
    // 1.33 prints the Quantity struct as the invalid value; the field and the rule are what count.
    apiserver: /spec\.containers\[0\]\.resources\.limits\[nvidia\.com\/gpu\]: Invalid value: .*"500m".*: must be an integer/,
    construct: () => expect(() => gpuJobContainer({ gpus: 0.5 })).toThrow(/must be a whole number ≥ 1 \(got 0\.5\)/),
  },
  {
    name: 'gpu-request-differs-from-limit',
    resources: { requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '2' } },
    apiserver: /spec\.containers\[0\]\.resources\.requests: Invalid value: "1": must be equal to nvidia\.com\/gpu limit of 2/,
    construct: () =>
      expect(() => gpuJobContainer({ gpuRequests: [GpuRequest.of(GpuResource.NVIDIA_GPU, { count: 2, requests: 1 })] }))
        .toThrow(/requests must equal count for nvidia\.com\/gpu \(got requests 1, count 2\)/),
  },
];

describe('broken GPU requests', () => {
  test.each(refusals.map(c => [c.name, c] as const))('the apiserver refuses %s', (name, c) => {
    const r = applyServerSide(brokenPod(name, c.resources));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(c.apiserver);
    expect(kubectl(['get', 'pod', '-n', 'default', name]).code).not.toBe(0);
  });

  test.each(refusals.map(c => [c.name, c] as const))('the constructs rule out %s at synth', (_name, c) => {
    c.construct();
  });
});
