import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { NvmlDeviceSource, NvmlInitError } from '../../../plugin/src/devices/nvml-device-source';
import { Nvml, NvmlReturn } from '../../../plugin/src/devices/nvml';
import { defaultSpec, gpuUuid, injectXid, useFakeNvml, type FakeNvmlSpec } from '../helpers/fake-nvml';

let dirs: string[] = [];
let sources: Array<{ source: NvmlDeviceSource; eventsPath: string }> = [];

/** A source on the fake library for `spec`; closed after each test so the next init re-reads. */
function sourceFor(spec: FakeNvmlSpec, extra: { eventWaitMs?: number } = {}) {
  const fake = useFakeNvml(spec);
  dirs.push(fake.dir);
  const source = new NvmlDeviceSource({
    libraryPath: fake.libraryPath,
    driverRoot: '/',
    sysfsRoot: fake.sysfsRoot,
    ...extra,
  });
  sources.push({ source, eventsPath: fake.eventsPath });
  return { source, fake };
}

afterEach(async () => {
  for (const { source, eventsPath } of sources) {
    source.close();
    // An event ends the fake's wait at once, so no worker thread stays blocked after the test.
    injectXid(eventsPath, '*', 31);
    await source.closed();
  }
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  sources = [];
  dirs = [];
  jest.restoreAllMocks();
});

describe('NvmlDeviceSource.discover', () => {
  test('reads every GPU of an 8-GPU node with NVML’s values', () => {
    const { source } = sourceFor(defaultSpec(8));
    const inv = source.discover();
    expect(inv.gpus).toHaveLength(8);
    expect(inv.driverVersion).toBe('550.54.15');
    expect(inv.cudaDriverVersion).toBe(12040);
    expect(inv.gpus[5]).toEqual({
      index: 5,
      uuid: gpuUuid(5),
      name: 'NVIDIA A100-SXM4-80GB',
      memoryMiB: 81920,
      minor: 5,
      pciBusId: '00000000:8B:00.0',
      numaNode: 1,
      computeCapability: { major: 8, minor: 0 },
      migCapable: true,
      migEnabled: false,
      migDevices: [],
    });
  });

  test('reports a node without GPUs as an empty inventory', () => {
    const { source } = sourceFor({ gpus: [] });
    const inv = source.discover();
    expect(inv.gpus).toEqual([]);
    expect(inv.topology).toEqual({ nvlinks: [], pcie: [] });
  });

  test('throws NvmlInitError with NVML’s code and the failOnInitError hint when init fails', () => {
    const { source } = sourceFor({ ...defaultSpec(1), initResult: NvmlReturn.DRIVER_NOT_LOADED });
    let error: unknown;
    try {
      source.discover();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NvmlInitError);
    expect((error as NvmlInitError).code).toBe(NvmlReturn.DRIVER_NOT_LOADED);
    expect((error as Error).message).toMatch(/Driver Not Loaded.*failOnInitError=false/s);
  });

  test('throws NvmlInitError naming the path and the flags when the library cannot be loaded', () => {
    const source = new NvmlDeviceSource({ libraryPath: '/nonexistent/libnvidia-ml.so.1', driverRoot: '/' });
    expect(() => source.discover()).toThrow(NvmlInitError);
    expect(() => source.discover()).toThrow(/\/nonexistent\/libnvidia-ml\.so\.1.*--nvml-library-path/s);
  });

  test('finds a bare library name under the driver root', () => {
    const { fake } = sourceFor(defaultSpec(1));
    const libDir = `${fake.dir}/root/usr/lib64`;
    mkdirSync(libDir, { recursive: true });
    symlinkSync(fake.libraryPath, `${libDir}/libnvidia-ml.so.1`);
    const source = new NvmlDeviceSource({ libraryPath: 'libnvidia-ml.so.1', driverRoot: `${fake.dir}/root` });
    sources.push({ source, eventsPath: fake.eventsPath });
    expect(source.discover().gpus).toHaveLength(1);
  });

  test('re-reads the devices on a second discover after close', () => {
    const { source } = sourceFor(defaultSpec(2));
    expect(source.discover().gpus).toHaveLength(2);
    source.close();
    useFakeNvml(defaultSpec(3));
    expect(source.discover().gpus).toHaveLength(3);
  });
});

