// The release flow of docs/release.md against a real OCI registry on loopback (Debian's
// docker-registry, the CNCF distribution registry): release/push.sh copies the image index
// with skopeo (both architectures, digests preserved) and pushes the packaged chart with
// Helm 4; what a user pulls back is what was built.
import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { Built, REPO_ROOT, VERSION, buildImage, json } from './image';
import { Registry, startRegistry } from './registry';
import { firstOfKind } from '../helpers/k8s-objects';

jest.setTimeout(30 * 60 * 1000);

const PUSH = path.join(REPO_ROOT, 'release', 'push.sh');
const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let registry: Registry;
let built: Built;
let helm4: string;

function push(args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync('bash', [PUSH, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 20 * 60 * 1000,
  });
  if (r.status !== 0)
    throw new Error(
      `release/push.sh ${args.join(' ')} exited ${r.status}:\n${r.stderr}\nregistry log:\n${registry.log()}`,
    );
  return r.stdout.trim();
}

async function get(
  url: string,
  accept: string,
): Promise<{ status: number; type: string | null; digest: string | null; body: Buffer }> {
  const res = await fetch(url, { headers: { Accept: accept } });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    digest: res.headers.get('docker-content-digest'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

beforeAll(async () => {
  registry = await startRegistry();
  built = buildImage();
  helm4 = execFileSync('bash', [path.join(REPO_ROOT, 'test', 'tools', 'helm4.sh')], {
    encoding: 'utf8',
    timeout: 30 * 60 * 1000,
  }).trim();
});

afterAll(async () => {
  await registry?.stop();
  if (built) fs.rmSync(built.out, { recursive: true, force: true });
});

describe('image: skopeo copy of the index to the registry', () => {
  let pushed: string;
  const repo = () => `${registry.host}/cdk8s-gpu/gpu-device-plugin`;

  beforeAll(() => {
    pushed = push(['image', repo(), '--dest-tls-verify=false'], { IMAGE_OUT: built.out });
  });

  test('the pushed tag resolves to the digest npm run image printed', async () => {
    expect(pushed).toBe(built.digest);
    const tag = await get(
      `http://${repo().replace(registry.host, `${registry.host}/v2`)}/manifests/v${VERSION}`,
      INDEX,
    );
    expect(tag.status).toBe(200);
    expect(tag.type).toBe(INDEX);
    expect(tag.digest).toBe(built.digest);
    expect(`sha256:${createHash('sha256').update(tag.body).digest('hex')}`).toBe(built.digest);
  });

  test('both architectures are in the registry, by digest, with every layer', async () => {
    const base = `http://${registry.host}/v2/cdk8s-gpu/gpu-device-plugin`;
    const index = json(built.layout, built.digest);
    expect(index.manifests.map((m: any) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    for (const m of index.manifests) {
      const got = await get(`${base}/manifests/${m.digest}`, MANIFEST);
      expect([m.platform.architecture, got.status, got.digest]).toEqual([m.platform.architecture, 200, m.digest]);
      const manifest = JSON.parse(got.body.toString('utf8'));
      for (const blob of [manifest.config, ...manifest.layers]) {
        const head = await fetch(`${base}/blobs/${blob.digest}`, { method: 'HEAD' });
        expect([blob.digest, head.status, Number(head.headers.get('content-length'))]).toEqual([
          blob.digest,
          200,
          blob.size,
        ]);
      }
    }
  });

  test('skopeo inspect of the arm64 image reads its config from the registry', () => {
    const out = execFileSync(
      'skopeo',
      ['inspect', '--tls-verify=false', '--override-arch', 'arm64', `docker://${repo()}@${built.digest}`],
      { encoding: 'utf8' },
    );
    const info = JSON.parse(out);
    expect(info.Architecture).toBe('arm64');
    expect(info.Labels['org.opencontainers.image.version']).toBe(VERSION);
  });
});

describe('chart: helm push (Helm 4) to the registry', () => {
  let digest: string;
  const chartRef = () => `oci://${registry.host}/charts/gpu-device-plugin`;

  beforeAll(() => {
    digest = push(['chart', `oci://${registry.host}/charts`, '--plain-http']);
  });

  test('helm push prints the chart digest and the registry serves it under the chart version tag', async () => {
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const tag = await get(`http://${registry.host}/v2/charts/gpu-device-plugin/manifests/${VERSION}`, MANIFEST);
    expect(tag.status).toBe(200);
    expect(tag.digest).toBe(digest);
    const manifest = JSON.parse(tag.body.toString('utf8'));
    expect(manifest.config.mediaType).toBe('application/vnd.cncf.helm.config.v1+json');
    expect(manifest.layers.map((l: any) => l.mediaType)).toEqual([
      'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
    ]);
  });

  test('helm pull --version gives back the packaged chart, byte for byte', () => {
    const dir = fs.mkdtempSync(path.join(REPO_ROOT, 'out', 'pull-'));
    try {
      execFileSync(helm4, ['pull', chartRef(), '--version', VERSION, '--plain-http', '--destination', dir], {
        encoding: 'utf8',
      });
      const pulled = fs.readFileSync(path.join(dir, `gpu-device-plugin-${VERSION}.tgz`));
      expect(
        pulled.equals(fs.readFileSync(path.join(REPO_ROOT, 'out', 'chart-repo', `gpu-device-plugin-${VERSION}.tgz`))),
      ).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('helm template oci://… --version renders the DaemonSet with the released image, digest-pinnable', () => {
    const digestPin = built.digest;
    const out = execFileSync(
      helm4,
      [
        'template',
        'gpu-device-plugin',
        chartRef(),
        '--version',
        VERSION,
        '--plain-http',
        '--set',
        `image.digest=${digestPin}`,
      ],
      { encoding: 'utf8' },
    );
    const ds = firstOfKind(
      YAML.parseAllDocuments(out).map((d) => d.toJSON()),
      'DaemonSet',
    );
    expect(ds.spec.template.spec.containers[0].image).toBe(
      `ghcr.io/cdk8s-gpu/gpu-device-plugin:v${VERSION}@${digestPin}`,
    );
  });
});

describe('npm package: what `npm publish` would upload (docs/release.md step 3)', () => {
  test('npm pack --dry-run holds the jsii assembly, API.md and the compiled library at the release version', () => {
    if (!fs.existsSync(path.join(REPO_ROOT, '.jsii')) || !fs.existsSync(path.join(REPO_ROOT, 'lib', 'index.js'))) {
      throw new Error('.jsii or lib/index.js is missing: run `npm run build` first (npm test does)');
    }
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: REPO_ROOT, encoding: 'utf8' }),
    );
    expect(pack.name).toBe('cdk8s-gpu');
    expect(pack.version).toBe(VERSION);
    const files = pack.files.map((f: any) => f.path);
    expect(files).toEqual(
      expect.arrayContaining(['.jsii', 'API.md', 'README.md', 'package.json', 'lib/index.js', 'lib/index.d.ts']),
    );
    // Nothing of the plugin, the tests or the build outputs.
    expect(files.filter((f: string) => /^(plugin|test|out|dist|charts|node_modules|\.cache)\//.test(f))).toEqual([]);
  });
});
