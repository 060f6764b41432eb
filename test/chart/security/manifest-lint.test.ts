import * as fs from 'fs';
import * as path from 'path';
import { CHART_DIR, HELM_BUILD_TIMEOUT_MS, RELEASE, helmBinary, helmOk } from '../helm';
import {
  Finding,
  KUBE_SCORE_BUILD_TIMEOUT_MS,
  describeFindings,
  knownChecks,
  kubeScore,
  kubeScoreBinary,
} from '../../security/kube-score';
import { DIST_DIR, chartScenarioFiles, distFiles } from '../../helpers/shipped';
import { LintException, applyExceptions, loadExceptions, parseExceptions } from '../../security/lint-exceptions';

// kube-score over everything we ship: every dist/ file and `helm template` of every chart
// scenario. A finding is either excused by a line of test/security/kube-score-exceptions.txt
// (with its reason) or fails the test.

const DIST = distFiles();
const SCENARIOS = chartScenarioFiles(CHART_DIR);

let exceptions: LintException[];
const allFindings: Finding[] = [];

beforeAll(() => {
  helmBinary();
  kubeScoreBinary();
  exceptions = loadExceptions();
}, HELM_BUILD_TIMEOUT_MS + KUBE_SCORE_BUILD_TIMEOUT_MS);

afterAll(() => {
  const excused = allFindings.length - applyExceptions(allFindings, exceptions).unexcused.length;
  // The counts issue 8 asks for, in the test log.
  console.log(
    `kube-score: ${DIST.length} dist files and ${SCENARIOS.length} chart scenarios, ` +
      `${allFindings.length} findings, ${excused} excused by ${exceptions.length} declared exceptions`,
  );
});

function expectOnlyExcused(findings: Finding[]): void {
  allFindings.push(...findings);
  const { unexcused } = applyExceptions(findings, exceptions);
  if (unexcused.length > 0) {
    throw new Error(
      `kube-score findings not declared in test/security/kube-score-exceptions.txt:\n${describeFindings(unexcused)}`,
    );
  }
}

test('there is something to lint', () => {
  expect(DIST.length).toBeGreaterThanOrEqual(5);
  expect(SCENARIOS.length).toBeGreaterThanOrEqual(5);
});

test.each(DIST)('dist/%s has no findings beyond the declared exceptions', (file) => {
  const yaml = fs.readFileSync(path.join(DIST_DIR, file), 'utf-8');
  expectOnlyExcused(kubeScore(`dist/${file.replace(/\.k8s\.yaml$/, '')}`, yaml));
});

test.each(SCENARIOS)('chart scenario ci/%s has no findings beyond the declared exceptions', (file) => {
  const yaml = helmOk([
    'template',
    RELEASE.name,
    CHART_DIR,
    '--namespace',
    RELEASE.namespace,
    '--values',
    path.join(CHART_DIR, 'ci', file),
  ]);
  expectOnlyExcused(kubeScore(`chart/${file.replace(/-values\.yaml$/, '')}`, yaml));
});

// Runs after the scenarios above (jest runs a file's tests in order): an exception that
// no longer matches anything would hide the next real finding of its kind.
test('every declared exception still excuses a finding', () => {
  const { used } = applyExceptions(allFindings, exceptions);
  const stale = exceptions.filter((e) => !used.has(e));
  expect(stale.map((e) => `line ${e.line}: ${e.check} ${e.source} ${e.kind}/${e.component}`)).toEqual([]);
});

test('every declared exception names a check kube-score has', () => {
  const checks = knownChecks();
  expect(exceptions.filter((e) => !checks.has(e.check)).map((e) => `line ${e.line}: ${e.check}`)).toEqual([]);
});

test('kube-score reports a privileged container with a floating tag (the linter really runs)', () => {
  const bad = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: bad}',
    'spec:',
    '  containers:',
    '    - name: c',
    '      image: busybox:latest',
    '      securityContext: {privileged: true}',
  ].join('\n');
  const checks = kubeScore('inline/bad', bad).map((f) => f.check);
  expect(checks).toEqual(expect.arrayContaining(['container-security-context-privileged', 'container-image-tag']));
});

test('kube-score/ignore annotations do not silence a finding', () => {
  const annotated = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: sneaky',
    '  annotations: {kube-score/ignore: container-security-context-privileged}',
    'spec:',
    '  containers:',
    '    - name: c',
    '      image: busybox:1.36',
    '      securityContext: {privileged: true}',
  ].join('\n');
  expect(kubeScore('inline/sneaky', annotated).map((f) => f.check)).toContain('container-security-context-privileged');
});

describe('the exceptions file format', () => {
  test.each([
    [
      'a line without a reason',
      'pod-networkpolicy * Job/gpu-job',
      'expected "<check id> <source glob> <Kind>/<component> <reason>"',
    ],
    ['a reason of two words', 'pod-networkpolicy * Job/gpu-job not needed', 'must say why in at least 5 words'],
    [
      'an object without a component',
      'pod-networkpolicy * Job because we do not want one here',
      'expected "<check id>',
    ],
  ])('refuses %s', (_what, line, message) => {
    expect(() => parseExceptions(line, 'x.txt')).toThrow(message);
  });

  test('reads check, source, kind, component and reason, skipping comments', () => {
    const [e] = parseExceptions(
      '# comment\n\npod-networkpolicy  dist/*  Job/gpu-job  a namespace concern, not one of a Job\n',
      'x.txt',
    );
    expect(e).toEqual({
      line: 3,
      check: 'pod-networkpolicy',
      source: 'dist/*',
      kind: 'Job',
      component: 'gpu-job',
      reason: 'a namespace concern, not one of a Job',
    });
  });

  test('an exception excuses only its own object kind and source', () => {
    const [e] = parseExceptions('pod-networkpolicy dist/gpu-job Job/gpu-job a namespace concern, not one of a Job');
    const finding = {
      source: 'dist/gpu-job',
      kind: 'Job',
      namespace: '',
      name: 'j',
      component: 'gpu-job',
      check: 'pod-networkpolicy',
      comments: [],
    };
    expect(applyExceptions([finding], [e]).unexcused).toEqual([]);
    expect(applyExceptions([{ ...finding, kind: 'DaemonSet' }], [e]).unexcused).toHaveLength(1);
    expect(applyExceptions([{ ...finding, source: 'chart/default' }], [e]).unexcused).toHaveLength(1);
  });
});
