// Checks shared by the workload constructs. Not exported from the package: each error
// names the prop and the bad value, so the caller passes the prop's name in.
import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';

// DNS-1123 label: what Kubernetes requires of a Job name (it becomes the value of the
// `batch.kubernetes.io/job-name` label, so at most 63 characters).
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// A label value: empty, or up to 63 of [A-Za-z0-9._-], starting and ending alphanumeric.
const LABEL_VALUE_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Throws unless `value` is a whole number ≥ `min`; undefined passes. */
export function requireWholeNumber(prop: string, value: number | undefined, min: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min)) {
    throw new Error(`${prop} must be a whole number ≥ ${min} (got ${value})`);
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
