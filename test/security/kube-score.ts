// Runs the pinned kube-score (built by test/tools/kube-score.sh) over YAML text and
// returns its findings as plain records, so a test can compare them with the declared
// exceptions. kube-linter, which issue 8 names, cannot be installed here: see
// docs/security.md.
import { execFileSync, spawnSync } from 'child_process';
import { toolPath } from '../helpers/tools';

/** The first build compiles kube-score from source (about a minute on two shared cores). */
export const KUBE_SCORE_BUILD_TIMEOUT_MS = 10 * 60 * 1000;
/**
 * The newest Kubernetes we target (the e2e cluster's minor): kube-score flags apiVersions
 * deprecated by then, which is stricter than the chart's floor (kubeVersion >=1.25).
 */
export const KUBERNETES_VERSION = 'v1.33';
/**
 * Optional checks we turn on: seccomp is part of the Pod Security `restricted` level, and
 * the port check catches duplicate or unnamed ports. The other optional checks want
 * requests equal to limits (Guaranteed QoS), which neither the plugin nor training jobs need.
 */
export const OPTIONAL_CHECKS = ['container-seccomp-profile', 'container-ports-check'];

/** The pinned kube-score binary; a failed build throws, so tests fail rather than skip. */
export function kubeScoreBinary(): string {
  return toolPath('kube-score.sh', [], 'kube-score', 'nothing can be scored', KUBE_SCORE_BUILD_TIMEOUT_MS);
}

/** One check that an object failed (grade below OK), with kube-score's comments. */
export interface Finding {
  /** Where the YAML came from, e.g. `dist/gpu-job` or `chart/default`. */
  readonly source: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** The object's `app.kubernetes.io/component` label ('' when it has none). */
  readonly component: string;
  /** kube-score's check id, e.g. `container-security-context-privileged`. */
  readonly check: string;
  /** kube-score's summaries, e.g. `(device-plugin) The container is privileged`. */
  readonly comments: string[];
}

/** Every check id this kube-score knows (`kube-score list`), to catch a misspelt exception. */
export function knownChecks(): Set<string> {
  const out = execFileSync(kubeScoreBinary(), ['list'], { encoding: 'utf-8' });
  return new Set(
    out
      .split('\n')
      .filter((l) => l.includes(','))
      .map((l) => l.split(',')[0]),
  );
}

/**
 * kube-score's findings for the objects in `yaml`. Objects cannot silence themselves:
 * `kube-score/ignore` annotations are disabled, so only the checked-in list excuses a finding.
 */
export function kubeScore(source: string, yaml: string): Finding[] {
  const args = [
    'score',
    '--output-format',
    'json',
    '--kubernetes-version',
    KUBERNETES_VERSION,
    '--disable-ignore-checks-annotations',
    '--color',
    'never',
  ];
  for (const check of OPTIONAL_CHECKS) args.push('--enable-optional-test', check);
  args.push('-');
  const r = spawnSync(kubeScoreBinary(), args, { input: yaml, encoding: 'utf-8', timeout: 60_000 });
  if (r.error) throw r.error;
  // Exit 1 means "critical findings", which is what we read; anything else is a failure to run.
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`kube-score exited ${r.status} on ${source}:\n${r.stderr}`);
  }
  let scored: any[] | null;
  try {
    scored = JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`kube-score printed no JSON for ${source} (${(e as Error).message}):\n${r.stdout}${r.stderr}`);
  }
  const findings: Finding[] = [];
  for (const obj of scored ?? []) {
    for (const c of obj.checks ?? []) {
      // Grades: 10 OK, 7 almost OK, 5 warning, 1 critical. Warnings count as findings too.
      if (c.skipped || c.grade >= 10) continue;
      findings.push({
        source,
        kind: obj.type_meta.kind,
        namespace: obj.object_meta.namespace ?? '',
        name: obj.object_meta.name,
        component: obj.object_meta.labels?.['app.kubernetes.io/component'] ?? '',
        check: c.check.id,
        comments: (c.comments ?? []).map((m: any) => (m.path ? `(${m.path}) ${m.summary}` : m.summary)),
      });
    }
  }
  return findings;
}

/** One line per finding, for a failure message a person can act on. */
export function describeFindings(findings: Finding[]): string {
  return findings
    .map(
      (f) =>
        `${f.source}: ${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name} [${f.component}] ${f.check}: ${f.comments.join('; ')}`,
    )
    .join('\n');
}
