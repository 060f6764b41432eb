/**
 * Bytes that are not what the kubelet would send, against the running plugin: random
 * blobs as the whole message of every unary method, valid messages with bytes flipped,
 * cut or spliced in, and PreStartContainer with any ID list. Whatever still decodes is
 * judged by what it decodes to; the rest must get grpc-js's deserialization status.
 */
import fc from 'fast-check';
import * as grpc from '@grpc/grpc-js';
import type { AllocateRequest, DevicePluginOptions, PreferredAllocationRequest } from '../../../plugin/src/kubelet/api-types';
import { defaultSpec } from '../helpers/fake-nvml';
import { type Answer, CaseCounter, decodable, decodeRequest, decodeResponse, expectStillServing, type FuzzNode, type Method, runs, sendAll, startFuzzNode } from './fuzz-node';
import { idArbitraries, idList, manyIds, type IdArbitraries } from './id-arbitraries';
import { checkAllocateAnswer, checkPreferredAnswer, expectedVisible } from './oracles';
import { allocateContainers, preferredContainers } from './request-arbitraries';
import { encodeAllocate, encodePreferred, encodePreStart } from './wire';

jest.setTimeout(120000);

const GPU = 'nvidia.com/gpu';
const BATCH = 25;
const METHODS: readonly Method[] = ['Allocate', 'GetPreferredAllocation', 'PreStartContainer', 'GetDevicePluginOptions'];
const counter = new CaseCounter();
let fuzz: FuzzNode;
let advertised: Set<string>;
let ids: IdArbitraries;

beforeAll(async () => {
  fuzz = await startFuzzNode(defaultSpec(8), GPU);
  advertised = new Set(fuzz.ids);
  ids = idArbitraries(fuzz.ids);
});

afterAll(async () => {
  console.log(counter.summary('raw message fuzz'));
  await fuzz?.stop();
});

/** Judges an answer by what the plugin's own decoder makes of the bytes. */
function checkByContent(method: Method, bytes: Buffer, answer: Answer): void {
  if (!decodable(method, bytes)) return; // expectProperAnswer already required the deserialization status
  switch (method) {
    case 'Allocate': {
      const req = decodeRequest(method, bytes) as AllocateRequest;
      checkAllocateAnswer(expectedVisible(advertised, req.container_requests.map((c) => ({ ids: c.devices_ids }))), answer);
      return;
    }
    case 'GetPreferredAllocation': {
      const req = decodeRequest(method, bytes) as PreferredAllocationRequest;
      const containers = req.container_requests.map((c) => ({
        available: c.available_deviceIDs,
        mustInclude: c.must_include_deviceIDs,
        size: c.allocation_size,
      }));
      checkPreferredAnswer(advertised, containers, answer);
      return;
    }
    case 'PreStartContainer':
      // pre_start_required is false; like NVIDIA's plugin it acknowledges any device list.
      expect(answer.code).toBe(grpc.status.OK);
      return;
    default: {
      expect(answer.code).toBe(grpc.status.OK);
      const options = decodeResponse<DevicePluginOptions>(method, (answer as { response: Buffer }).response);
      expect(options).toEqual({ pre_start_required: false, get_preferred_allocation_available: true });
    }
  }
}

type Mutation = { kind: 'flip'; at: number; bit: number } | { kind: 'cut'; at: number } | { kind: 'insert'; at: number; bytes: Uint8Array } | { kind: 'set'; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0x08, 0x0a, 0x12, 0x18, 0x7f, 0x80, 0xff) }),
);

function mutate(message: Buffer, mutations: readonly Mutation[]): Buffer {
  let b = Buffer.from(message);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === 'flip' && b.length > 0) b[at] ^= 1 << m.bit;
    if (m.kind === 'set' && b.length > 0) b[at] = m.value;
    if (m.kind === 'cut') b = b.subarray(0, at);
    if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
  }
  return b;
}

describe('plugin process under raw and mutated messages', () => {
  it('answers random byte blobs to every unary method with a proper status or answer', async () => {
    const blob = fc.record({
      method: fc.constantFrom(...METHODS),
      bytes: fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 64, maxLength: 4096 })).map((b) => Buffer.from(b)),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(blob, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        await sendAll(fuzz, batch, (req, answer) => checkByContent(req.method, req.bytes, answer));
        counter.add('random blobs', batch.length);
      }),
      runs(100),
    );
  });

  it('answers valid messages with bytes flipped, cut or spliced in by what they decode to', async () => {
    const base = fc.oneof(
      allocateContainers(ids).map((c) => ({ method: 'Allocate' as const, bytes: encodeAllocate(c) })),
      preferredContainers(ids).map((c) => ({ method: 'GetPreferredAllocation' as const, bytes: encodePreferred(c) })),
      idList(ids, { allowEmpty: true }).map((l) => ({ method: 'PreStartContainer' as const, bytes: encodePreStart(l) })),
    );
    const mutated = fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([m, muts]) => ({ method: m.method, bytes: mutate(m.bytes, muts) }));
    let undecodable = 0;
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutated, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        await sendAll(fuzz, batch, (req, answer) => checkByContent(req.method, req.bytes, answer));
        undecodable += batch.filter((r) => !decodable(r.method, r.bytes)).length;
        sent += batch.length;
        counter.add('mutated messages', batch.length);
      }),
      runs(80),
    );
    // Both branches must be reached: messages that still decode and ones that do not.
    expect(undecodable).toBeGreaterThan(sent / 20);
    expect(undecodable).toBeLessThan(sent - sent / 20);
  });

  it('acknowledges PreStartContainer for any device list, huge and invalid UTF-8 ones included', async () => {
    const list = fc.oneof(
      { arbitrary: idList(ids, { allowEmpty: true }), weight: 6 },
      { arbitrary: fc.array(ids.wrong, { maxLength: 20 }), weight: 3 },
      { arbitrary: manyIds(ids.ids, 1000, 20_000), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(list, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const sent = batch.map((l) => ({ method: 'PreStartContainer' as const, bytes: encodePreStart(l) }));
        await sendAll(fuzz, sent, (req, answer) => checkByContent(req.method, req.bytes, answer));
        counter.add('PreStartContainer', batch.length);
      }),
      runs(20),
    );
  });

  it('still answers a valid Allocate, keeps ListAndWatch open and stays registered', async () => {
    await expectStillServing(fuzz, [fuzz.ids[7]], 1);
  });
});
