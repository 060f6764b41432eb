import { GpuResource, MigProfile } from '../common/gpu-resource';
import { requireWholeNumber } from '../common/validation';

/**
 * Options for a request of GPU devices.
 */
export interface GpuRequestOptions {
  /**
   * How many devices of the resource the container gets: its `resources.limits` entry.
   * @default 1
   */
  readonly count?: number;

  /**
   * Also write the resource under `resources.requests`; Kubernetes requires it to equal `count`.
   * @default - limits only (Kubernetes copies the limit of an extended resource into its request)
   */
  readonly requests?: number;
}

/**
 * Options for a request of shared (time-sliced or MPS) GPU replicas.
 */
export interface SharedGpuRequestOptions extends GpuRequestOptions {
  /**
   * The resource the device plugin advertises the replicas as.
   * @default GpuResource.NVIDIA_GPU_SHARED (time-slicing or MPS with `renameByDefault: true`)
   */
  readonly resource?: GpuResource;
}

/**
 * Devices of one extended resource that a container asks for: whole GPUs, MIG slices
 * or shared replicas. Always rendered in `resources.limits`, as whole numbers.
 */
export class GpuRequest {
  /**
   * Whole GPUs (`nvidia.com/gpu`); with time-slicing and `renameByDefault: false` these are replicas.
   * @param count number of GPUs, a whole number ≥ 1
   */
  public static gpus(count: number): GpuRequest {
    return new GpuRequest('GpuRequest.gpus', GpuResource.NVIDIA_GPU, { count });
  }

  /**
   * MIG slices of one profile (`nvidia.com/mig-<profile>`, the plugin's `mixed` strategy).
   * @param profile e.g. `MigProfile.PROFILE_1_G_10_GB` or `MigProfile.of('1g.10gb')`
   */
  public static mig(profile: MigProfile, options: GpuRequestOptions = {}): GpuRequest {
    return new GpuRequest('GpuRequest.mig', GpuResource.mig(profile), options);
  }

  /**
   * Shared replicas of a GPU, as time-slicing or MPS advertise them.
   */
  public static shared(options: SharedGpuRequestOptions = {}): GpuRequest {
    return new GpuRequest('GpuRequest.shared', options.resource ?? GpuResource.NVIDIA_GPU_SHARED, options);
  }

  /**
   * Devices of any extended resource, e.g. a renamed time-sliced resource.
   * @param resource e.g. `GpuResource.of('nvidia.com/a100-shared')`
   */
  public static of(resource: GpuResource, options: GpuRequestOptions = {}): GpuRequest {
    return new GpuRequest('GpuRequest.of', resource, options);
  }

  /** The extended resource requested. */
  public readonly resource: GpuResource;
  /** The number of devices: the value under `resources.limits`. */
  public readonly count: number;
  /** The value under `resources.requests`, when it is written there (always equal to `count`). */
  public readonly requests?: number;

  private constructor(factory: string, resource: GpuResource, options: GpuRequestOptions) {
    const count = options.count ?? 1;
    requireWholeNumber(`${factory} count`, count, 1);
    if (options.requests !== undefined && options.requests !== count) {
      throw new Error(
        `${factory} requests must equal count for ${resource.name} (got requests ${options.requests}, count ${count}): ` +
          'Kubernetes rejects an extended resource whose request differs from its limit; leave requests unset',
      );
    }
    this.resource = resource;
    this.count = count;
    this.requests = options.requests;
  }
}
