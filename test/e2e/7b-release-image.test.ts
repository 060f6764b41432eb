/**
 * The release artifacts on the cluster, as a user meets them: the release image (`npm run
 * image`, not the test image) pushed with release/push.sh to a real OCI registry on
 * loopback (Debian's docker-registry), pulled by containerd BY DIGEST, with the fake NVML
 * reaching the container the way the driver does under the GPU Operator: through the
 * driver root, a hostPath (/run/nvidia/driver) holding usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1.
 *  - the plugin DaemonSet of dist/gpu-operator-project-plugin.k8s.yaml, with only the
 *    image's registry host rewritten (and its digest pinned), reaches allocatable 8;
 *  - `helm install oci://127.0.0.1:<port>/charts/gpu-device-plugin --version <v>` (Helm 4)
 *    of the chart pushed with `helm push` does the same.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as YAML from 'yaml';
import { Built, VERSION, buildImage } from '../release/image';
import { Registry, startRegistry } from '../release/registry';
import { applyServerSide, CLUSTER, kubectl, kubectlOk, nodeResource, REPO_ROOT, run, waitFor } from './helpers/kube';
import { labelGpuNode, recordTiming, removePlugin, runningPluginPods, waitForResource } from './helpers/plugin';
import { firstOfKind } from '../helpers/k8s-objects';

jest.setTimeout(30 * 60 * 1000);

const DRIVER_ROOT = '/run/nvidia/driver';
const DRIVER_LIB_DIR = join(DRIVER_ROOT, 'usr', 'lib', 'x86_64-linux-gnu');
const EVENTS = '/var/lib/kubelet/device-plugins/fake-nvml/release.events';
const DIST_FILE = join(REPO_ROOT, 'dist', 'gpu-operator-project-plugin.k8s.yaml');
const RELEASED_IMAGE = `ghcr.io/cdk8s-gpu/gpu-device-plugin:v${VERSION}`;
const KINDS = ['Namespace', 'RuntimeClass', 'ServiceAccount', 'ConfigMap', 'DaemonSet'];
const HELM_RELEASE = 'gpu-device-plugin';

let registry: Registry;
let built: Built;
let helm4: string;
let hostsDir: string;
let createdDriverRoot = false;
let createdParent = false;

function registryHostsDir(): string {
  const script = `. "${REPO_ROOT}/test/e2e/versions.sh"; . "${REPO_ROOT}/test/e2e/shell/cluster-env.sh"; echo "$REGISTRY_HOSTS_DIR"`;
  return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).trim();
}

function push(args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync('bash', [join(REPO_ROOT, 'release', 'push.sh'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`release/push.sh ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout.trim();
}

/** Removes every image with this index digest from containerd's k8s.io namespace, and its content. */
function forgetImage(digest: string): void {
  const ctr = (args: string[]) =>
    execFileSync('ctr', ['--address', CLUSTER.containerdSock, '-n', 'k8s.io', ...args], { encoding: 'utf8' });
  const refs = ctr(['images', 'ls'])
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/))
    .filter((f) => f.includes(digest))
    .map((f) => f[0]);
  if (refs.length) ctr(['images', 'rm', '--sync', ...refs]);
}

/** The registry's access log lines of containerd fetching the index by digest. */
function containerdFetches(digest: string): string[] {
  return registry
    .log()
    .split('\n')
    .filter(
      (l) =>
        l.includes(`/v2/cdk8s-gpu/gpu-device-plugin/manifests/${digest}`) && /containerd/.test(l) && / 200 /.test(l),
    );
}

/** The image's reference in the local registry, pinned by digest. */
const localImage = () => `${registry.host}/cdk8s-gpu/gpu-device-plugin:v${VERSION}@${built.digest}`;

async function noGpus(what: string): Promise<void> {
  await waitFor(what, 120000, () => !nodeResource('allocatable', 'nvidia.com/gpu'));
}

