/**
 * Random and malformed GetPreferredAllocation requests against the running plugin (8 whole
 * GPUs on the NVLink mesh, the exact topology search): negative, zero and huge sizes,
 * must-include IDs that are not available, duplicates, unknown and invalid UTF-8 IDs.
 * Valid requests get `size` distinct available IDs including the must-include ones.
 */
import { defaultSpec } from '../helpers/fake-nvml';
import { expectStillServing, fuzzBatches, fuzzSuite, MAX_REQUEST_BYTES } from './fuzz-node';
import { checkPreferredAnswer } from './oracles';
import { hugePreferred, preferredRequest } from './request-arbitraries';
import { encodePreferred } from './wire';

jest.setTimeout(120000);

const suite = fuzzSuite('GetPreferredAllocation fuzz', defaultSpec(8), 'nvidia.com/gpu');

describe('plugin process under fuzzed GetPreferredAllocation requests', () => {
  it('answers each random request with a consistent pick, or INVALID_ARGUMENT', async () => {
    let valid = 0;
    await fuzzBatches(suite, 'random', { of: preferredRequest(suite.ids), numRuns: 120 }, (req, answer) => {
      checkPreferredAnswer(suite.advertised, req.containers, answer);
      if (answer.code === 0) valid++;
    });
    // Both sides of the oracle must be exercised, or half of it proves nothing.
    expect(valid).toBeGreaterThan(suite.counter.total / 5);
    expect(valid).toBeLessThan((suite.counter.total * 4) / 5);
  });

  it('answers huge requests (thousands of IDs, very long IDs, over 4 MiB) with a status or a pick', async () => {
    const huge = hugePreferred(suite.ids).map((c) => ({
      method: 'GetPreferredAllocation' as const,
      bytes: encodePreferred(c),
      containers: c,
    }));
    await fuzzBatches(suite, 'huge', { of: huge, numRuns: 12, batch: 4 }, (req, answer) => {
      if (req.bytes.length <= MAX_REQUEST_BYTES) checkPreferredAnswer(suite.advertised, req.containers, answer);
    });
  });

  it('still answers a valid Allocate, keeps ListAndWatch open and stays registered', async () => {
    await expectStillServing(suite.fuzz, [suite.fuzz.ids[0]], 1);
  });
});
