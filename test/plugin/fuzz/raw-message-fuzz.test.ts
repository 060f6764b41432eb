/**
 * Bytes that are not what the kubelet would send, against the running plugin: random
 * blobs as the whole message of every unary method, valid messages with bytes flipped,
 * cut or spliced in, and PreStartContainer with any ID list. Whatever still decodes is
 * judged by what it decodes to; the rest must get grpc-js's deserialization status.
 */
import fc from 'fast-check';
import * as grpc from '@grpc/grpc-js';
import type {
  AllocateRequest,
  DevicePluginOptions,
  PreferredAllocationRequest,
} from '../../../plugin/src/kubelet/api-types';
import { defaultSpec } from '../helpers/fake-nvml';
import {
  type Answer,
  decodable,
  decodeRequest,
  decodeResponse,
  expectStillServing,
  fuzzBatches,
  fuzzSuite,
  type Method,
} from './fuzz-node';
import { idList, manyIds } from './id-arbitraries';
import { checkAllocateAnswer, checkPreferredAnswer, expectedVisible } from './oracles';
import { allocateContainers, preferredContainers } from './request-arbitraries';
import { encodeAllocate, encodePreferred, encodePreStart } from './wire';

jest.setTimeout(120000);

const METHODS: readonly Method[] = [
  'Allocate',
  'GetPreferredAllocation',
  'PreStartContainer',
  'GetDevicePluginOptions',
];
const suite = fuzzSuite('raw message fuzz', defaultSpec(8), 'nvidia.com/gpu');

/** Judges an answer by what the plugin's own decoder makes of the bytes. */
function checkByContent(method: Method, bytes: Buffer, answer: Answer): void {
  if (!decodable(method, bytes)) return; // expectProperAnswer already required the deserialization status
  switch (method) {
    case 'Allocate': {
      const req = decodeRequest(method, bytes) as AllocateRequest;
      checkAllocateAnswer(
        expectedVisible(
          suite.advertised,
          req.container_requests.map((c) => ({ ids: c.devices_ids })),
        ),
        answer,
      );
      return;
    }
    case 'GetPreferredAllocation': {
      const req = decodeRequest(method, bytes) as PreferredAllocationRequest;
      const containers = req.container_requests.map((c) => ({
        available: c.available_deviceIDs,
        mustInclude: c.must_include_deviceIDs,
        size: c.allocation_size,
      }));
      checkPreferredAnswer(suite.advertised, containers, answer);
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

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'set'; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.constantFrom(0x00, 0x08, 0x0a, 0x12, 0x18, 0x7f, 0x80, 0xff),
  }),
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
      bytes: fc
        .oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 64, maxLength: 4096 }))
        .map((b) => Buffer.from(b)),
    });
    await fuzzBatches(suite, 'random blobs', { of: blob, numRuns: 100 }, (req, answer) =>
      checkByContent(req.method, req.bytes, answer),
    );
  });

  it('answers valid messages with bytes flipped, cut or spliced in by what they decode to', async () => {
    const base = fc.oneof(
      allocateContainers(suite.ids).map((c) => ({ method: 'Allocate' as const, bytes: encodeAllocate(c) })),
      preferredContainers(suite.ids).map((c) => ({
        method: 'GetPreferredAllocation' as const,
        bytes: encodePreferred(c),
      })),
      idList(suite.ids, { allowEmpty: true }).map((l) => ({
        method: 'PreStartContainer' as const,
        bytes: encodePreStart(l),
      })),
    );
    const mutated = fc
      .tuple(base, fc.array(mutation, { minLength: 1, maxLength: 4 }))
      .map(([m, muts]) => ({ method: m.method, bytes: mutate(m.bytes, muts) }));
    let undecodable = 0;
    let sent = 0;
    await fuzzBatches(suite, 'mutated messages', { of: mutated, numRuns: 80 }, (req, answer) => {
      checkByContent(req.method, req.bytes, answer);
      if (!decodable(req.method, req.bytes)) undecodable++;
      sent++;
    });
    // Both branches must be reached: messages that still decode and ones that do not.
    expect(undecodable).toBeGreaterThan(sent / 20);
    expect(undecodable).toBeLessThan(sent - sent / 20);
  });

  it('acknowledges PreStartContainer for any device list, huge and invalid UTF-8 ones included', async () => {
    const { ids } = suite;
    const list = fc.oneof(
      { arbitrary: idList(ids, { allowEmpty: true }), weight: 6 },
      { arbitrary: fc.array(ids.wrong, { maxLength: 20 }), weight: 3 },
      { arbitrary: manyIds(ids.ids, 1000, 20_000), weight: 1 },
    );
    const request = list.map((l) => ({ method: 'PreStartContainer' as const, bytes: encodePreStart(l) }));
    await fuzzBatches(suite, 'PreStartContainer', { of: request, numRuns: 20 }, (req, answer) =>
      checkByContent(req.method, req.bytes, answer),
    );
  });

  it('still answers a valid Allocate, keeps ListAndWatch open and stays registered', async () => {
    await expectStillServing(suite.fuzz, [suite.fuzz.ids[7]], 1);
  });
});
