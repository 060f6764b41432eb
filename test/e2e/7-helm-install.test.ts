/**
 * Issue test 7: the packaged chart installed with the real helm against the apiserver, the
 * image set through values to the local test image: the same node result as the construct
 * deployment (8 allocatable GPUs), and a clean uninstall.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLUSTER, nodeResource, REPO_ROOT, run, waitFor, kubectl } from './helpers/kube';
import { helm } from './helpers/manifests';
import {
  labelGpuNode,
  pluginImage,
  PLUGIN_NAMESPACE,
  recordTiming,
  removePlugin,
  waitForResource,
} from './helpers/plugin';

const RELEASE = 'gpu-device-plugin';

function helmCmd(args: string[]) {
  return run(helm(), ['--kubeconfig', CLUSTER.kubeconfig, ...args], undefined, 300000);
}

describe('helm install of the packaged chart', () => {
  let packageDir: string;
  let chartPackage: string;
  let image: string;

  beforeAll(async () => {
    image = pluginImage('8gpu');
    removePlugin();
    labelGpuNode();
    await waitFor('no allocatable GPU before the install', 60000, () => !nodeResource('allocatable', 'nvidia.com/gpu'));
    packageDir = mkdtempSync(join(tmpdir(), 'e2e-chart-'));
    const packed = helmCmd(['package', join(REPO_ROOT, 'charts', 'gpu-device-plugin'), '--destination', packageDir]);
    expect(packed.code).toBe(0);
    chartPackage = join(packageDir, readdirSync(packageDir).find((f) => f.endsWith('.tgz')) ?? '');
  });

  afterAll(() => {
    helmCmd(['uninstall', RELEASE, '--namespace', 'default', '--wait']);
    rmSync(packageDir, { recursive: true, force: true });
  });

  test('helm install brings the node to 8 allocatable GPUs', async () => {
    const [repository, tag] = [image.slice(0, image.lastIndexOf(':')), image.slice(image.lastIndexOf(':') + 1)];
    const started = Date.now();
    // The release record lives in `default`; the chart creates and fills its own namespace.
    const installed = helmCmd([
      'install',
      RELEASE,
      chartPackage,
      '--namespace',
      'default',
      '--set',
      `image.repository=${repository}`,
      '--set',
      `image.tag=${tag}`,
      '--wait',
      '--timeout',
      '2m',
    ]);
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(0);
    expect(installed.stdout).toMatch(/STATUS: deployed/);
    expect(installed.stdout).toMatch(/nvidia\.com\/gpu/); // NOTES.txt says how to check allocatable
    await waitForResource('nvidia.com/gpu', 8, 30000);
    recordTiming('helm install → node allocatable nvidia.com/gpu = 8', Date.now() - started, 30000);
    const ds = kubectl([
      '-n',
      PLUGIN_NAMESPACE,
      'get',
      'daemonset',
      '-o',
      'jsonpath={.items[*].spec.template.spec.containers[0].image}',
    ]);
    expect(ds.stdout).toBe(image);
  });

  test('helm uninstall removes the plugin and the node stops offering GPUs', async () => {
    const removed = helmCmd(['uninstall', RELEASE, '--namespace', 'default', '--wait']);
    expect(removed.code).toBe(0);
    await waitFor(
      'allocatable nvidia.com/gpu = 0 after uninstall',
      60000,
      () => nodeResource('allocatable', 'nvidia.com/gpu') === 0,
    );
    await waitFor(
      `namespace ${PLUGIN_NAMESPACE} gone`,
      60000,
      () => kubectl(['get', 'namespace', PLUGIN_NAMESPACE]).code !== 0,
    );
  });
});
