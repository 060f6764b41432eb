/**
 * The manifests the project ships, as the e2e tests apply them: every dist/ file, and the
 * `helm template` output of every chart scenario (charts/<chart>/ci/*-values.yaml).
 */
import { toolPath } from '../../helpers/tools';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { REPO_ROOT, run } from './kube';

export interface ManifestSource {
  /** How the test names it: `dist/x.k8s.yaml` or `charts/c ci/x-values.yaml`. */
  label: string;
  /** The YAML stream, produced on demand (helm runs only when the test gets there). */
  render(): string;
}

export function distManifests(): ManifestSource[] {
  const dir = join(REPO_ROOT, 'dist');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ label: `dist/${f}`, render: () => readFileSync(join(dir, f), 'utf8') }));
}

/** The pinned helm of test/tools/helm.sh (built from the Go proxy on first use). */
export function helm(): string {
  return toolPath('helm.sh', [], 'helm', 'the chart scenarios cannot be rendered');
}

/** `helm template` of each chart scenario, released into the chart's default namespace. */
export function chartScenarios(): ManifestSource[] {
  const charts = join(REPO_ROOT, 'charts');
  if (!existsSync(charts)) return [];
  const sources: ManifestSource[] = [];
  for (const chart of readdirSync(charts).sort()) {
    const ci = join(charts, chart, 'ci');
    if (!existsSync(ci)) continue;
    for (const values of readdirSync(ci)
      .filter((f) => f.endsWith('-values.yaml'))
      .sort()) {
      sources.push({
        label: `charts/${chart} ${basename(ci)}/${values}`,
        render: () => {
          const r = run(helm(), ['template', chart, join(charts, chart), '-f', join(ci, values), '--namespace', chart]);
          if (r.code !== 0) throw new Error(`helm template ${chart} -f ci/${values} failed: ${r.stderr}`);
          return r.stdout;
        },
      });
    }
  }
  return sources;
}
