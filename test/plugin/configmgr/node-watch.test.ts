/**
 * The node label watch against a REAL kube-apiserver (helpers/apiserver.ts): the first list,
 * label set / changed / removed, only its own Node, the in-cluster service account with the
 * least-privilege RBAC the manifests grant (get/list/watch nodes), a token re-read from its
 * file, and an API server restart (the watch resumes or relists after 410 Gone).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inClusterConnection, kubeconfigConnection } from '../../../plugin/src/configmgr/kube-client';
import { NodeLabelWatch } from '../../../plugin/src/configmgr/node-watch';
import { freePort, TestApiServer } from '../helpers/apiserver';

jest.setTimeout(120000);

const LABEL = 'nvidia.com/device-plugin.config';

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('node label watch on a real kube-apiserver', () => {
  let api: TestApiServer;
  let sa: string;
  let account: { token: () => string };
  const watches: NodeLabelWatch[] = [];

  beforeAll(async () => {
    api = await TestApiServer.start();
    api.createNode('gpu-node-a', { 'nvidia.com/gpu.present': 'true' });
    api.createNode('gpu-node-b', { [LABEL]: 'other-node-config' });
    sa = mkdtempSync(join(tmpdir(), 'sa-'));
    account = api.serviceAccountDir(sa);
  });

  afterAll(async () => {
    for (const w of watches) await w.stop();
    await api?.stop();
    if (sa) rmSync(sa, { recursive: true, force: true });
  });

  function follow(
    conn = kubeconfigConnection(api.kubeconfig),
    node = 'gpu-node-a',
    extra: Partial<ConstructorParameters<typeof NodeLabelWatch>[0]> = {},
  ): { watch: NodeLabelWatch; seen: Array<string | undefined>; errors: string[] } {
    const seen: Array<string | undefined> = [];
    const errors: string[] = [];
    const watch = new NodeLabelWatch({
      connection: conn,
      nodeName: node,
      label: LABEL,
      minBackoffMs: 100,
      maxBackoffMs: 500,
      events: { onLabel: (v) => seen.push(v), onError: (e) => errors.push(e.message) },
      ...extra,
    });
    watches.push(watch);
    watch.start();
    return { watch, seen, errors };
  }

  test('reports the label on the first list, then each set, change and removal, and nothing else', async () => {
    const { watch, seen } = follow();
    await watch.synced;
    expect(seen).toEqual([undefined]);

    api.label('gpu-node-a', LABEL, 'sliced-4');
    await until('label set', () => seen.length === 2);
    api.label('gpu-node-a', 'unrelated', 'x'); // another label: no event for ours
    api.label('gpu-node-a', LABEL, 'whole');
    await until('label changed', () => seen.length === 3);
    api.label('gpu-node-b', LABEL, 'changed-on-b'); // another node: never seen
    api.label('gpu-node-a', LABEL, undefined);
    await until('label removed', () => seen.length === 4);
    expect(seen).toEqual([undefined, 'sliced-4', 'whole', undefined]);
    expect(watch.stats.lists).toBe(1);
  });

  test('a node that does not exist yet reads as unset, and its label is seen once it is created', async () => {
    const { watch, seen } = follow(undefined, 'gpu-node-late');
    await watch.synced;
    expect(seen).toEqual([undefined]);
    api.createNode('gpu-node-late', { [LABEL]: 'sliced-4' });
    await until('late node label', () => seen.length === 2);
    expect(seen).toEqual([undefined, 'sliced-4']);
  });

  test('in-cluster: a service account with only get/list/watch on nodes follows its node; the token is re-read from its file', async () => {
    {
      const conn = inClusterConnection(
        { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(api.port) },
        sa,
      );
      // A 1 s server-side watch timeout: each reconnect sends the token file's current content.
      const { watch, seen, errors } = follow(conn, 'gpu-node-a', { watchTimeoutSeconds: 1 });
      await watch.synced;
      api.label('gpu-node-a', LABEL, 'via-service-account');
      await until('label via service account', () => seen.includes('via-service-account'));

      // A token that is no longer valid: the next reconnect is refused (401) and retried.
      writeFileSync(join(sa, 'token'), 'not-a-valid-token');
      await until('401 after the token file changed', () => errors.some((e) => e.includes('HTTP 401')), 20000);
      // The kubelet writes the rotated token: the watch recovers without a restart.
      writeFileSync(join(sa, 'token'), account.token());
      const errorsBefore = errors.length;
      api.label('gpu-node-a', LABEL, 'after-rotation');
      await until('label after the rotated token', () => seen.includes('after-rotation'), 20000);
      expect(errors.length - errorsBefore).toBeLessThanOrEqual(2);
    }
  });

  test('the service account cannot read anything but nodes (the RBAC the manifests grant)', () => {
    const out = api.kubectl(['auth', 'can-i', '--list', '--as=system:serviceaccount:plugin:gpu-device-plugin']);
    const nodes = out.split('\n').find((l) => /^nodes\s/.test(l));
    expect(nodes).toMatch(/\[get list watch\]/);
    for (const [verb, resource] of [
      ['patch', 'nodes'],
      ['list', 'pods'],
      ['get', 'secrets'],
      ['create', 'events'],
    ]) {
      expect(api.canI('system:serviceaccount:plugin:gpu-device-plugin', verb, resource)).toBe(false);
    }
    expect(api.canI('system:serviceaccount:plugin:gpu-device-plugin', 'watch', 'nodes')).toBe(true);
  });

  test('an API server restart: the watch reconnects and sees later changes', async () => {
    const { watch, seen, errors } = follow();
    await watch.synced;
    await until('watching', () => watch.stats.watches === 1);
    await api.stopApiServer();
    await until('a connection error while the API server is down', () => errors.length > 0, 20000);
    await api.startApiServer();
    api.label('gpu-node-a', LABEL, 'after-restart');
    await until('label after the restart', () => seen.at(-1) === 'after-restart', 30000);
    expect(watch.stats.watches).toBeGreaterThanOrEqual(2);
  });

  test('changes made while the watch was away: its resourceVersion expired (410 Gone), it lists again and misses nothing', async () => {
    const { watch, seen, errors } = follow();
    await watch.synced;
    await until('watching', () => watch.stats.watches === 1);
    const port = api.port;
    await api.stopApiServer();
    await until('a connection error while the API server is away', () => errors.length > 0, 20000);
    // The same etcd served on another port: the watch cannot see these changes as they happen.
    await api.startApiServer(await freePort());
    api.label('gpu-node-a', LABEL, 'while-away-1');
    api.label('gpu-node-a', LABEL, 'while-away-2');
    await api.stopApiServer();
    // Back on its port with a new watch cache that starts after those changes.
    await api.startApiServer(port);
    await until('the label changed while away', () => seen.at(-1) === 'while-away-2', 30000);
    expect(watch.stats.gone).toBeGreaterThanOrEqual(1);
    expect(watch.stats.lists).toBeGreaterThanOrEqual(2);
    expect(seen).not.toContain('while-away-1'); // a relist sees the state, not the history
  });
});
