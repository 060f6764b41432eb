/**
 * A private, real Kubernetes API server for the config manager's tests: Debian's etcd and
 * the pinned kube-apiserver the e2e cluster builds (test/e2e/build-k8s.sh, cached in
 * .cache/e2e), on free loopback ports, with certificates from the e2e scripts' certs.sh in a
 * temporary directory, RBAC on. No kubelet or controllers: the tests create the Node object
 * themselves. It never touches the machine-wide e2e cluster (no /tmp/e2e.lock needed).
 * A missing binary is an error with the command that installs it, never a skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const E2E_DIR = join(REPO_ROOT, 'test', 'e2e');

/** The pinned Kubernetes binaries, built on demand by the e2e scripts (idempotent, cached). */
export function k8sBin(): string {
  const script = `. "${E2E_DIR}/versions.sh"; printf %s "$K8S_BIN"`;
  const bin = spawnSync('bash', ['-c', script], { encoding: 'utf8' }).stdout;
  if (!existsSync(join(bin, 'kube-apiserver')) || !existsSync(join(bin, 'kubectl'))) {
    const built = spawnSync('bash', [join(E2E_DIR, 'build-k8s.sh')], { encoding: 'utf8', stdio: 'inherit' });
    if (built.status !== 0) {
      throw new Error(
        `kube-apiserver/kubectl missing in ${bin} and test/e2e/build-k8s.sh failed (exit ${built.status})`,
      );
    }
  }
  return bin;
}

