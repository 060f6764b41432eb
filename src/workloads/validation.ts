// Checks shared by the workload constructs. Not exported from the package: each error
// names the prop and the bad value, so the caller passes the prop's name in.
import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import { ContainerResources } from 'cdk8s-plus-28';

// DNS-1123 label: what Kubernetes requires of a Job name (it becomes the value of the
// `batch.kubernetes.io/job-name` label, so at most 63 characters).
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// A label value: empty, or up to 63 of [A-Za-z0-9._-], starting and ending alphanumeric.
const LABEL_VALUE_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** The largest int32: Kubernetes stores counts, seconds, uids and gids in 32 bits. */
export const INT32_MAX = 2 ** 31 - 1;
// Variable names as the API server accepted them before 1.34 relaxed the rule.
const ENV_NAME_RE = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Throws unless `value` is a whole number from `min` to `max`; undefined passes. */
export function requireWholeNumber(prop: string, value: number | undefined, min: number, max = INT32_MAX): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min)) {
    throw new Error(`${prop} must be a whole number ≥ ${min} (got ${value})`);
  }
  if (value !== undefined && value > max) {
    throw new Error(`${prop} must be at most ${max} (got ${value}); Kubernetes stores it in 32 bits`);
  }
}

/** Throws unless `name` is an environment variable name every supported Kubernetes accepts. */
export function requireEnvName(prop: string, name: string): void {
  if (!ENV_NAME_RE.test(name)) {
    throw new Error(`${prop} holds the variable name "${name}"; names must be letters, digits, '_', '-' and '.', not starting with a digit`);
  }
}

// A non-negative quantity as the API server parses it.
const QUANTITY_RE = /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

/**
 * Throws unless every CPU, memory and ephemeral-storage amount renders as a non-negative
 * quantity: cdk8s-plus writes `Cpu.millis(-5)` as "-5m" and `Size.mebibytes(NaN)` as "NaNMi".
 */
export function requireResources(prop: string, resources: ContainerResources | undefined): void {
  const amounts: Array<[string, string | undefined]> = [
    ['cpu.request', resources?.cpu?.request?.amount],
    ['cpu.limit', resources?.cpu?.limit?.amount],
    ...([['memory', resources?.memory], ['ephemeralStorage', resources?.ephemeralStorage]] as const).flatMap(([field, r]) => [
      [`${field}.request`, r?.request && `${r.request.toMebibytes()}Mi`],
      [`${field}.limit`, r?.limit && `${r.limit.toMebibytes()}Mi`],
    ] as Array<[string, string | undefined]>),
  ];
  for (const [field, amount] of amounts) {
    if (amount !== undefined && !QUANTITY_RE.test(amount)) {
      throw new Error(`${prop}.${field} must be a finite amount ≥ 0 (got "${amount}")`);
    }
  }
}

/** Throws unless `image` is non-empty without surrounding spaces, as the API server requires. */
export function requireImage(prop: string, image: string): void {
  if (typeof image !== 'string' || image.length === 0 || image.trim() !== image) {
    throw new Error(`${prop} must be an image reference without surrounding spaces, e.g. "nvcr.io/nvidia/pytorch:24.01-py3" (got "${image}")`);
  }
}

/** Throws unless `value` is a DNS-1123 label (lower case, digits, '-', at most 63 characters). */
export function requireDnsLabel(prop: string, value: string, hint = ''): void {
  if (value.length > 63 || !DNS_LABEL_RE.test(value)) {
    throw new Error(
      `${prop} must be a DNS-1123 label: at most 63 lower-case letters, digits and '-', `
      + `starting and ending with a letter or digit (got "${value}")${hint}`,
    );
  }
}

/** Throws unless `value` is a DNS-1123 subdomain (the rule for most object names). */
export function requireDnsSubdomain(prop: string, value: string): void {
  if (value.length > 253 || !DNS_SUBDOMAIN_RE.test(value)) {
    throw new Error(
      `${prop} must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', `
      + `starting and ending with a letter or digit (got "${value}")`,
    );
  }
}

/** True when `value` may be used as a label value. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE_RE.test(value);
}

/** Throws unless `value` is a non-empty label value. */
export function requireLabelValue(prop: string, value: string): void {
  if (value.length === 0 || !isLabelValue(value)) {
    throw new Error(
      `${prop} must be a label value: 1-63 letters, digits, '-', '_' or '.', `
      + `starting and ending with a letter or digit (got "${value}")`,
    );
  }
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
