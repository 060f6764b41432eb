// A real OCI registry on loopback for the release tests: Debian's docker-registry (the
// CNCF distribution registry), started by the test on a free port with its storage in a
// temporary directory, and stopped by it.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface Registry {
  /** host:port, e.g. 127.0.0.1:40123. */
  host: string;
  dir: string;
  stop(): Promise<void>;
  log(): string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startRegistry(): Promise<Registry> {
  if (!fs.existsSync(REGISTRY_BINARY)) {
    throw new Error(
      `${REGISTRY_BINARY} is missing: apt-get install docker-registry (test/e2e/install-deps.sh installs it)`,
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'release-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(
    config,
    [
      'version: 0.1',
      // Access log on: tests check who fetched what (e.g. containerd pulling a manifest by digest).
      'log: { level: info }',
      `storage: { filesystem: { rootdirectory: ${path.join(dir, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: "${host}" }`,
      '',
    ].join('\n'),
  );
  const logFile = path.join(dir, 'registry.log');
  const out = fs.openSync(logFile, 'w');
  const child: ChildProcess = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', out, out] });
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  const log = () => fs.readFileSync(logFile, 'utf8');
  const deadline = Date.now() + 30000;
  for (;;) {
    if (exited) throw new Error(`docker-registry ${exited} before answering on ${host}:\n${log()}`);
    try {
      const res = await fetch(`http://${host}/v2/`);
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not answer http://${host}/v2/ within 30 s:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    host,
    dir,
    log,
    stop: async () => {
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
        if (!exited) child.kill('SIGKILL');
      }
      fs.closeSync(out);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
