/**
 * Fuzzed Allocate and GetPreferredAllocation requests against a time-sliced resource
 * (4 GPUs × 8 replicas, IDs `<uuid>::<n>`): the replica code paths (suffix stripping,
 * NVIDIA's distributed pick) get the same random and malformed input as whole GPUs.
 */
import fc from 'fast-check';
import { defaultSpec } from '../helpers/fake-nvml';
import { CaseCounter, expectStillServing, type FuzzNode, runs, sendAll, startFuzzNode } from './fuzz-node';
import { idArbitraries, type IdArbitraries } from './id-arbitraries';
import { checkAllocateAnswer, checkPreferredAnswer, expectedVisible } from './oracles';
import { allocateContainers, preferredContainers, unknownFields } from './request-arbitraries';
import { encodeAllocate, encodePreferred } from './wire';

jest.setTimeout(120000);

const SHARED = 'nvidia.com/gpu.shared';
const CONFIG = `version: v1
sharing:
  timeSlicing:
    renameByDefault: true
    resources:
      - name: nvidia.com/gpu
        replicas: 8
`;
const BATCH = 25;
const counter = new CaseCounter();
let fuzz: FuzzNode;
let advertised: Set<string>;
let ids: IdArbitraries;

beforeAll(async () => {
  fuzz = await startFuzzNode(defaultSpec(4), SHARED, CONFIG);
  advertised = new Set(fuzz.ids);
  ids = idArbitraries(fuzz.ids);
});

afterAll(async () => {
  console.log(counter.summary('time-sliced replicas fuzz'));
  await fuzz?.stop();
});

describe('plugin process under fuzzed requests for time-sliced replicas', () => {
  it('advertises replica IDs, so the fuzz below reaches the replica code', () => {
    expect(fuzz.ids).toHaveLength(32);
    expect(fuzz.ids.every((id) => /^GPU-[0-9a-f-]+::[0-7]$/.test(id))).toBe(true);
  });

  it('answers random Allocate requests with each physical GPU once, or INVALID_ARGUMENT', async () => {
    const request = fc.record({ containers: allocateContainers(ids), extras: unknownFields });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const sent = batch.map((r) => ({ method: 'Allocate' as const, bytes: encodeAllocate(r.containers, r.extras), containers: r.containers }));
        await sendAll(fuzz, sent, (req, answer) => checkAllocateAnswer(expectedVisible(advertised, req.containers), answer));
        counter.add('Allocate', batch.length);
      }),
      runs(40),
    );
  });

  it('answers random GetPreferredAllocation requests with a consistent pick, or INVALID_ARGUMENT', async () => {
    const request = fc.record({ containers: preferredContainers(ids), extras: unknownFields });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const sent = batch.map((r) => ({ method: 'GetPreferredAllocation' as const, bytes: encodePreferred(r.containers, r.extras), containers: r.containers }));
        await sendAll(fuzz, sent, (req, answer) => checkPreferredAnswer(advertised, req.containers, answer));
        counter.add('GetPreferredAllocation', batch.length);
      }),
      runs(40),
    );
  });

  it('still answers a valid Allocate, keeps ListAndWatch open and stays registered', async () => {
    await expectStillServing(fuzz, [fuzz.ids[0], fuzz.ids[9]], 1);
  });
});
