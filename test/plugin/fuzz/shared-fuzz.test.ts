/**
 * Fuzzed Allocate and GetPreferredAllocation requests against a time-sliced resource
 * (4 GPUs × 8 replicas, IDs `<uuid>::<n>`): the replica code paths (suffix stripping,
 * NVIDIA's distributed pick) get the same random and malformed input as whole GPUs.
 */
import { defaultSpec } from '../helpers/fake-nvml';
import { expectStillServing, fuzzBatches, fuzzSuite } from './fuzz-node';
import { checkAllocateAnswer, checkPreferredAnswer, expectedVisible } from './oracles';
import { allocateRequest, preferredRequest } from './request-arbitraries';

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
const suite = fuzzSuite('time-sliced replicas fuzz', defaultSpec(4), SHARED, CONFIG);

describe('plugin process under fuzzed requests for time-sliced replicas', () => {
  it('advertises replica IDs, so the fuzz below reaches the replica code', () => {
    expect(suite.fuzz.ids).toHaveLength(32);
    expect(suite.fuzz.ids.every((id) => /^GPU-[0-9a-f-]+::[0-7]$/.test(id))).toBe(true);
  });

  it('answers random Allocate requests with each physical GPU once, or INVALID_ARGUMENT', async () => {
    await fuzzBatches(suite, 'Allocate', { of: allocateRequest(suite.ids), numRuns: 40 }, (req, answer) =>
      checkAllocateAnswer(expectedVisible(suite.advertised, req.containers), answer),
    );
  });

  it('answers random GetPreferredAllocation requests with a consistent pick, or INVALID_ARGUMENT', async () => {
    await fuzzBatches(
      suite,
      'GetPreferredAllocation',
      { of: preferredRequest(suite.ids), numRuns: 40 },
      (req, answer) => checkPreferredAnswer(suite.advertised, req.containers, answer),
    );
  });

  it('still answers a valid Allocate, keeps ListAndWatch open and stays registered', async () => {
    await expectStillServing(suite.fuzz, [suite.fuzz.ids[0], suite.fuzz.ids[9]], 1);
  });
});
