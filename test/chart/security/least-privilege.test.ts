import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { CHART_DIR, HELM_BUILD_TIMEOUT_MS, helmBinary, helmTemplate } from '../helm';
import { leastPrivilegeProblems } from '../../security/least-privilege';
import { ofKind, oneOfKind } from '../../helpers/k8s-objects';
import { chartScenarioFiles } from '../../helpers/shipped';

// What users install: `helm template` of every chart scenario keeps to the same
// least-privilege rules as dist/ (test/constructs/security/least-privilege.test.ts).

const SCENARIOS = chartScenarioFiles(CHART_DIR);

beforeAll(() => {
  helmBinary();
}, HELM_BUILD_TIMEOUT_MS);

test.each(SCENARIOS)('helm template with ci/%s keeps to least privilege', (file) => {
  const objects = helmTemplate(CHART_DIR, [path.join(CHART_DIR, 'ci', file)]);
  expect(ofKind(objects, 'DaemonSet')).not.toHaveLength(0);
  // hostNetwork only where the scenario asks for it (a user's opt-in, as passDeviceSpecs is for privileged).
  const values = YAML.parse(fs.readFileSync(path.join(CHART_DIR, 'ci', file), 'utf-8')) ?? {};
  expect(leastPrivilegeProblems(objects, { hostNetworkAllowed: values.hostNetwork === true })).toEqual([]);
});

test('without the opt-in, hostNetwork is a least-privilege problem', () => {
  const objects = helmTemplate(CHART_DIR, [path.join(CHART_DIR, 'ci', 'host-network-values.yaml')]);
  expect(leastPrivilegeProblems(objects)).toEqual([expect.stringContaining('hostNetwork must not be true')]);
});

test('named configs: RBAC beyond reading nodes, or bound to another account, is a least-privilege problem', () => {
  const objects = helmTemplate(CHART_DIR, [path.join(CHART_DIR, 'ci', 'named-configs-values.yaml')]);
  expect(leastPrivilegeProblems(objects)).toEqual([]);
  const role = oneOfKind(objects, 'ClusterRole');
  role.rules[0].verbs.push('patch');
  oneOfKind(objects, 'ClusterRoleBinding').subjects[0].name = 'default';
  expect(leastPrivilegeProblems(objects)).toEqual([
    expect.stringContaining('may only get, list and watch nodes'),
    expect.stringContaining("not the plugin's ServiceAccount"),
  ]);
});

test('without named configs, a ClusterRole or a mounted token is a least-privilege problem', () => {
  const named = helmTemplate(CHART_DIR, [path.join(CHART_DIR, 'ci', 'named-configs-values.yaml')]);
  const single = helmTemplate(CHART_DIR, [path.join(CHART_DIR, 'ci', 'default-values.yaml')]);
  oneOfKind(single, 'DaemonSet').spec.template.spec.automountServiceAccountToken = true;
  expect(leastPrivilegeProblems([...single, oneOfKind(named, 'ClusterRole')])).toEqual([
    expect.stringContaining('no RBAC is needed'),
    expect.stringContaining('automountServiceAccountToken must be false'),
  ]);
});
