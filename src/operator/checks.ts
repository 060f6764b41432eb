// Small checks shared by the operator constructs. Each throws a message that names the
// prop, shows the bad value and says what would be accepted. Not part of the public API.
// Kubernetes' own rules (names, labels, tolerations, whole numbers) are in src/common/validation.ts.
import { isLabelName, requireOneOf } from '../common/validation';

/**
 * Checks that a value coming from any jsii language is one of an enum's values (TypeScript
 * cannot pass anything else, but Python or Java strings can).
 */
export function checkEnum(field: string, value: string, allowed: { [key: string]: string }): void {
  requireOneOf(field, value, allowed);
}

/**
 * A node label value: config names are chosen per node through labels such as
 * `nvidia.com/device-plugin.config=<name>`, so a name must be a valid label value.
 */
export function checkLabelValue(field: string, value: string): void {
  if (!isLabelName(value)) {
    throw new Error(
      `${field} must be usable as a node label value: 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got "${value}")`,
    );
  }
}

/** An absolute path on the host. */
export function checkAbsolutePath(field: string, value: string): void {
  if (!value.startsWith('/')) {
    throw new Error(`${field} must be an absolute host path (got "${value}")`);
  }
}

// Prometheus Operator's Duration pattern (monitoring.coreos.com/v1): units y w d h m s ms,
// largest first, no spaces, no decimals.
const DURATION_RE = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

/** A Prometheus duration such as `15s`, `1m30s` or `2h`. */
export function checkPromDuration(field: string, value: string): void {
  if (value === '' || !DURATION_RE.test(value)) {
    throw new Error(
      `${field} must be a Prometheus duration such as "15s", "1m30s" or "1h" (units y, w, d, h, m, s, ms, largest first) (got "${value}")`,
    );
  }
}

/** Milliseconds of a Prometheus duration already checked by checkPromDuration. */
export function promDurationMs(value: string): number {
  const unit: { [u: string]: number } = {
    y: 31536000000,
    w: 604800000,
    d: 86400000,
    h: 3600000,
    m: 60000,
    s: 1000,
    ms: 1,
  };
  let total = 0;
  for (const [, n, u] of value.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) {
    total += Number(n) * unit[u];
  }
  return total;
}

/** A Kubernetes/Flux duration (Go's time.ParseDuration): `30m`, `1h`, `1h30m`, `90s`. */
export function checkGoDuration(field: string, value: string): void {
  if (!/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) {
    throw new Error(`${field} must be a duration such as "10m", "1h" or "1h30m" (got "${value}")`);
  }
}

/** `1`, `3` or a percentage like `10%` (maxUnavailable). */
export function checkCountOrPercent(field: string, value: string): void {
  if (!/^([1-9]\d*|(100|[1-9]?\d)%)$/.test(value)) {
    throw new Error(`${field} must be a whole number ≥ 1 or a percentage like "25%" (got "${value}")`);
  }
}
