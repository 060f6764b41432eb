/**
 * The device-side state behind one advertised resource: the current health of each
 * device and the Allocate / GetPreferredAllocation logic. The gRPC server in kubelet/
 * only calls this through the DevicePluginBackend interface (handlers hold no device
 * logic), and tests can swap in a fake backend.
 */
import { status } from '@grpc/grpc-js';
import type { PluginConfig } from '../config/types.js';
import type { AdvertisedResource, DeviceInventory } from '../devices/types.js';
import {
  HEALTHY,
  UNHEALTHY,
  type ApiDevice,
  type ContainerAllocateRequest,
  type ContainerAllocateResponse,
  type ContainerPreferredAllocationRequest,
} from '../kubelet/api-types.js';
import type { DevicePluginBackend } from '../kubelet/device-plugin-server.js';
import { buildAllocateResponse } from './allocate-response.js';
import type { NodeExists } from './device-specs.js';
import type { PreferredAllocationInput } from './preferred.js';
import { RequestError } from './request-error.js';

/** Signature of allocate/preferred.ts (GetPreferredAllocation), injected so tests can fake it. */
export type PreferredAllocationFn = (input: PreferredAllocationInput) => string[];

export interface ResourceBackendOptions {
  resource: AdvertisedResource;
  config: PluginConfig;
  inventory: DeviceInventory;
  preferred: PreferredAllocationFn;
  newResponseId?: () => string;
  nodeExists?: NodeExists;
}

export class ResourceBackend implements DevicePluginBackend {
  readonly resourceName: string;
  private readonly healthy = new Map<string, boolean>();

  constructor(private readonly opts: ResourceBackendOptions) {
    this.resourceName = opts.resource.name;
    for (const device of opts.resource.devices) this.healthy.set(device.id, device.healthy);
  }

  get resource(): AdvertisedResource {
    return this.opts.resource;
  }

  /** The full list for ListAndWatch, with each device's NUMA node for the Topology Manager. */
  devices(): ApiDevice[] {
    return this.opts.resource.devices.map((d) => ({
      ID: d.id,
      health: this.healthy.get(d.id) ? HEALTHY : UNHEALTHY,
      topology: d.numaNode === undefined ? null : { nodes: [{ ID: d.numaNode }] },
    }));
  }

  /** Counts for metrics. */
  healthCounts(): { healthy: number; unhealthy: number } {
    let healthy = 0;
    for (const ok of this.healthy.values()) if (ok) healthy++;
    return { healthy, unhealthy: this.healthy.size - healthy };
  }

  /**
   * Applies a health change for a GPU or MIG UUID ('*' = every device). An event on a
   * GPU also covers its MIG devices and replicas. Returns whether anything changed, so
   * the caller sends a ListAndWatch update only when needed.
   */
  setHealth(uuid: string, healthy: boolean): boolean {
    const gpuUuids = this.opts.inventory.gpus.map((g) => g.uuid);
    let changed = false;
    for (const device of this.opts.resource.devices) {
      const matches = uuid === '*' || device.uuid === uuid || gpuUuids[device.gpuIndex] === uuid;
      if (matches && this.healthy.get(device.id) !== healthy) {
        this.healthy.set(device.id, healthy);
        changed = true;
      }
    }
    return changed;
  }

  allocate(request: ContainerAllocateRequest): ContainerAllocateResponse {
    return buildAllocateResponse({
      resource: this.opts.resource,
      config: this.opts.config,
      requestIds: request.devices_ids,
      newResponseId: this.opts.newResponseId,
      nodeExists: this.opts.nodeExists,
    });
  }

  preferredAllocation(request: ContainerPreferredAllocationRequest): string[] {
    const size = request.allocation_size;
    if (!Number.isInteger(size) || size < 1) {
      throw new RequestError(
        `GetPreferredAllocation for ${this.resourceName} asks for ${size} devices; allocation_size must be at least 1`,
      );
    }
    try {
      return this.opts.preferred({
        resource: this.opts.resource,
        topology: this.opts.inventory.topology,
        available: request.available_deviceIDs,
        mustInclude: request.must_include_deviceIDs,
        size,
        policy: this.opts.config.flags.plugin.sharedDevicesAllocationPolicy,
      });
    } catch (err) {
      if (err instanceof RequestError) throw err;
      // preferred.ts throws a plain Error for inconsistent inputs (unknown IDs, size
      // larger than what is available): that is the caller's mistake, not ours.
      throw new RequestError(
        `GetPreferredAllocation for ${this.resourceName}: ${(err as Error).message}`,
        status.INVALID_ARGUMENT,
      );
    }
  }
}