function etcdBinary(): string {
  for (const p of ['/usr/bin/etcd', '/usr/local/bin/etcd']) if (existsSync(p)) return p;
  throw new Error('etcd is not installed: run `bash test/e2e/install-deps.sh` (Debian package etcd-server)');
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class TestApiServer {
  readonly dir: string;
  readonly pki: string;
  readonly kubeconfig: string;
  private etcd: ChildProcess | undefined;
  private apiserver: ChildProcess | undefined;
  private etcdPort = 0;
  private etcdPeerPort = 0;
  port = 0;
  private readonly bin: string;

  private constructor() {
    this.bin = k8sBin();
    this.dir = mkdtempSync(join(tmpdir(), 'cfgmgr-apiserver-'));
    this.pki = join(this.dir, 'pki');
    this.kubeconfig = join(this.dir, 'admin.kubeconfig');
  }

  /** Starts etcd and the API server and waits until /readyz answers (about 5-15 s). */
  static async start(): Promise<TestApiServer> {
    const server = new TestApiServer();
    try {
      server.makePki();
      server.etcdPort = await freePort();
      server.etcdPeerPort = await freePort();
      server.port = await freePort();
      server.startEtcd();
      await server.startApiServer();
      return server;
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  private makePki(): void {
    const script = [
      `PKI="${this.pki}" SERVICE_IP=10.96.0.1 NODE_NAME=test-node NODE_IP=127.0.0.1`,
      `. "${E2E_DIR}/shell/certs.sh"`,
      'make_pki',
    ].join('; ');
    const out = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`making test certificates failed: ${out.stderr}`);
  }

  private startEtcd(): void {
    this.etcd = spawn(
      etcdBinary(),
      [
        '--name',
        'test',
        '--data-dir',
        join(this.dir, 'etcd'),
        '--listen-client-urls',
        `http://127.0.0.1:${this.etcdPort}`,
        '--advertise-client-urls',
        `http://127.0.0.1:${this.etcdPort}`,
        '--listen-peer-urls',
        `http://127.0.0.1:${this.etcdPeerPort}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${this.etcdPeerPort}`,
        '--initial-cluster',
        `test=http://127.0.0.1:${this.etcdPeerPort}`,
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
  }

  /**
   * (Re)starts the API server on `port` (default: the same one) and waits until it is ready;
   * the admin kubeconfig follows the port.
   */
  async startApiServer(port = this.port): Promise<void> {
    this.port = port;
    const p = this.pki;
    writeFileSync(
      this.kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: test',
        `  cluster: {server: "https://127.0.0.1:${port}", certificate-authority: ${p}/ca.crt}`,
        'users:',
        '- name: admin',
        `  user: {client-certificate: ${p}/admin.crt, client-key: ${p}/admin.key}`,
        'contexts:',
        '- name: test',
        '  context: {cluster: test, user: admin}',
        'current-context: test',
        '',
      ].join('\n'),
    );
    this.apiserver = spawn(
      join(this.bin, 'kube-apiserver'),
      [
        '--etcd-servers',
        `http://127.0.0.1:${this.etcdPort}`,
        '--bind-address',
        '127.0.0.1',
        '--advertise-address',
        '127.0.0.1',
        '--secure-port',
        String(this.port),
        '--endpoint-reconciler-type',
        'none',
        '--service-cluster-ip-range',
        '10.96.0.0/16',
        '--client-ca-file',
        `${p}/ca.crt`,
        '--tls-cert-file',
        `${p}/apiserver.crt`,
        '--tls-private-key-file',
        `${p}/apiserver.key`,
        '--service-account-issuer',
        'https://kubernetes.default.svc.cluster.local',
        '--service-account-key-file',
        `${p}/sa.pub`,
        '--service-account-signing-key-file',
        `${p}/sa.key`,
        '--authorization-mode',
        'RBAC',
        '--anonymous-auth=false',
        '--profiling=false',
        // Small watch cache history, so a test can make a resourceVersion expire (410 Gone).
        '--watch-cache-sizes',
        'nodes#10',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    this.apiserver.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const deadline = Date.now() + 90000;
    for (;;) {
      if (this.apiserver.exitCode !== null) throw new Error(`kube-apiserver exited: ${stderr}`);
      if (await this.ready()) return;
      if (Date.now() > deadline) throw new Error(`kube-apiserver not ready after 90 s: ${stderr}`);
      await sleep(300);
    }
  }

  private ready(): Promise<boolean> {
    return new Promise((r) => {
      const req = https.get(
        {
          host: '127.0.0.1',
          port: this.port,
          path: '/readyz',
          ca: readFileSync(`${this.pki}/ca.crt`),
          cert: readFileSync(`${this.pki}/admin.crt`),
          key: readFileSync(`${this.pki}/admin.key`),
          agent: false,
        },
        (res) => {
          res.resume();
          r(res.statusCode === 200);
        },
      );
      req.on('error', () => r(false));
      req.setTimeout(2000, () => req.destroy());
    });
  }

  /** Kills the API server (a crash: etcd keeps the data; a graceful stop takes 15 s) and waits for it to exit. */
  async stopApiServer(): Promise<void> {
    const proc = this.apiserver;
    this.apiserver = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  /** kubectl as cluster admin; throws with stderr on failure. */
  kubectl(args: string[], input?: string): string {
    const out = spawnSync(join(this.bin, 'kubectl'), ['--kubeconfig', this.kubeconfig, ...args], {
      input,
      encoding: 'utf8',
      timeout: 60000,
    });
    if (out.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${out.status}): ${out.stderr}`);
    return out.stdout;
  }

  /** `kubectl auth can-i` as `user` (cluster-wide): yes → true, no → false. */
  canI(user: string, verb: string, resource: string): boolean {
    const out = spawnSync(
      join(this.bin, 'kubectl'),
      ['--kubeconfig', this.kubeconfig, 'auth', 'can-i', verb, resource, '--all-namespaces', `--as=${user}`],
      { encoding: 'utf8', timeout: 60000 },
    );
    const answer = out.stdout.trim();
    if (answer !== 'yes' && answer !== 'no') throw new Error(`kubectl auth can-i ${verb} ${resource}: ${out.stderr}`);
    return answer === 'yes';
  }

  /** Creates a Node object (no kubelet behind it) with the given labels. */
  createNode(name: string, labels: Record<string, string> = {}): void {
    this.kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels } }));
  }

  label(node: string, key: string, value: string | undefined): void {
    this.kubectl(['label', 'node', node, value === undefined ? `${key}-` : `${key}=${value}`, '--overwrite']);
  }

  /**
   * A service account allowed only get/list/watch on nodes (the RBAC the manifests grant), and
   * a short-lived token for it: a pod's /var/run/secrets/kubernetes.io/serviceaccount in `dir`.
   */
  serviceAccountDir(dir: string, name = 'gpu-device-plugin'): { dir: string; token: () => string } {
    this.kubectl(['create', 'namespace', 'plugin'], undefined);
    this.kubectl(['-n', 'plugin', 'create', 'serviceaccount', name]);
    this.kubectl(['create', 'clusterrole', name, '--verb=get,list,watch', '--resource=nodes']);
    this.kubectl(['create', 'clusterrolebinding', name, `--clusterrole=${name}`, `--serviceaccount=plugin:${name}`]);
    const token = (): string => this.kubectl(['-n', 'plugin', 'create', 'token', name, '--duration=10m']).trim();
    writeFileSync(join(dir, 'token'), token());
    writeFileSync(join(dir, 'ca.crt'), readFileSync(`${this.pki}/ca.crt`));
    return { dir, token };
  }

  async stop(): Promise<void> {
    await this.stopApiServer();
    const etcd = this.etcd;
    this.etcd = undefined;
    if (etcd && etcd.exitCode === null) {
      const exited = new Promise((r) => etcd.once('exit', r));
      etcd.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
