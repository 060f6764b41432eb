/**
 * NVIDIA's answers for the parity scenarios, captured from the real binary (k8s-device-plugin
 * at the release src/common/version.ts pins, built by test/tools/peers.sh) by
 * `npm run parity:record` and committed as one JSON file per scenario under
 * test/fixtures/parity/nvidia-device-plugin-<version>/. The fast jest parity test compares our
 * plugin with these files; `npm run parity:live` checks that they still equal a fresh capture.
 *
 * The files are canonical: normalised records (record.ts) with object keys sorted, two-space
 * indentation and a final newline, so a capture of the same behaviour is byte-identical and a
 * change reads as a small diff.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ParityRecord } from './record';
import type { Scenario } from './scenarios';

const repoRoot = path.resolve(__dirname, '..', '..');

/** The NVIDIA release the constructs deploy (src/common/version.ts), e.g. `v0.20.0`. */
export function nvidiaPluginVersion(): string {
  const file = path.join(repoRoot, 'src', 'common', 'version.ts');
  const m = /^export const NVIDIA_DEVICE_PLUGIN_VERSION = '(v[0-9.]+)';$/m.exec(fs.readFileSync(file, 'utf8'));
  if (!m) throw new Error(`could not read NVIDIA_DEVICE_PLUGIN_VERSION from ${file}`);
  return m[1];
}

/** Where the captured records of the pinned release live. */
export function nvidiaRecordDir(): string {
  return path.join(repoRoot, 'test', 'fixtures', 'parity', `nvidia-device-plugin-${nvidiaPluginVersion()}`);
}

export function nvidiaRecordPath(scenarioName: string): string {
  return path.join(nvidiaRecordDir(), `${scenarioName}.json`);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The committed form of a record. */
export function serialiseRecord(record: ParityRecord): string {
  return `${JSON.stringify(sortKeys(record), null, 2)}\n`;
}

const RECORD_HINT =
  "run `npm run parity:record` (root, builds NVIDIA's plugin from ../shared/peers) and commit the files it writes";

/**
 * The committed record of `scenario`. Throws, saying what to do, when it is missing or was
 * captured for a different list of Allocate calls than the scenario now makes.
 */
export function readNvidiaRecord(scenario: Scenario): ParityRecord {
  const file = nvidiaRecordPath(scenario.name);
  if (!fs.existsSync(file))
    throw new Error(`no captured NVIDIA record for scenario ${scenario.name} at ${file}: ${RECORD_HINT}`);
  const record = JSON.parse(fs.readFileSync(file, 'utf8')) as ParityRecord;
  const calls = (r: { allocate: Array<{ resource: string; ids: string[] }> }): string =>
    JSON.stringify(r.allocate.map((c) => [c.resource, c.ids]));
  if (record.scenario !== scenario.name || calls(record) !== calls(scenario)) {
    throw new Error(
      `${file} was captured for other Allocate calls than scenario ${scenario.name} now makes: ${RECORD_HINT}`,
    );
  }
  return record;
}

export function writeNvidiaRecord(record: ParityRecord): string {
  const file = nvidiaRecordPath(record.scenario);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, serialiseRecord(record));
  return file;
}

/** Committed record files that belong to no scenario (left behind by a renamed or removed one). */
export function staleNvidiaRecords(scenarios: readonly Scenario[]): string[] {
  const dir = nvidiaRecordDir();
  if (!fs.existsSync(dir)) return [];
  const names = new Set(scenarios.map((s) => `${s.name}.json`));
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !names.has(f))
    .map((f) => path.join(dir, f));
}
