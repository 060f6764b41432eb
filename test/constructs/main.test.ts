import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { synthesize } from '../../src/main';
import { SCENARIOS } from '../../src/scenarios';
import { KNOWN_KINDS, validateK8sObjects } from './helpers/k8s-schema';

// Custom resources have no schema in kubernetes-models; their fields are covered by the construct tests.
const CUSTOM_KINDS = [
  'nvidia.com/v1/ClusterPolicy',
  'source.toolkit.fluxcd.io/v1/HelmRepository',
  'helm.toolkit.fluxcd.io/v2/HelmRelease',
  'argoproj.io/v1alpha1/Application',
  'monitoring.coreos.com/v1/PrometheusRule',
  'monitoring.coreos.com/v1/ServiceMonitor',
];

const DIST = path.join(__dirname, '..', '..', 'dist');

// repository:tag (the tag holds a digit: a release, not a floating name) or repository@sha256:digest.
const PINNED_IMAGE = /^[^\s:@]+(:\d+)?(\/[^\s:@]+)*(:[\w.-]*\d[\w.-]*|@sha256:[a-f0-9]{64})$/;

/** Every image reference in the objects: `image: repo:tag` fields, and ClusterPolicy-style {repository, image, version}. */
function imageReferences(node: any, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    node.forEach((n) => imageReferences(n, out));
  } else if (node && typeof node === 'object') {
    if (typeof node.repository === 'string' && typeof node.image === 'string' && typeof node.version === 'string') {
      out.push(`${node.repository}/${node.image}:${node.version}`);
    } else if (typeof node.image === 'string') {
      out.push(node.image);
    }
    Object.values(node).forEach((v) => imageReferences(v, out));
  }
  return out;
}

function synthTo(): { dir: string; files: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
  return { dir, files: synthesize(dir) };
}

describe('reference app', () => {
  const first = synthTo();
  const second = synthTo();
  afterAll(() => {
    fs.rmSync(first.dir, { recursive: true, force: true });
    fs.rmSync(second.dir, { recursive: true, force: true });
  });

  test('writes one file per scenario', () => {
    expect(first.files.map((f) => path.basename(f))).toEqual(SCENARIOS.map((s) => `${s.name}.k8s.yaml`).sort());
  });

  test('two synths give identical bytes', () => {
    for (const f of first.files) {
      expect(fs.readFileSync(path.join(second.dir, path.basename(f)), 'utf-8')).toBe(fs.readFileSync(f, 'utf-8'));
    }
  });

  test('committed dist/ matches a fresh synth (run `npm run synth` and commit when this fails)', () => {
    const committed = fs.readdirSync(DIST).sort();
    expect(committed).toEqual(first.files.map((f) => path.basename(f)));
    for (const f of first.files) {
      expect(fs.readFileSync(path.join(DIST, path.basename(f)), 'utf-8')).toBe(fs.readFileSync(f, 'utf-8'));
    }
  });

  test('every object carries the version label and every image is pinned', () => {
    for (const f of first.files) {
      const docs = YAML.parseAllDocuments(fs.readFileSync(f, 'utf-8')).map((d) => d.toJSON());
      for (const o of docs) {
        expect([f, o.kind, o.metadata.labels?.['app.kubernetes.io/version']]).toEqual([
          f,
          o.kind,
          expect.stringMatching(/^[A-Za-z0-9][-A-Za-z0-9_.]*$/),
        ]);
      }
      for (const image of imageReferences(docs)) {
        expect(image).toMatch(PINNED_IMAGE);
        expect(image).not.toMatch(/:latest$/);
      }
    }
  });

  test('every object validates against the Kubernetes OpenAPI schema (kubernetes-models)', () => {
    for (const f of first.files) {
      const docs = YAML.parseAllDocuments(fs.readFileSync(f, 'utf-8')).map((d) => d.toJSON());
      const core = docs.filter((o) => KNOWN_KINDS.includes(`${o.apiVersion}/${o.kind}`));
      const others = docs
        .filter((o) => !KNOWN_KINDS.includes(`${o.apiVersion}/${o.kind}`))
        .map((o) => `${o.apiVersion}/${o.kind}`);
      expect(others.filter((k) => !CUSTOM_KINDS.includes(k))).toEqual([]);
      expect(() => validateK8sObjects(core)).not.toThrow();
    }
  });
});
