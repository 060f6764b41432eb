import { status } from '@grpc/grpc-js';
import { RequestError } from '../../../plugin/src/allocate/request-error';
import { ResourceBackend, type PreferredAllocationFn } from '../../../plugin/src/allocate/resource-backend';
import { config, gpuResource, inventory, MIG_UUID, migResource, UUIDS } from './allocate-fixtures';

const [U0, U1, U2] = UUIDS;

function backend(
  resource = gpuResource(),
  preferred: PreferredAllocationFn = ({ available, size }) => available.slice(0, size),
): ResourceBackend {
  return new ResourceBackend({ resource, config: config(), inventory: inventory(), preferred });
}

describe('ResourceBackend', () => {
  it('lists every device as Healthy with its NUMA node, and no topology where there is none', () => {
    expect(backend().devices()).toEqual([
      { ID: U0, health: 'Healthy', topology: { nodes: [{ ID: 0 }] } },
      { ID: U1, health: 'Healthy', topology: { nodes: [{ ID: 1 }] } },
      { ID: U2, health: 'Healthy', topology: null },
    ]);
  });

  it('marks one device Unhealthy and reports the change', () => {
    const b = backend();
    expect(b.setHealth(U1, false)).toBe(true);
    expect(b.devices().map((d) => d.health)).toEqual(['Healthy', 'Unhealthy', 'Healthy']);
    expect(b.healthCounts()).toEqual({ healthy: 2, unhealthy: 1 });
  });

  it('reports no change when the health is already the same', () => {
    expect(backend().setHealth(U1, true)).toBe(false);
  });

  it('ignores a UUID it does not advertise', () => {
    expect(backend().setHealth('GPU-elsewhere', false)).toBe(false);
  });

  it("marks every device on '*'", () => {
    const b = backend();
    b.setHealth('*', false);
    expect(b.healthCounts()).toEqual({ healthy: 0, unhealthy: 3 });
  });

  it('marks the MIG devices of a GPU when the event names the parent GPU', () => {
    const b = backend(migResource());
    expect(b.setHealth(U1, false)).toBe(true);
    expect(b.devices()).toEqual([{ ID: MIG_UUID, health: 'Unhealthy', topology: { nodes: [{ ID: 1 }] } }]);
  });

  it('builds the Allocate response from the request IDs', () => {
    expect(backend().allocate({ devices_ids: [U2] }).envs).toEqual({ NVIDIA_VISIBLE_DEVICES: U2 });
  });

  it('hands GetPreferredAllocation inputs to the preferred-allocation function', () => {
    const calls: Parameters<PreferredAllocationFn>[0][] = [];
    const b = backend(gpuResource(), (input) => {
      calls.push(input);
      return [U1];
    });
    expect(
      b.preferredAllocation({ available_deviceIDs: [U0, U1], must_include_deviceIDs: [U1], allocation_size: 1 }),
    ).toEqual([U1]);
    expect(calls[0]).toMatchObject({ available: [U0, U1], mustInclude: [U1], size: 1, policy: 'distributed' });
    expect(calls[0].topology).toEqual(inventory().topology);
  });

  it('turns an error of the preferred-allocation function into INVALID_ARGUMENT', () => {
    const b = backend(gpuResource(), () => {
      throw new Error('must-include device GPU-x is not available');
    });
    const call = () =>
      b.preferredAllocation({ available_deviceIDs: [U0], must_include_deviceIDs: ['GPU-x'], allocation_size: 1 });
    expect(call).toThrow(RequestError);
    expect(call).toThrow('GetPreferredAllocation for nvidia.com/gpu: must-include device GPU-x is not available');
  });

  it.each([0, -1])('refuses allocation_size %d with INVALID_ARGUMENT', (size) => {
    let caught: unknown;
    try {
      backend().preferredAllocation({ available_deviceIDs: [U0], must_include_deviceIDs: [], allocation_size: size });
    } catch (err) {
      caught = err;
    }
    expect((caught as RequestError).code).toBe(status.INVALID_ARGUMENT);
  });
});
