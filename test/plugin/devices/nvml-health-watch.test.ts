import { rmSync } from 'node:fs';
import { discoverInventory } from '../../../plugin/src/devices/nvml-discovery';
import { XidWatch } from '../../../plugin/src/devices/nvml-health-watch';
import { Nvml } from '../../../plugin/src/devices/nvml';
import type { HealthEvent } from '../../../plugin/src/devices/types';
import {
  a100MigSpec,
  defaultSpec,
  gpuUuid,
  injectXid,
  migUuid,
  useFakeNvml,
  type FakeNvmlSpec,
} from '../helpers/fake-nvml';

interface Running {
  events: Array<HealthEvent & { at: number }>;
  eventsPath: string;
  stop: () => Promise<void>;
}

let running: Running | undefined;
let dirs: string[] = [];

afterEach(async () => {
  await running?.stop();
  running = undefined;
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  dirs = [];
});

/** Starts a watch on the fake library for `spec`; `stop` retires it, waits for its loop to end and shuts NVML down. */
function watch(spec: FakeNvmlSpec, waitMs = 100, beforeStart: (eventsPath: string) => void = () => undefined): Running {
  const fake = useFakeNvml(spec);
  dirs.push(fake.dir);
  beforeStart(fake.eventsPath);
  const nvml = Nvml.load(fake.libraryPath);
  nvml.init();
  const inv = discoverInventory(nvml, { sysfsRoot: fake.sysfsRoot, procRoot: fake.dir, warn: () => undefined });
  const events: Running['events'] = [];
  const w = new XidWatch(nvml, inv, (e) => events.push({ ...e, at: Date.now() }), {
    waitMs,
    errorBackoffMs: 1000,
    info: () => undefined,
    warn: () => undefined,
  });
  running = {
    events,
    eventsPath: fake.eventsPath,
    stop: async () => {
      w.retire();
      await w.ended;
      nvml.shutdown();
    },
  };
  return running;
}

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 1));
  }
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('reports an XID injected into the running library within 50 ms', async () => {
  const w = watch(defaultSpec(8));
  await settle(20);
  const injectedAt = Date.now();
  injectXid(w.eventsPath, gpuUuid(3), 79);
  await waitFor(() => w.events.length > 0);
  expect(w.events[0]).toMatchObject({
    uuid: gpuUuid(3),
    healthy: false,
    xid: 79,
    reason: 'XID 79 (GPU has fallen off the bus)',
  });
  expect(w.events[0].at - injectedAt).toBeLessThan(50);
});

test('keeps the event loop running while it waits for NVML', async () => {
  watch(defaultSpec(1), 500);
  await settle(20);
  const ticks: number[] = [];
  const timer = setInterval(() => ticks.push(Date.now()), 5);
  await settle(200);
  clearInterval(timer);
  expect(ticks.length).toBeGreaterThan(15);
});

test('reports an XID with GPU and compute instance ids for that MIG device only', async () => {
  const w = watch(a100MigSpec());
  await settle(20);
  injectXid(w.eventsPath, migUuid(0, 2), 43);
  await waitFor(() => w.events.length >= 1);
  await settle(30);
  expect(w.events.map((e) => e.uuid)).toEqual([migUuid(0, 2)]);
});

test('reports an XID without instance ids on a MIG-enabled GPU for the GPU, which stands for all on it', async () => {
  const w = watch(a100MigSpec());
  await settle(20);
  injectXid(w.eventsPath, gpuUuid(0), 48);
  await waitFor(() => w.events.length >= 1);
  await settle(30);
  expect(w.events.map((e) => e.uuid)).toEqual([gpuUuid(0)]);
});

test('reports an event NVML cannot attribute as one for every device (*)', async () => {
  const w = watch(defaultSpec(2));
  await settle(20);
  injectXid(w.eventsPath, '*', 31);
  await waitFor(() => w.events.length > 0);
  expect(w.events[0]).toMatchObject({ uuid: '*', xid: 31 });
});

test('ignores ECC events that are not XIDs', async () => {
  const w = watch(defaultSpec(2));
  await settle(20);
  injectXid(w.eventsPath, gpuUuid(0), 0, 0x2);
  injectXid(w.eventsPath, gpuUuid(1), 94);
  await waitFor(() => w.events.length > 0);
  await settle(30);
  expect(w.events.map((e) => [e.uuid, e.xid])).toEqual([[gpuUuid(1), 94]]);
});

test('passes every XID on, skip lists being the health monitor’s job', async () => {
  const w = watch(defaultSpec(1));
  await settle(20);
  for (const xid of [13, 31, 43, 45, 68, 109]) injectXid(w.eventsPath, gpuUuid(0), xid);
  await waitFor(() => w.events.length >= 6);
  expect(w.events.map((e) => e.xid)).toEqual([13, 31, 43, 45, 68, 109]);
});

test('does not replay events written before the watch started', async () => {
  const w = watch(defaultSpec(1), 100, (eventsPath) => injectXid(eventsPath, gpuUuid(0), 79));
  await settle(20);
  injectXid(w.eventsPath, gpuUuid(0), 94);
  await waitFor(() => w.events.length > 0);
  await settle(30);
  expect(w.events.map((e) => e.xid)).toEqual([94]);
});
