/**
 * Issue 8, Pod Security Standards: the real kube-apiserver's PodSecurity admission admits
 * GpuJob pods in an `enforce=restricted` namespace and the plugin only in its `privileged`
 * one. The checks live in pss/restricted.sh (server-side dry runs); this runs it against the
 * suite's cluster and fails with its output when any check fails.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

test('PodSecurity admission: GpuJob passes restricted, the plugin needs privileged', () => {
  const script = path.join(__dirname, 'pss', 'restricted.sh');
  const run = spawnSync('bash', [script], { encoding: 'utf-8', timeout: 120_000 });
  const output = `${run.stdout}${run.stderr}`;
  process.stdout.write(output);
  expect({ status: run.status, output }).toEqual({ status: 0, output: expect.stringContaining('ok') });
});