describe('NvmlDeviceSource.watchHealth', () => {
  test('refuses to watch before discover', async () => {
    const { source } = sourceFor(defaultSpec(1));
    const inv = { driverVersion: '', cudaDriverVersion: 0, gpus: [], topology: { nvlinks: [], pcie: [] } };
    await expect(source.watchHealth(inv, new AbortController().signal, () => undefined)).rejects.toThrow(
      /before discover/,
    );
  });

  test('returns at once when the signal is already aborted', async () => {
    const { source } = sourceFor(defaultSpec(1));
    const inv = source.discover();
    const ac = new AbortController();
    ac.abort();
    await expect(source.watchHealth(inv, ac.signal, () => undefined)).resolves.toBeUndefined();
  });

  test('stops at once while a 10 s event wait is in flight, not after it', async () => {
    const { source } = sourceFor(defaultSpec(2), { eventWaitMs: 10000 });
    const inv = source.discover();
    const ac = new AbortController();
    const watching = source.watchHealth(inv, ac.signal, () => undefined);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    ac.abort();
    source.close();
    await watching;
    // Generous for a loaded machine; waiting out the wait would take 10 s.
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  test('delivers an XID injected into the running library to the callback within 50 ms', async () => {
    const { source, fake } = sourceFor(defaultSpec(8));
    const inv = source.discover();
    const ac = new AbortController();
    const seen: Array<{ uuid: string; xid?: number; at: number }> = [];
    const watching = source.watchHealth(inv, ac.signal, (e) => seen.push({ uuid: e.uuid, xid: e.xid, at: Date.now() }));
    await new Promise((r) => setTimeout(r, 20));
    const injectedAt = Date.now();
    injectXid(fake.eventsPath, gpuUuid(6), 94);
    await waitFor(() => seen.length > 0);
    ac.abort();
    await watching;
    expect(seen.map(({ uuid, xid }) => [uuid, xid])).toEqual([[gpuUuid(6), 94]]);
    expect(seen[0].at - injectedAt).toBeLessThan(50);
  });

  test('close during a wait shuts NVML down only once that wait has returned', async () => {
    const { source, fake } = sourceFor(defaultSpec(1), { eventWaitMs: 10000 });
    const shutdown = jest.spyOn(Nvml.prototype, 'shutdown');
    const inv = source.discover();
    const ac = new AbortController();
    const watching = source.watchHealth(inv, ac.signal, () => undefined);
    await new Promise((r) => setTimeout(r, 30));
    ac.abort();
    source.close();
    await watching;
    expect(shutdown).not.toHaveBeenCalled();
    injectXid(fake.eventsPath, gpuUuid(0), 48); // ends the fake's wait
    await source.closed();
    expect(shutdown).toHaveBeenCalledTimes(1);
  });

  test('a watch started again on the same devices keeps the event set and gets the XIDs that came in between', async () => {
    const { source, fake } = sourceFor(defaultSpec(4), { eventWaitMs: 10000 });
    const created = jest.spyOn(Nvml.prototype, 'eventSetCreate');
    const inv = source.discover();
    const first: string[] = [];
    const ac1 = new AbortController();
    const watching1 = source.watchHealth(inv, ac1.signal, (e) => first.push(`${e.uuid} ${e.xid}`));
    await new Promise((r) => setTimeout(r, 20));
    ac1.abort();
    await watching1;
    // A reload: the old watch stopped, the new one not started yet.
    injectXid(fake.eventsPath, gpuUuid(1), 48);
    await new Promise((r) => setTimeout(r, 50));
    const second: string[] = [];
    const ac2 = new AbortController();
    const watching2 = source.watchHealth(source.discover(), ac2.signal, (e) => second.push(`${e.uuid} ${e.xid}`));
    await waitFor(() => second.length === 1);
    injectXid(fake.eventsPath, gpuUuid(2), 94);
    await waitFor(() => second.length === 2);
    ac2.abort();
    await watching2;
    expect(first).toEqual([]);
    expect(second).toEqual([`${gpuUuid(1)} 48`, `${gpuUuid(2)} 94`]);
    expect(created).toHaveBeenCalledTimes(1);
  });

  test('a watch on other devices gets a new event set and the old set’s undelivered XIDs; the old set is freed once its wait returns', async () => {
    const { source, fake } = sourceFor(defaultSpec(4), { eventWaitMs: 10000 });
    const created = jest.spyOn(Nvml.prototype, 'eventSetCreate');
    const freed = jest.spyOn(Nvml.prototype, 'eventSetFree');
    const inv = source.discover();
    const ac1 = new AbortController();
    const watching1 = source.watchHealth(inv, ac1.signal, () => undefined);
    await new Promise((r) => setTimeout(r, 20));
    ac1.abort();
    await watching1;
    // Seen by the old set while nobody listened: handed to the new watch's listener.
    injectXid(fake.eventsPath, gpuUuid(3), 48);
    await new Promise((r) => setTimeout(r, 50));
    const fewer = { ...inv, gpus: inv.gpus.slice(0, 2) };
    const seen: string[] = [];
    const ac2 = new AbortController();
    const watching2 = source.watchHealth(fewer, ac2.signal, (e) => seen.push(e.uuid));
    expect(created).toHaveBeenCalledTimes(2);
    injectXid(fake.eventsPath, gpuUuid(1), 48); // ends the old set's wait too
    await waitFor(() => seen.length === 2 && freed.mock.calls.length === 1);
    expect(seen).toEqual([gpuUuid(3), gpuUuid(1)]);
    ac2.abort();
    await watching2;
    source.close();
    injectXid(fake.eventsPath, gpuUuid(0), 48);
    await source.closed();
    expect(freed).toHaveBeenCalledTimes(2);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
