import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeletWatcher, type WatchEvent } from '../../../plugin/src/kubelet/kubelet-watcher';
import { silentLogger } from '../helpers/kubelet-stub';

let dir: string;
let kubeletServer: net.Server | undefined;
let watcher: KubeletWatcher;
let events: WatchEvent[];

const kubeletSock = (): string => path.join(dir, 'kubelet.sock');

/** A real unix socket, like the kubelet's. */
async function createKubeletSocket(): Promise<void> {
  kubeletServer = net.createServer();
  await new Promise<void>((resolve) => kubeletServer!.listen(kubeletSock(), resolve));
}

/** The kubelet going away: Node unlinks the socket when the server closes. */
async function removeKubeletSocket(): Promise<void> {
  await new Promise<void>((resolve) => kubeletServer!.close(() => resolve()));
  kubeletServer = undefined;
}

function startWatcher(pollMs = 60000): void {
  events = [];
  watcher = new KubeletWatcher({
    devicePluginPath: dir,
    kubeletSocket: kubeletSock(),
    logger: silentLogger(),
    debounceMs: 50,
    pollMs,
    onChange: (e) => events.push(e),
  });
  watcher.start();
}

async function until(predicate: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const restarts = (): number => events.filter((e) => e.kubeletRestarted).length;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kw-'));
  await createKubeletSocket();
});

afterEach(async () => {
  watcher.stop();
  if (kubeletServer) await removeKubeletSocket();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('KubeletWatcher', () => {
  it('does not treat the kubelet.sock present at start as a restart', async () => {
    startWatcher();
    fs.writeFileSync(path.join(dir, 'unrelated'), 'x');
    await until(() => events.length > 0, 'an event for the unrelated file');
    expect(restarts()).toBe(0);
  });

  it('reports a restart when kubelet.sock is re-created', async () => {
    startWatcher();
    await removeKubeletSocket();
    await createKubeletSocket();
    await until(() => restarts() === 1, 'a restart event');
    expect(events.at(-1)).toEqual({ kubeletRestarted: true, kubeletPresent: true });
  });

  it('reports one restart for a burst of deletions and a re-creation (debounced)', async () => {
    startWatcher();
    for (const name of ['a.sock', 'b.sock', 'c.sock']) fs.writeFileSync(path.join(dir, name), '');
    await until(() => events.length > 0, 'the creation events');
    events = [];
    for (const name of ['a.sock', 'b.sock', 'c.sock']) fs.unlinkSync(path.join(dir, name));
    await removeKubeletSocket();
    await createKubeletSocket();
    await until(() => restarts() === 1, 'a restart event');
    await new Promise((r) => setTimeout(r, 200));
    expect(events).toHaveLength(1);
  });

  it('acts on kubelet.sock appearing after the short debounce, while other events wait for the long one', async () => {
    events = [];
    watcher = new KubeletWatcher({
      devicePluginPath: dir,
      kubeletSocket: kubeletSock(),
      logger: silentLogger(),
      debounceMs: 2000,
      pollMs: 60000,
      onChange: (e) => events.push(e),
    });
    watcher.start();
    fs.writeFileSync(path.join(dir, 'unrelated'), 'x');
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toEqual([]);
    await removeKubeletSocket();
    await createKubeletSocket();
    // Well before the 2 s debounce: kubelet.sock is created last in a kubelet restart.
    await until(() => restarts() === 1, 'a restart event within 1 s', 1000);
    expect(events).toEqual([{ kubeletRestarted: true, kubeletPresent: true }]);
  });

  it('reports the kubelet absent while kubelet.sock is gone', async () => {
    startWatcher();
    await removeKubeletSocket();
    await until(() => events.length > 0, 'an event');
    expect(events.at(-1)).toEqual({ kubeletRestarted: false, kubeletPresent: false });
  });

  it('calls back when another socket in the directory is deleted', async () => {
    const own = path.join(dir, 'nvidia-gpu.sock');
    fs.writeFileSync(own, '');
    startWatcher();
    fs.unlinkSync(own);
    await until(() => events.length > 0, 'an event for the deleted socket');
    expect(events[0].kubeletRestarted).toBe(false);
  });

  it('polls while a directory cannot be watched, and notices the kubelet once it is there', async () => {
    // kubelet.sock in a directory that does not exist yet: nothing to watch there.
    const later = path.join(dir, 'later');
    events = [];
    watcher = new KubeletWatcher({
      devicePluginPath: dir,
      kubeletSocket: path.join(later, 'kubelet.sock'),
      logger: silentLogger(),
      debounceMs: 50,
      pollMs: 100,
      onChange: (e) => events.push(e),
    });
    watcher.start();
    fs.mkdirSync(later);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(later, 'kubelet.sock'), resolve));
    try {
      await until(() => restarts() === 1, 'a restart seen by polling');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('does not poll while inotify watches every directory', async () => {
    // Every poll calls back (a check of the state); with the watch working there is none.
    startWatcher(50);
    await new Promise((r) => setTimeout(r, 400));
    expect(events).toEqual([]);
  });

  it('watches a re-created device-plugins directory again', async () => {
    startWatcher(60000);
    await removeKubeletSocket();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    await createKubeletSocket();
    await until(() => restarts() === 1, 'the restart that re-created the directory');
    // Only a watch on the new directory can see this one (the poll is a minute away).
    await removeKubeletSocket();
    await createKubeletSocket();
    await until(() => restarts() === 2, 'a restart in the re-created directory');
  });

  it('stops calling back once stopped', async () => {
    startWatcher(50);
    watcher.stop();
    await removeKubeletSocket();
    await createKubeletSocket();
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toEqual([]);
  });
});
