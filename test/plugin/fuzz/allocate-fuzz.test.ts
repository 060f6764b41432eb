/**
 * Random and malformed Allocate requests against the running plugin (8 whole GPUs): every
 * valid request gets exactly its devices, every invalid one INVALID_ARGUMENT with a
 * message, oversized ones RESOURCE_EXHAUSTED, and the process keeps serving the kubelet.
 */
import fc from 'fast-check';
import { defaultSpec } from '../helpers/fake-nvml';
import { expectStillServing, fuzzBatches, fuzzSuite, MAX_REQUEST_BYTES } from './fuzz-node';
import { longId, manyIds } from './id-arbitraries';
import { checkAllocateAnswer, expectedVisible } from './oracles';
import { allocateRequest } from './request-arbitraries';
import { encodeAllocate, type WireString } from './wire';

jest.setTimeout(120000);

const GPU = 'nvidia.com/gpu';
const suite = fuzzSuite('Allocate fuzz', defaultSpec(8), GPU);

describe('plugin process under fuzzed Allocate requests', () => {
  it('answers each random request with exactly its devices, or INVALID_ARGUMENT', async () => {
    await fuzzBatches(suite, 'random', { of: allocateRequest(suite.ids), numRuns: 120 }, (req, answer) =>
      checkAllocateAnswer(expectedVisible(suite.advertised, req.containers), answer),
    );
  });

  it('answers huge requests (long IDs, thousands of IDs, over 4 MiB) with a status or the devices', async () => {
    const { fuzz, ids, advertised } = suite;
    const huge = fc
      .oneof(
        fc.array(longId(50_000, 1_100_000), { minLength: 1, maxLength: 4 }),
        manyIds(fuzz.ids, 1000, 110_000),
        fc.tuple(manyIds(fuzz.ids, 1000, 20_000), ids.wrong, fc.nat()).map(([list, wrong, at]) => {
          const copy: WireString[] = [...list];
          copy.splice(at % (copy.length + 1), 0, wrong);
          return copy;
        }),
      )
      .map((list) => {
        const containers = [{ ids: list }];
        return { method: 'Allocate' as const, bytes: encodeAllocate(containers), containers };
      });
    let oversized = 0;
    await fuzzBatches(suite, 'huge', { of: huge, numRuns: 12, batch: 4 }, (req, answer) => {
      if (req.bytes.length <= MAX_REQUEST_BYTES)
        checkAllocateAnswer(expectedVisible(advertised, req.containers), answer);
      else oversized++;
    });
    // The generators must really reach past grpc's limit, or RESOURCE_EXHAUSTED went untested.
    expect(oversized).toBeGreaterThan(0);
  });

  // Found by this fuzz: the status message quoted each unknown ID in full. A megabyte-long
  // ID overflowed the HTTP/2 trailer, the connection died (the kubelet's ListAndWatch
  // with it) and the caller never got an answer; a message cut inside an astral character
  // made grpc-js's encodeURI throw, and the caller got UNKNOWN "Unknown error".
  it.each([
    ['a megabyte-long unknown ID', ['x'.repeat(1_000_000)], /unknown device IDs: x{80}… \(1000000 characters\)/],
    [
      'thirty long IDs of astral characters',
      Array.from({ length: 30 }, (_, i) => '\u{1F600}'.repeat(20_000) + i),
      /unknown device IDs: \u{1F600}{40}/u,
    ],
  ])('answers %s with INVALID_ARGUMENT and a short message naming it', async (_name, list, message) => {
    const answer = await suite.fuzz.call('Allocate', encodeAllocate([{ ids: list }]));
    expect(answer).toMatchObject({ code: 3, details: expect.stringMatching(message) });
    expect((answer as { details: string }).details.length).toBeLessThanOrEqual(1024);
    expect(suite.fuzz.node.stub.resources.get(GPU)?.streamEnded).toBe(false);
    suite.counter.add('regressions', 1);
  });

  it('still answers a valid Allocate, keeps ListAndWatch open and stays registered', async () => {
    await expectStillServing(suite.fuzz, [suite.fuzz.ids[2], suite.fuzz.ids[5]], 1);
  });
});
