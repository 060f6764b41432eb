/**
 * What the project ships, as the tests that check all of it list it: the synthesized
 * manifests in dist/ and the chart's CI scenarios (charts/<chart>/ci/*-values.yaml).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The committed output of `npm run synth`. */
export const DIST_DIR = path.resolve(__dirname, '..', '..', 'dist');

/** The file names of dist/*.k8s.yaml, sorted. */
export function distFiles(): string[] {
  return fs
    .readdirSync(DIST_DIR)
    .filter((f) => f.endsWith('.k8s.yaml'))
    .sort();
}

/** The file names of the values files in `chartDir`/ci, sorted: each is one scenario. */
export function chartScenarioFiles(chartDir: string): string[] {
  return fs
    .readdirSync(path.join(chartDir, 'ci'))
    .filter((f) => f.endsWith('-values.yaml'))
    .sort();
}
