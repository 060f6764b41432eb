import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { CHART_DIR, REPO_ROOT } from '../helm';
import { DIST_DIR, chartScenarioFiles, distFiles } from '../../helpers/shipped';
import { peerPath } from '../../helpers/tools';

// kube-linter v0.8.3, the real one (built from ../shared/peers by test/tools/peers.sh), over
// everything we ship: every dist/ file, and the Helm chart with each CI scenario's values
// (kube-linter renders a chart directory with its values.yaml, so each scenario is linted as
// a copy of the chart whose values.yaml is values.yaml merged with the scenario, as Helm merges
// them). Every finding must be accepted, with its reason, in .kube-linter.yaml.

const CONFIG = path.join(REPO_ROOT, '.kube-linter.yaml');
const DIST = distFiles();
const SCENARIOS = chartScenarioFiles(CHART_DIR);
const BUILD_TIMEOUT_MS = 20 * 60 * 1000;

interface Accepted {
  check: string;
  object: string;
  in: string[];
  reason: string;
}
interface Finding {
  check: string;
  object: string;
  source: string;
  message: string;
}

let kubeLinter: string;
let accepted: Accepted[];
const used = new Set<Accepted>();
const counts = { findings: 0 };

function build(): string {
  return peerPath('kube-linter', 'kube-linter v0.8.3', 'the manifests cannot be linted', BUILD_TIMEOUT_MS);
}

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Runs kube-linter on `target`; `source` names it in findings (dist/<file> or chart/<scenario>). */
function lint(target: string, source: string): Finding[] {
  let out: string;
  try {
    out = execFileSync(kubeLinter, ['lint', '--config', CONFIG, '--format', 'json', target], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    // Exit 1 with findings is normal; anything without a JSON report is a real failure.
    const err = e as { stdout?: string; stderr?: string };
    if (!err.stdout || !err.stdout.trim().startsWith('{'))
      throw new Error(`kube-linter failed on ${source}: ${err.stderr}`);
    out = err.stdout;
  }
  const report = JSON.parse(out) as {
    Reports: Array<{
      Check: string;
      Diagnostic: { Message: string };
      Object: { K8sObject: { Name: string; GroupVersionKind: { Kind: string } } };
    }>;
  };
  return (report.Reports ?? []).map((r) => ({
    check: r.Check,
    object: `${r.Object.K8sObject.GroupVersionKind.Kind}/${r.Object.K8sObject.Name}`,
    source,
    message: r.Diagnostic.Message,
  }));
}

function expectAllAccepted(findings: Finding[]): void {
  counts.findings += findings.length;
  const unexplained = findings.filter((f) => {
    const entry = accepted.find(
      (a) => a.check === f.check && glob(a.object).test(f.object) && a.in.some((p) => glob(p).test(f.source)),
    );
    if (entry) used.add(entry);
    return !entry;
  });
  if (unexplained.length > 0) {
    throw new Error(
      `kube-linter findings not accepted in .kube-linter.yaml (fix them, or add an entry with its reason):\n` +
        unexplained.map((f) => `  ${f.source}: ${f.object}: ${f.check}: ${f.message}`).join('\n'),
    );
  }
}

/** Helm's merge of a values file over the chart's values: maps merge, a null deletes, the rest replaces. */
function mergeValues(base: any, over: any): any {
  if (
    over === null ||
    typeof over !== 'object' ||
    Array.isArray(over) ||
    base === null ||
    typeof base !== 'object' ||
    Array.isArray(base)
  )
    return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = mergeValues(base[k], v);
  }
  return out;
}

beforeAll(() => {
  kubeLinter = build();
  const config = parse(fs.readFileSync(CONFIG, 'utf8'));
  accepted = config.acceptedFindings ?? [];
  for (const a of accepted) {
    if (
      !a.check ||
      !/^[A-Za-z]+\/[*a-z0-9.-]+$/.test(a.object ?? '') ||
      !Array.isArray(a.in) ||
      (a.reason ?? '').split(/\s+/).length < 8
    ) {
      throw new Error(
        `.kube-linter.yaml: accepted finding ${JSON.stringify(a)} needs check, object (Kind/name), in (list of globs) and a reason of a sentence or more`,
      );
    }
  }
  expect(config.checks?.exclude ?? []).toEqual([]);
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  console.log(
    `kube-linter v0.8.3: ${DIST.length} dist files and ${SCENARIOS.length} chart scenarios, ${counts.findings} findings, all accepted by ${accepted?.length ?? 0} entries of .kube-linter.yaml`,
  );
});

test('it is the pinned kube-linter', () => {
  expect(execFileSync(kubeLinter, ['version'], { encoding: 'utf8' }).trim()).toBe('v0.8.3');
});

test('there is something to lint', () => {
  expect(DIST.length).toBeGreaterThanOrEqual(5);
  expect(SCENARIOS.length).toBeGreaterThanOrEqual(5);
});

test.each(DIST)('dist/%s: every finding accepted with its reason', (file) => {
  expectAllAccepted(lint(path.join(DIST_DIR, file), `dist/${file}`));
});

test.each(SCENARIOS)('chart with ci/%s: every finding accepted with its reason', (file) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-linter-chart-'));
  try {
    const chart = path.join(dir, 'gpu-device-plugin');
    fs.cpSync(CHART_DIR, chart, { recursive: true });
    fs.rmSync(path.join(chart, 'ci'), { recursive: true, force: true });
    const values = mergeValues(
      parse(fs.readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8')),
      parse(fs.readFileSync(path.join(CHART_DIR, 'ci', file), 'utf8')) ?? {},
    );
    fs.writeFileSync(path.join(chart, 'values.yaml'), stringify(values));
    // kube-linter renders the chart itself. The chart/* entries of .kube-linter.yaml must each
    // match a finding (the stale-excuse test below), so a chart that rendered nothing would fail.
    expectAllAccepted(lint(chart, `chart/${file.replace(/-values\.yaml$/, '')}`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every accepted finding in .kube-linter.yaml still matches a finding (no stale excuses)', () => {
  const stale = accepted.filter((a) => !used.has(a));
  expect(stale.map((a) => `${a.check} ${a.object}`)).toEqual([]);
});
