/**
 * NVIDIA's real gpu-operator chart of one release, unpacked by test/tools/peers.sh from the
 * checksummed archives in ../shared/peers, and the pinned helm (test/tools/helm.sh). Nothing
 * here is a copy: a missing archive or tool fails the test with the script's reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { peerPath, toolPath } from '../../helpers/tools';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** The unpacked chart directory of GPU Operator `version` (e.g. `v26.7.0`). */
export function chartDir(version: string): string {
  return peerPath(
    `gpu-operator-chart-${version}`,
    `NVIDIA's gpu-operator chart ${version}`,
    'the constructs cannot be checked against it',
    600_000,
  );
}

/** The chart's default values.yaml, parsed. */
export function chartValues(version: string): any {
  return parse(readFileSync(join(chartDir(version), 'values.yaml'), 'utf8'));
}

/** The chart's ClusterPolicy CRD, parsed. */
export function clusterPolicyCrd(version: string): any {
  return parse(readFileSync(join(chartDir(version), 'crds', 'nvidia.com_clusterpolicies.yaml'), 'utf8'));
}

/** Every template of the chart (not its subcharts), concatenated. */
export function templatesText(version: string): string {
  const dir = join(chartDir(version), 'templates');
  return readdirSync(dir)
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

/** The pinned helm binary. */
export function helm(): string {
  return toolPath('helm.sh', [], 'helm', "NVIDIA's gpu-operator chart cannot be rendered", 600_000);
}

/** `helm template` of the real chart with exactly these values; the rendered objects. */
export function helmTemplate(version: string, values: object, namespace = 'gpu-operator'): any[] {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-operator-values-'));
  try {
    const file = join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(values));
    const r = spawnSync(helm(), ['template', 'gpu-operator', chartDir(version), '-f', file, '--namespace', namespace], {
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) {
      throw new Error(
        `helm template of the real gpu-operator ${version} chart failed (exit ${r.status}): ${r.stderr.trim()}`,
      );
    }
    return parseAllDocuments(r.stdout)
      .map((d) => d.toJS())
      .filter((o) => o);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Leaf paths of a values object (`operator.version`); arrays and scalars are leaves. */
export function leafPaths(values: any, prefix = ''): string[] {
  if (typeof values !== 'object' || values === null || Array.isArray(values) || Object.keys(values).length === 0) {
    return prefix ? [prefix] : [];
  }
  return Object.entries(values).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** True when `path` names a key of the chart's values.yaml. */
export function inValuesYaml(defaults: any, path: string): boolean {
  let node = defaults;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !(key in node)) return false;
    node = node[key];
  }
  return true;
}