beforeAll(async () => {
  removePlugin();
  kubectl(['delete', 'namespace', 'gpu-operator', '--ignore-not-found', '--wait=true', '--timeout=120s']);
  labelGpuNode();
  kubectlOk(['label', 'node', CLUSTER.nodeName, 'nvidia.com/gpu.deploy.device-plugin=true', '--overwrite']);
  await noGpus('no allocatable GPU before the release image test');

  // The fake driver under the driver root, as the GPU Operator's driver container lays it out.
  if (existsSync(DRIVER_ROOT) && !existsSync(join(DRIVER_LIB_DIR, 'fake-nvml.conf'))) {
    throw new Error(
      `${DRIVER_ROOT} exists and is not this test's fake driver: refusing to write into a real driver root`,
    );
  }
  createdDriverRoot = !existsSync(DRIVER_ROOT);
  createdParent = !existsSync(dirname(DRIVER_ROOT));
  mkdirSync(DRIVER_LIB_DIR, { recursive: true });
  const fakeLib = execFileSync('bash', [join(REPO_ROOT, 'test', 'fixtures', 'fake-nvml', 'build.sh')], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop()!;
  copyFileSync(fakeLib, join(DRIVER_LIB_DIR, 'libnvidia-ml.so.1'));
  const conf = execFileSync(
    'npx',
    [
      'ts-node',
      '--transpile-only',
      '--project',
      join(REPO_ROOT, 'tsconfig.dev.json'),
      join(REPO_ROOT, 'test', 'e2e', 'images', 'fake-nvml-config.ts'),
      join(DRIVER_ROOT, '.fake-nvml'),
      '8gpu',
      EVENTS,
    ],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  ).trim();
  copyFileSync(conf, join(DRIVER_LIB_DIR, 'fake-nvml.conf'));
  mkdirSync(dirname(EVENTS), { recursive: true });
  writeFileSync(EVENTS, '');

  registry = await startRegistry();
  const t0 = Date.now();
  built = buildImage();
  recordTiming('npm run image (release image, amd64 + arm64)', Date.now() - t0, 15 * 60 * 1000);
  const t1 = Date.now();
  const pushed = push(['image', `${registry.host}/cdk8s-gpu/gpu-device-plugin`, '--dest-tls-verify=false'], {
    IMAGE_OUT: built.out,
  });
  expect(pushed).toBe(built.digest);
  push(['chart', `oci://${registry.host}/charts`, '--plain-http']);
  recordTiming('release/push.sh image + chart to the local registry', Date.now() - t1, 5 * 60 * 1000);
  helm4 = execFileSync('bash', [join(REPO_ROOT, 'test', 'tools', 'helm4.sh')], { encoding: 'utf8' }).trim();

  // The image may be in containerd from an earlier run (same digest: the build is
  // reproducible). Remove it, content included, so the pods below must pull it.
  forgetImage(built.digest);

  // containerd pulls from the loopback registry over plain HTTP.
  hostsDir = join(registryHostsDir(), registry.host);
  mkdirSync(hostsDir, { recursive: true });
  writeFileSync(
    join(hostsDir, 'hosts.toml'),
    [
      `server = "http://${registry.host}"`,
      `[host."http://${registry.host}"]`,
      '  capabilities = ["pull", "resolve"]',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  run(
    helm4,
    ['--kubeconfig', CLUSTER.kubeconfig, 'uninstall', HELM_RELEASE, '--namespace', 'default', '--wait'],
    undefined,
    300000,
  );
  kubectl(['delete', 'namespace', 'gpu-operator', '--ignore-not-found', '--wait=true', '--timeout=120s']);
  kubectl(['label', 'node', CLUSTER.nodeName, 'nvidia.com/gpu.deploy.device-plugin-']);
  if (hostsDir) rmSync(hostsDir, { recursive: true, force: true });
  await registry?.stop();
  if (built) rmSync(built.out, { recursive: true, force: true });
  if (createdDriverRoot) rmSync(createdParent ? dirname(DRIVER_ROOT) : DRIVER_ROOT, { recursive: true, force: true });
  else rmSync(join(DRIVER_ROOT, '.fake-nvml'), { recursive: true, force: true });
});

/**
 * Where the running plugin (PID 1 of the pod) has libnvidia-ml mapped from, read from
 * /proc/1/maps with the image's own node (the image has no shell).
 */
function mappedNvml(namespace: string): string[] {
  const pod = runningPluginPods(namespace)[0];
  const out = kubectlOk([
    '-n',
    namespace,
    'exec',
    pod.metadata.name,
    '--',
    'node',
    '-e',
    'process.stdout.write([...new Set(require("fs").readFileSync("/proc/1/maps","utf8").split("\\n").filter(l=>l.includes("libnvidia-ml")).map(l=>l.split(/\\s+/).pop()))].join("\\n"))',
  ]);
  return out.trim().split('\n').filter(Boolean);
}

/**
 * The pod of the plugin in `namespace` once it runs: image reference, imageID, logs. The node's
 * allocatable can reach 8 before the kubelet has posted the pod's Running phase (two separate
 * status updates), so this waits for the phase instead of reading it once.
 */
async function runningPlugin(namespace: string): Promise<{ image: string; imageID: string; logs: string }> {
  const { value: pods } = await waitFor(`one Running plugin pod in ${namespace}`, 60000, () => {
    const running = runningPluginPods(namespace);
    return running.length === 1 ? running : undefined;
  });
  // status.image is what containerd reports (for a digest reference, the config id); the
  // reference the pod asked for is the spec's, and imageID is the repository digest pulled.
  const status = pods[0].status.containerStatuses[0];
  return {
    image: pods[0].spec.containers[0].image,
    imageID: status.imageID,
    logs: kubectlOk(['-n', namespace, 'logs', pods[0].metadata.name]),
  };
}

test('dist/gpu-operator-project-plugin.k8s.yaml with only the registry host rewritten runs the pushed image by digest: 8 GPUs from the driver root', async () => {
  const objects = YAML.parseAllDocuments(readFileSync(DIST_FILE, 'utf8'))
    .map((d) => d.toJSON())
    .filter((o) => o && KINDS.includes(o.kind));
  const ds = firstOfKind(objects, 'DaemonSet');
  expect(ds.spec.template.spec.containers[0].image).toBe(RELEASED_IMAGE);
  expect(ds.spec.template.spec.volumes).toContainEqual({
    name: 'driver-root',
    hostPath: { path: DRIVER_ROOT, type: 'Directory' },
  });
  const original = objects.map((o) => YAML.stringify(o)).join('---\n');
  const rewritten = original.replace(`image: ${RELEASED_IMAGE}`, `image: ${localImage()}`);
  // The only change: ghcr.io -> the local registry, and the digest pinned after the tag.
  const changed = rewritten.split('\n').filter((l, i) => l !== original.split('\n')[i]);
  expect(changed).toEqual([`          image: ${localImage()}`]);

  const started = Date.now();
  const applied = applyServerSide(rewritten);
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
  await waitForResource('nvidia.com/gpu', 8, 180000);
  recordTiming(
    'release image: DaemonSet from dist/ → pulled by digest → allocatable nvidia.com/gpu = 8',
    Date.now() - started,
    180000,
  );

  const pod = await runningPlugin('gpu-operator');
  expect(pod.image).toBe(localImage());
  // containerd fetched the index from the local registry, by digest.
  expect(containerdFetches(built.digest).length).toBeGreaterThan(0);
  expect(pod.imageID).toBe(`${registry.host}/cdk8s-gpu/gpu-device-plugin@${built.digest}`);
  expect(pod.logs).toContain('"gpus":8');
  // NVML came from the driver root as the container sees it (/driver-root), not the image.
  expect(mappedNvml('gpu-operator')).toEqual(['/driver-root/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1']);
  // containerd holds it under its digest.
  const images = execFileSync('ctr', ['--address', CLUSTER.containerdSock, '-n', 'k8s.io', 'images', 'ls'], {
    encoding: 'utf8',
  });
  expect(
    images.split('\n').some((l) => l.includes(`${registry.host}/cdk8s-gpu/gpu-device-plugin@${built.digest}`)),
  ).toBe(true);

  kubectlOk(['delete', 'namespace', 'gpu-operator', '--wait=true', '--timeout=120s']);
  await waitFor(
    'allocatable nvidia.com/gpu = 0 after the DaemonSet is gone',
    120000,
    () => nodeResource('allocatable', 'nvidia.com/gpu') === 0,
  );
});

test('helm install oci://<local registry>/charts/gpu-device-plugin --version (Helm 4) brings the node to 8 GPUs from the same image', async () => {
  forgetImage(built.digest);
  const fetchedBefore = containerdFetches(built.digest).length;
  const started = Date.now();
  const installed = run(
    helm4,
    [
      '--kubeconfig',
      CLUSTER.kubeconfig,
      'install',
      HELM_RELEASE,
      `oci://${registry.host}/charts/gpu-device-plugin`,
      '--version',
      VERSION,
      '--plain-http',
      '--namespace',
      'default',
      '--set',
      `image.repository=${registry.host}/cdk8s-gpu/gpu-device-plugin`,
      '--set',
      `image.digest=${built.digest}`,
      '--set',
      `nvidiaDriverRoot=${DRIVER_ROOT}`,
      '--wait',
      '--timeout',
      '3m',
    ],
    undefined,
    300000,
  );
  expect(installed.stderr).toBe('');
  expect(installed.code).toBe(0);
  expect(installed.stdout).toMatch(/STATUS: deployed/);
  await waitForResource('nvidia.com/gpu', 8, 120000);
  recordTiming(
    'release chart: helm install oci:// --version → allocatable nvidia.com/gpu = 8',
    Date.now() - started,
    180000,
  );
  const pod = await runningPlugin('gpu-device-plugin');
  expect(pod.image).toBe(localImage());
  expect(containerdFetches(built.digest).length).toBeGreaterThan(fetchedBefore);
  expect(pod.imageID).toBe(`${registry.host}/cdk8s-gpu/gpu-device-plugin@${built.digest}`);
  expect(pod.logs).toContain('"gpus":8');
  expect(mappedNvml('gpu-device-plugin')).toEqual(['/driver-root/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1']);

  const removed = run(
    helm4,
    ['--kubeconfig', CLUSTER.kubeconfig, 'uninstall', HELM_RELEASE, '--namespace', 'default', '--wait'],
    undefined,
    300000,
  );
  expect(removed.code).toBe(0);
  await waitFor(
    'allocatable nvidia.com/gpu = 0 after uninstall',
    120000,
    () => nodeResource('allocatable', 'nvidia.com/gpu') === 0,
  );
});
