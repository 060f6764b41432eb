/**
 * kubectl against the e2e cluster (test/e2e/cluster.sh), and polling with deadlines.
 * Everything goes through the real kubectl binary of the pinned release, as a user would.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const E2E_DIR = resolve(__dirname, '..');

/** Paths and names the cluster scripts define, read from the scripts themselves. */
export interface ClusterEnv {
  kubectl: string;
  kubeconfig: string;
  nodeName: string;
  pidsDir: string;
  busyboxImage: string;
  imagesDir: string;
  containerdSock: string;
}

function readClusterEnv(): ClusterEnv {
  const script = [
    `. "${E2E_DIR}/versions.sh"`,
    `. "${E2E_DIR}/shell/cluster-env.sh"`,
    'printf "%s\\n" "$K8S_BIN/kubectl" "$KUBECONFIG_ADMIN" "$NODE_NAME" "$PIDS" "$BUSYBOX_IMAGE" "$E2E_CACHE/images" "$CONTAINERD_SOCK"',
  ].join('; ');
  const out = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`could not read the e2e cluster settings: ${out.stderr}`);
  const [kubectl, kubeconfig, nodeName, pidsDir, busyboxImage, imagesDir, containerdSock] = out.stdout
    .trim()
    .split('\n');
  return { kubectl, kubeconfig, nodeName, pidsDir, busyboxImage, imagesDir, containerdSock };
}

export const CLUSTER: ClusterEnv = readClusterEnv();

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program; never throws, the caller decides what a failure means. */
export function run(program: string, args: string[], input?: string, timeoutMs = 120000): RunResult {
  const out = spawnSync(program, args, { input, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return {
    code: out.status ?? -1,
    stdout: out.stdout ?? '',
    stderr: (out.stderr ?? '') + (out.error ? String(out.error) : ''),
  };
}

/** kubectl as cluster admin. */
export function kubectl(args: string[], input?: string): RunResult {
  return run(CLUSTER.kubectl, ['--kubeconfig', CLUSTER.kubeconfig, ...args], input);
}

/** kubectl that must succeed: returns stdout, or throws with the command and its stderr. */
export function kubectlOk(args: string[], input?: string): string {
  const r = kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** Server-side apply of a multi-document YAML stream. */
export function applyServerSide(yaml: string, fieldManager = 'e2e'): RunResult {
  return kubectl(['apply', '--server-side', '--force-conflicts', `--field-manager=${fieldManager}`, '-f', '-'], yaml);
}

/** Deletes what a YAML stream describes and waits until it is gone (namespaces included). */
export function deleteAndWait(yaml: string): void {
  kubectlOk(['delete', '--ignore-not-found', '--wait=true', '--timeout=120s', '-f', '-'], yaml);
}

export function getJson<T = any>(args: string[]): T {
  return JSON.parse(kubectlOk([...args, '-o', 'json'])) as T;
}

/** The node's capacity or allocatable count of `resource` (undefined when not advertised). */
export function nodeResource(field: 'capacity' | 'allocatable', resource: string): number | undefined {
  const node = getJson(['get', 'node', CLUSTER.nodeName]);
  const value = node.status?.[field]?.[resource];
  return value === undefined ? undefined : Number(value);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns something other than undefined/false, or throws after
 * `timeoutMs` with `what` and the last value seen. Resolves with the value and the time it took.
 */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | undefined | false,
  intervalMs = 200,
): Promise<{ value: T; elapsedMs: number }> {
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const value = probe();
      if (value !== undefined && value !== false) return { value, elapsedMs: Date.now() - start };
      last = value;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(`${what}: not reached within ${timeoutMs / 1000} s (last seen: ${JSON.stringify(last)})`);
    }
    await sleep(intervalMs);
  }
}
