import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { CI_SCENARIOS } from '../../src/chart/ci-scenarios';
import { CHART_DIR, HELM_BUILD_TIMEOUT_MS, REPO_ROOT, ciValuesFile, helmBinary, helmOk, helmTemplate } from './helm';

// Publishing: `helm package` and `helm repo index` into the ignored out/ folder, as a
// release job would, and the packaged chart renders what the chart folder renders.

const version: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf-8')).version;
const repoDir = path.join(REPO_ROOT, 'out', 'chart-repo');
const tgz = path.join(repoDir, `gpu-device-plugin-${version}.tgz`);

beforeAll(() => {
  helmBinary();
  fs.rmSync(repoDir, { recursive: true, force: true });
  fs.mkdirSync(repoDir, { recursive: true });
  helmOk(['package', CHART_DIR, '--destination', repoDir]);
  helmOk(['repo', 'index', repoDir, '--url', 'https://cdk8s-gpu.github.io/cdk8s-gpu']);
}, HELM_BUILD_TIMEOUT_MS);

test('helm package writes gpu-device-plugin-<package.json version>.tgz', () => {
  expect(fs.readdirSync(repoDir).sort()).toEqual(['gpu-device-plugin-' + version + '.tgz', 'index.yaml']);
});

test('helm repo index lists the package with its version, digest and URL', () => {
  const index = YAML.parse(fs.readFileSync(path.join(repoDir, 'index.yaml'), 'utf-8'));
  const [entry] = index.entries['gpu-device-plugin'];
  expect(entry.version).toBe(version);
  expect(entry.appVersion).toBe(version);
  expect(entry.digest).toBe(createHash('sha256').update(fs.readFileSync(tgz)).digest('hex'));
  expect(entry.urls).toEqual([`https://cdk8s-gpu.github.io/cdk8s-gpu/gpu-device-plugin-${version}.tgz`]);
});

test('helm show chart of the package keeps the Artifact Hub annotations', () => {
  const chart = YAML.parse(helmOk(['show', 'chart', tgz]));
  expect(Object.keys(chart.annotations).sort()).toEqual([
    'artifacthub.io/category',
    'artifacthub.io/images',
    'artifacthub.io/license',
    'artifacthub.io/links',
    'artifacthub.io/prerelease',
  ]);
});

test.each(CI_SCENARIOS.map((s) => [s.name] as const))(
  'the packaged chart renders ci/%s-values.yaml as the chart folder does',
  (name) => {
    expect(helmTemplate(tgz, [ciValuesFile(name)])).toStrictEqual(helmTemplate(CHART_DIR, [ciValuesFile(name)]));
  },
);
