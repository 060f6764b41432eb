import { JsonPatch } from 'cdk8s';
import { ContainerProps, ContainerResources, k8s } from 'cdk8s-plus-28';
import { GpuResource } from '../common/gpu-resource';
import { requireWholeNumber } from '../common/validation';
import { GpuRequest } from './gpu-request';

/**
 * Properties of a container that uses GPUs.
 */
export interface GpuContainerProps extends ContainerProps {
  /**
   * Whole GPUs (`nvidia.com/gpu`) for the container.
   * @default - 1 when `gpuRequests` is empty, else none
   */
  readonly gpus?: number;

  /**
   * MIG slices, shared replicas or any other extended resources for the container.
   * @default - none
   */
  readonly gpuRequests?: GpuRequest[];
}

/**
 * The requests of one container from its `gpus` and `gpuRequests` props, checked.
 * Whole GPUs and MIG slices cannot share a container: with the `mixed` strategy the
 * plugin hands out either, and a workload written for one breaks on the other.
 */
export function resolveGpuRequests(
  container: string,
  gpus: number | undefined,
  gpuRequests: GpuRequest[] | undefined,
): GpuRequest[] {
  requireWholeNumber('gpus', gpus, 1);
  const all = [...(gpus !== undefined ? [GpuRequest.gpus(gpus)] : []), ...(gpuRequests ?? [])];
  if (all.length === 0) {
    return [GpuRequest.gpus(1)];
  }
  const seen = new Map<string, GpuRequest>();
  for (const request of all) {
    const earlier = seen.get(request.resource.name);
    if (earlier) {
      throw new Error(
        `gpus/gpuRequests of container "${container}" ask for ${request.resource.name} twice ` +
          `(got ${earlier.count} and ${request.count}); ask once with the total`,
      );
    }
    seen.set(request.resource.name, request);
  }
  const whole = all.find((r) => r.resource.name === GpuResource.NVIDIA_GPU.name);
  const mig = all.find((r) => r.resource.isMig);
  if (whole && mig) {
    throw new Error(
      `gpus/gpuRequests of container "${container}" mix whole GPUs (${whole.resource.name}: ${whole.count}) ` +
        `and MIG slices (${mig.resource.name}: ${mig.count}); give each its own container or job`,
    );
  }
  return all;
}

// JSON pointer escaping (RFC 6901): resource names contain '/'.
function pointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function quantities(
  requests: GpuRequest[],
  pick: (r: GpuRequest) => number | undefined,
): { [name: string]: k8s.Quantity } {
  const out: { [name: string]: k8s.Quantity } = {};
  for (const request of requests) {
    const value = pick(request);
    if (value !== undefined) {
      // A Quantity, not a plain value: cdk8s maps limits through Quantity, so a plain
      // string or number in a patch is written as null.
      out[request.resource.name] = k8s.Quantity.fromNumber(value);
    }
  }
  return out;
}

/**
 * JSON patches that add the GPU requests of the container at `path` (e.g.
 * `/spec/template/spec/containers/0`), since cdk8s-plus cannot express extended resources.
 * `resources` is what the container was built with: it tells whether cdk8s-plus already
 * renders `limits` or `requests` (it renders an entry only for a given cpu, memory or
 * ephemeral-storage amount), and so whether to add to that map or create it.
 */
export function gpuResourcePatches(
  path: string,
  resources: ContainerResources | undefined,
  requests: GpuRequest[],
): JsonPatch[] {
  const limits = quantities(requests, (r) => r.count);
  const reqs = quantities(requests, (r) => r.requests);
  const hasReqs = Object.keys(reqs).length > 0;
  const renderedLimits = !!(
    resources?.cpu?.limit?.amount ||
    resources?.memory?.limit ||
    resources?.ephemeralStorage?.limit
  );
  const renderedRequests = !!(
    resources?.cpu?.request?.amount ||
    resources?.memory?.request ||
    resources?.ephemeralStorage?.request
  );

  if (!renderedLimits && !renderedRequests) {
    return [JsonPatch.add(`${path}/resources`, hasReqs ? { limits, requests: reqs } : { limits })];
  }
  const patches: JsonPatch[] = [];
  const addAll = (field: string, values: { [name: string]: k8s.Quantity }, rendered: boolean) => {
    if (!rendered) {
      patches.push(JsonPatch.add(`${path}/resources/${field}`, values));
      return;
    }
    for (const [name, value] of Object.entries(values)) {
      patches.push(JsonPatch.add(`${path}/resources/${field}/${pointer(name)}`, value));
    }
  };
  addAll('limits', limits, renderedLimits);
  if (hasReqs) {
    addAll('requests', reqs, renderedRequests);
  }
  return patches;
}
