import {
  hasReplicaSuffix,
  listIds,
  stripReplicaSuffix,
  validateAllocateRequest,
} from '../../../plugin/src/allocate/request-validation';
import { gpuResource, sharedResource, UUIDS } from './allocate-fixtures';

const [U0, U1] = UUIDS;

describe('request validation helpers', () => {
  it.each([
    [`${U0}::3`, U0, true],
    [U0, U0, false],
    ['MIG-abc::10', 'MIG-abc', true],
  ])('%s → %s (replica: %s)', (id, base, replica) => {
    expect(stripReplicaSuffix(id)).toBe(base);
    expect(hasReplicaSuffix(id)).toBe(replica);
  });

  it('lists at most the given number of IDs and counts the rest', () => {
    expect(listIds(['a', 'b', 'c', 'd'], 2)).toBe('a, b and 2 more');
  });

  it('returns one device per physical GPU in first-requested order', () => {
    const devices = validateAllocateRequest(sharedResource('time-slicing', false), [
      `${U1}::0`,
      `${U0}::1`,
      `${U1}::1`,
    ]);
    expect(devices.map((d) => d.uuid)).toEqual([U1, U0]);
  });

  it('names every unknown ID once', () => {
    expect(() => validateAllocateRequest(gpuResource(), ['GPU-x', 'GPU-x', 'GPU-y'])).toThrow(
      'unknown device IDs: GPU-x, GPU-y;',
    );
  });
});
