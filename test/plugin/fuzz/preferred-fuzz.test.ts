/**
 * Random and malformed GetPreferredAllocation requests against the running plugin (8 whole
 * GPUs on the NVLink mesh, the exact topology search): negative, zero and huge sizes,
 * must-include IDs that are not available, duplicates, unknown and invalid UTF-8 IDs.
 * Valid requests get `size` distinct available IDs including the must-include ones.
 */
import fc from 'fast-check';
import { defaultSpec } from '../helpers/fake-nvml';
import { CaseCounter, expectStillServing, type FuzzNode, MAX_REQUEST_BYTES, runs, sendAll, startFuzzNode } from './fuzz-node';
import { idArbitraries, type IdArbitraries } from './id-arbitraries';
import { checkPreferredAnswer } from './oracles';
import { hugePreferred, preferredContainers, unknownFields } from './request-arbitraries';
import { encodePreferred } from './wire';

jest.setTimeout(120000);

const GPU = 'nvidia.com/gpu';
const BATCH = 25;
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
  console.log(counter.summary('GetPreferredAllocation fuzz'));
  await fuzz?.stop();
});

describe('plugin process under fuzzed GetPreferredAllocation requests', () => {
  it('answers each random request with a consistent pick, or INVALID_ARGUMENT', async () => {
    const request = fc.record({ containers: preferredContainers(ids), extras: unknownFields });
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const sent = batch.map((r) => ({ method: 'GetPreferredAllocation' as const, bytes: encodePreferred(r.containers, r.extras), containers: r.containers }));
        await sendAll(fuzz, sent, (req, answer) => {
          checkPreferredAnswer(advertised, req.containers, answer);
          if (answer.code === 0) valid++;
        });
        counter.add('random', batch.length);
      }),
      runs(120),
    );
    // Both sides of the oracle must be exercised, or half of it proves nothing.
    expect(valid).toBeGreaterThan(counter.total / 5);
    expect(valid).toBeLessThan((counter.total * 4) / 5);
  });

  it('answers huge requests (thousands of IDs, very long IDs, over 4 MiB) with a status or a pick', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hugePreferred(ids), { minLength: 4, maxLength: 4 }), async (batch) => {
        const sent = batch.map((c) => ({ method: 'GetPreferredAllocation' as const, bytes: encodePreferred(c), containers: c }));
        await sendAll(fuzz, sent, (req, answer) => {
          if (req.bytes.length <= MAX_REQUEST_BYTES) checkPreferredAnswer(advertised, req.containers, answer);
        });
        counter.add('huge', batch.length);
      }),
      runs(12),
    );
  });

  it('still answers a valid Allocate, keeps ListAndWatch open and stays registered', async () => {
    await expectStillServing(fuzz, [fuzz.ids[0]], 1);
  });
});
