import * as fs from 'fs';
import * as path from 'path';
import { CHART_DIR, HELM_BUILD_TIMEOUT_MS, helmBinary, helmTemplate } from '../helm';
import { leastPrivilegeProblems } from '../../security/least-privilege';

// What users install: `helm template` of every chart scenario keeps to the same
// least-privilege rules as dist/ (test/constructs/security/least-privilege.test.ts).

const SCENARIOS = fs.readdirSync(path.join(CHART_DIR, 'ci')).filter(f => f.endsWith('-values.yaml')).sort();

beforeAll(() => {
  helmBinary();
}, HELM_BUILD_TIMEOUT_MS);

test.each(SCENARIOS)('helm template with ci/%s keeps to least privilege', file => {
  const objects = helmTemplate(CHART_DIR, [path.join(CHART_DIR, 'ci', file)]);
  expect(objects.some(o => o.kind === 'DaemonSet')).toBe(true);
  expect(leastPrivilegeProblems(objects)).toEqual([]);
});
