import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { synthesizePlugin } from '../../src/chart/construct-defaults';
import { DEVICE_PLUGIN_FIELDS, DevicePluginValues } from '../../src/chart/device-plugin-values';
import { defaultsOf } from '../../src/chart/values-model';
import { ReleaseInfo, coalesce, devicePluginProps } from '../../src/chart/values-props';
import { toolPath } from '../helpers/tools';

/** Repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** The committed chart. */
export const CHART_DIR = path.join(REPO_ROOT, 'charts', 'gpu-device-plugin');
/** Building helm from source takes minutes on a small machine the first time. */
export const HELM_BUILD_TIMEOUT_MS = 20 * 60 * 1000;
/** The release the parity tests install: objects keep the construct's default names. */
export const RELEASE: ReleaseInfo = { name: 'gpu-device-plugin', namespace: 'kube-system' };

/**
 * For a test file that runs helm: builds helm before its tests and gives them a temporary
 * directory (`.path`, for values files), removed after them.
 */
export function helmWorkDir(prefix: string): { readonly path: string } {
  const dir = { path: '' };
  beforeAll(() => {
    helmBinary();
    dir.path = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  }, HELM_BUILD_TIMEOUT_MS);
  afterAll(() => {
    if (dir.path !== '') fs.rmSync(dir.path, { recursive: true, force: true });
  });
  return dir;
}

/**
 * The pinned helm binary, built by test/tools/helm.sh on first use. A build failure throws,
 * so the chart tests fail (never skip) on a machine that cannot build helm.
 */
export function helmBinary(): string {
  return toolPath('helm.sh', [], 'helm', 'the chart cannot be rendered', HELM_BUILD_TIMEOUT_MS);
}

/** Result of one helm command. */
export interface HelmResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs helm with `args` from the repository root. */
export function helm(args: string[]): HelmResult {
  const r = spawnSync(helmBinary(), args, { cwd: REPO_ROOT, encoding: 'utf-8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs helm and returns stdout; a failure throws with helm's own message. */
export function helmOk(args: string[]): string {
  const r = helm(args);
  if (r.status !== 0) {
    throw new Error(`helm ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

/** The objects of a multi-document YAML stream, empty documents left out. */
export function parseObjects(text: string): any[] {
  return YAML.parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`invalid YAML from helm: ${d.errors[0].message}`);
      return d.toJS();
    })
    .filter((o) => o !== null && o !== undefined);
}

/** `helm template` of `chart` with the given values files, as objects. */
export function helmTemplate(chart: string, valuesFiles: string[], release: ReleaseInfo = RELEASE): any[] {
  const args = ['template', release.name, chart, '--namespace', release.namespace];
  for (const f of valuesFiles) args.push('--values', f);
  return parseObjects(helmOk(args));
}

/** Path of the committed ci values file of a scenario. */
export function ciValuesFile(name: string): string {
  return path.join(CHART_DIR, 'ci', `${name}-values.yaml`);
}

/** Writes values to a fresh file under `dir` and returns its path. */
export function writeValues(dir: string, name: string, values: unknown): string {
  const file = path.join(dir, `${name}.yaml`);
  // YAML 1.1 quoting, as Helm reads values: `yes` must stay a string.
  fs.writeFileSync(file, YAML.stringify(values, { version: '1.1' }));
  return file;
}

/** What `cdk8s synth` gives for the GpuDevicePlugin props that `values` stand for. */
export function synthFromValues(overrides: unknown, release: ReleaseInfo = RELEASE): any[] {
  const values = coalesce(defaultsOf(DEVICE_PLUGIN_FIELDS), overrides) as DevicePluginValues;
  // A JSON round trip leaves plain data, as parsed YAML is.
  return JSON.parse(JSON.stringify(synthesizePlugin(devicePluginProps(values, release)).objects));
}

/** Objects of a dist/ file. */
export function distObjects(stem: string): any[] {
  return parseObjects(fs.readFileSync(path.join(REPO_ROOT, 'dist', `${stem}.k8s.yaml`), 'utf-8'));
}

/** `kind/namespace/name` of each object, to say which object differs. */
export function objectKeys(objects: any[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`);
}
