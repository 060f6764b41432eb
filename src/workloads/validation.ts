// Checks of the workload constructs' own prop types (cdk8s-plus resources, durations,
// sizes); the Kubernetes rules every construct shares are in src/common/validation.ts.
// Not exported from the package: each error names the prop and the bad value, so the
// caller passes the prop's name in.
import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import { ContainerResources } from 'cdk8s-plus-28';
import { requireImageReference } from '../common/image-reference';
import { isQuantity, requireWholeNumber } from '../common/validation';

/**
 * Throws unless every CPU, memory and ephemeral-storage amount renders as a non-negative
 * quantity: cdk8s-plus writes `Cpu.millis(-5)` as "-5m" and `Size.mebibytes(NaN)` as "NaNMi".
 */
export function requireResources(prop: string, resources: ContainerResources | undefined): void {
  const amounts: Array<[string, string | undefined]> = [
    ['cpu.request', resources?.cpu?.request?.amount],
    ['cpu.limit', resources?.cpu?.limit?.amount],
    ...(
      [
        ['memory', resources?.memory],
        ['ephemeralStorage', resources?.ephemeralStorage],
      ] as const
    ).flatMap(
      ([field, r]) =>
        [
          [`${field}.request`, r?.request && `${r.request.toMebibytes()}Mi`],
          [`${field}.limit`, r?.limit && `${r.limit.toMebibytes()}Mi`],
        ] as Array<[string, string | undefined]>,
    ),
  ];
  for (const [field, amount] of amounts) {
    if (amount !== undefined && !isQuantity(amount)) {
      throw new Error(`${prop}.${field} must be a finite amount ≥ 0 (got "${amount}")`);
    }
  }
}

/**
 * Throws unless `image` is a container image reference (the grammar PluginImage uses, in
 * src/common/image-reference.ts). Unlike the plugin image, a job may use a floating tag such
 * as `latest` or no tag at all: a job runs once, on one node, and is not rolled out.
 */
export function requireImage(prop: string, image: string): void {
  requireImageReference(prop, image, 'nvcr.io/nvidia/pytorch:24.01-py3');
}

/** Whole seconds of `duration`, which must be at least `min` seconds; undefined passes. */
export function wholeSeconds(prop: string, duration: Duration | undefined, min: number): number | undefined {
  if (duration === undefined) {
    return undefined;
  }
  const seconds = duration.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < min) {
    throw new Error(`${prop} must be a whole number of seconds ≥ ${min} (got ${duration.toHumanString()})`);
  }
  requireWholeNumber(`${prop} in seconds`, seconds, min);
  return seconds;
}

/** Whole mebibytes of `size`, which must be at least 1 MiB; undefined passes. */
export function wholeMebibytes(prop: string, size: Size | undefined): number | undefined {
  if (size === undefined) {
    return undefined;
  }
  const mib = size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!Number.isInteger(mib) || mib < 1) {
    throw new Error(`${prop} must be a whole number of MiB ≥ 1 (got ${mib} MiB)`);
  }
  return mib;
}
