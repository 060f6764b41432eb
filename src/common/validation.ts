// Every check of a construct prop, in one place and with one verb (`require*` throws, `is*`
// answers): the API server's own rules for names, labels, environment variables, tolerations and
// resource quantities, and the rules of our own prop types (paths, durations, cdk8s-plus
// resources and sizes). A prop that breaks one is refused
// at construction, naming the prop and the bad value and saying what is allowed, instead of
// reaching the output and being refused by the cluster at apply. Not part of the public API.
//
// A value holding a chart value token (src/common/value.ts) passes: Helm fills it in, and
// the chart's values.schema.json holds it to the same rules.
import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import { ContainerResources, k8s } from 'cdk8s-plus-28';
import { requireImageReference } from './image-reference';
import { ChartValue } from './value';

/** The largest int32: Kubernetes stores counts, seconds, uids and gids in 32 bits. */
export const INT32_MAX = 2 ** 31 - 1;

/**
 * Kubernetes' rules as regular expression sources without anchors, in the syntax both
 * JavaScript and Go's regexp (Helm's schema checks) read: the chart's values.schema.json is
 * written from these, so the chart and the constructs accept the same values.
 */
export const K8S_PATTERNS = {
  /** A DNS-1123 label (at most 63 characters: bounded apart). */
  dnsLabel: '[a-z0-9]([-a-z0-9]*[a-z0-9])?',
  /** A DNS-1123 subdomain: each dot-separated part starts and ends with a letter or digit, so "a..b" and "a.-b" are none (at most 253 characters: bounded apart). */
  dnsSubdomain: '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*',
  /** The name part of a label key, and a non-empty label value: 1-63 characters. */
  labelName: '[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?',
  /**
   * A non-negative quantity as the API server parses it, of sane size: at most 20 digits on
   * each side of the point and a two-digit exponent. Past about 1e308 a YAML reader other
   * than Go's takes the unquoted amount Helm writes for infinity.
   */
  /** A percentage of 0-100, as `maxUnavailable` takes it. */
  percent: '(100|[1-9]?[0-9])%',
  quantity: '\\+?(([0-9]{1,20}(\\.[0-9]{0,20})?)|(\\.[0-9]{1,20}))(([KMGTPE]i)|[numkMGTPE]|([eE][-+]?[0-9]{1,2}))?',
};

const whole = (source: string) => new RegExp(`^(${source})$`);
const DNS_LABEL_RE = whole(K8S_PATTERNS.dnsLabel);
const DNS_SUBDOMAIN_RE = whole(K8S_PATTERNS.dnsSubdomain);
const LABEL_NAME_RE = whole(K8S_PATTERNS.labelName);
const QUANTITY_RE = whole(K8S_PATTERNS.quantity);
// Variable names as the API server accepted them before 1.34 relaxed the rule.
const ENV_NAME_RE = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const SUFFIX_FACTORS: { [suffix: string]: number } = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const TOLERATION_OPERATORS = ['Exists', 'Equal'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
// Resources a container may name without a domain; anything else is `<domain>/<name>`.
const NATIVE_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
const HUGE_PAGES_RE = /^hugepages-[0-9]{1,20}([KMGTPE]i|[kMGTPE])?$/;

const DNS_LABEL_RULE = "at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit";
const DNS_SUBDOMAIN_RULE = "lower-case letters, digits, '-' and '.', starting and ending with a letter or digit";
const LABEL_VALUE_RULE = "1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
const LABEL_KEY_RULE = `an optional DNS subdomain prefix and '/', then a name of ${LABEL_VALUE_RULE}`;

const bound = (x: unknown) => ChartValue.isUnresolved(x);
const show = (x: unknown) => (typeof x === 'string' ? `"${x}"` : String(x));

/** True when `value` is a DNS-1123 label (namespaces, most object names). */
export function isDnsLabel(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 63 && DNS_LABEL_RE.test(value);
}

/** True when `value` is a DNS-1123 subdomain (cluster-scoped object names, class names, label key prefixes). */
export function isDnsSubdomain(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 253 && DNS_SUBDOMAIN_RE.test(value);
}

/** True when `value` may be used as a label value (empty included). */
export function isLabelValue(value: unknown): boolean {
  return typeof value === 'string' && (value === '' || isLabelName(value));
}

/** True when `value` is a non-empty name part of a label key: at most 63 characters. */
export function isLabelName(value: unknown): boolean {
  return typeof value === 'string' && LABEL_NAME_RE.test(value);
}

/** True when `key` is a label key (Kubernetes' qualified name): `[prefix/]name`. */
export function isQualifiedName(key: unknown): boolean {
  if (typeof key !== 'string') return false;
  const parts = key.split('/');
  if (parts.length > 2) return false;
  return isLabelName(parts[parts.length - 1]) && (parts.length === 1 || isDnsSubdomain(parts[0]));
}

/** True when `value` is a quantity the API server takes for a resource: non-negative, finite. */
export function isQuantity(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0;
  return typeof value === 'string' && QUANTITY_RE.test(value);
}

/** Throws unless `value` is a whole number from `min` to `max`; undefined passes. */
export function requireWholeNumber(prop: string, value: number | undefined, min: number, max = INT32_MAX): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min)) {
    throw new Error(`${prop} must be a whole number ≥ ${min} (got ${value})`);
  }
  if (value !== undefined && value > max) {
    throw new Error(`${prop} must be at most ${max} (got ${value}); Kubernetes stores it in 32 bits`);
  }
}

/** Throws unless `value` is a DNS-1123 label; `hint` is appended to the message. */
export function requireDnsLabel(prop: string, value: string, hint = ''): void {
  if (!bound(value) && !isDnsLabel(value)) {
    throw new Error(`${prop} must be a DNS-1123 label: ${DNS_LABEL_RULE} (got ${show(value)})${hint}`);
  }
}

/** Throws unless `value` is a DNS-1123 subdomain (and at most 253 characters long). */
export function requireDnsSubdomain(prop: string, value: string): void {
  if (!bound(value) && !isDnsSubdomain(value)) {
    throw new Error(`${prop} must be a DNS-1123 subdomain: ${DNS_SUBDOMAIN_RULE} (got ${show(value)})`);
  }
}

/**
 * Throws unless `value` is a non-empty label value. `use` completes "must be …": a name that
 * is chosen per node through a label (`nvidia.com/device-plugin.config=<name>`) says so.
 */
export function requireLabelValue(prop: string, value: string, use = 'a label value'): void {
  if (!bound(value) && !isLabelName(value)) {
    throw new Error(`${prop} must be ${use}: ${LABEL_VALUE_RULE} (got ${show(value)})`);
  }
}

/**
 * Throws unless every key of `labels` is a label key and every value a label value (empty
 * allowed). `what` names the map, e.g. `nodeSelector` or `alerts.ruleLabels`.
 */
export function requireLabels(what: string, labels: { [key: string]: string } | undefined): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (!bound(key) && !isQualifiedName(key)) {
      throw new Error(`${what} key ${show(key)} must be a label key: ${LABEL_KEY_RULE}`);
    }
    if (!bound(value) && !isLabelValue(value)) {
      throw new Error(`${what}[${show(key)}] must be a label value: empty or ${LABEL_VALUE_RULE} (got ${show(value)})`);
    }
  }
}

/** Throws unless `name` is an environment variable name every supported Kubernetes accepts. */
export function requireEnvName(prop: string, name: string): void {
  if (!bound(name) && !ENV_NAME_RE.test(name)) {
    throw new Error(
      `${prop} holds the variable name ${show(name)}; names must be letters, digits, '_', '-' and '.', not starting with a digit`,
    );
  }
}

/**
 * Throws unless each toleration has the shape the API server accepts. `what` names the
 * list (`tolerations`); `first` is the index of the first one, for tolerations added later.
 */
export function requireTolerations(what: string, tolerations: k8s.Toleration[] | undefined, first = 0): void {
  (tolerations ?? []).forEach((t, i) => {
    if (!bound(t)) requireToleration(`${what}[${first + i}]`, t);
  });
}

function requireToleration(at: string, t: k8s.Toleration): void {
  requireKnownKeys(at, t, 'Toleration', ['key', 'operator', 'value', 'effect', 'tolerationSeconds']);
  const { key, operator, value, effect, tolerationSeconds } = t;
  if (operator !== undefined && !TOLERATION_OPERATORS.includes(operator)) {
    throw new Error(`${at}.operator must be "Exists" or "Equal" (got ${show(operator)})`);
  }
  if (key !== undefined && key !== '' && !isQualifiedName(key)) {
    throw new Error(`${at}.key must be a label key: ${LABEL_KEY_RULE} (got ${show(key)})`);
  }
  if ((key === undefined || key === '') && operator !== 'Exists') {
    throw new Error(
      `${at} has no key, so its operator must be "Exists" (it then tolerates every taint) (got ${show(operator)})`,
    );
  }
  if (operator === 'Exists' && value !== undefined && value !== '') {
    throw new Error(`${at}.value must be left out with operator "Exists" (got ${show(value)})`);
  }
  if (value !== undefined && !isLabelValue(value)) {
    throw new Error(`${at}.value must be a label value: empty or ${LABEL_VALUE_RULE} (got ${show(value)})`);
  }
  // The API server reads an empty effect as "all", but its published schema does not list it: leave it out instead.
  if (effect !== undefined && !TAINT_EFFECTS.includes(effect)) {
    throw new Error(
      `${at}.effect must be one of ${TAINT_EFFECTS.map((e) => `"${e}"`).join(', ')}, or left out for all (got ${show(effect)})`,
    );
  }
  if (tolerationSeconds !== undefined) {
    if (!Number.isSafeInteger(tolerationSeconds)) {
      throw new Error(`${at}.tolerationSeconds must be a whole number of seconds (got ${tolerationSeconds})`);
    }
    if (effect !== 'NoExecute') {
      throw new Error(`${at}.tolerationSeconds applies only to effect "NoExecute" (got effect ${show(effect)})`);
    }
  }
}

/**
 * Why `name` is not a valid extended resource name (`<domain>/<name>`), or undefined when it is.
 * Follows the kube-apiserver's checks (IsExtendedResourceName: a DNS-1123 subdomain prefix,
 * `/`, and a qualified name of at most 63 characters) so mistakes surface at synth, not at apply.
 */
export function extendedResourceNameProblem(name: string): string | undefined {
  const slash = name.indexOf('/');
  if (slash <= 0 || slash !== name.lastIndexOf('/')) {
    return 'it must have the form <domain>/<name>, e.g. nvidia.com/gpu';
  }
  const prefix = name.slice(0, slash);
  const local = name.slice(slash + 1);
  if (!isDnsSubdomain(prefix)) {
    return `the domain "${prefix}" is not a DNS subdomain (lower case letters, digits, '-' and '.')`;
  }
  if (name.includes('kubernetes.io/')) {
    return 'names in the kubernetes.io domain are reserved for Kubernetes';
  }
  if (!isLabelName(local)) {
    return `the name "${local}" must be 1-63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/**
 * Throws unless every amount in `resources` is a non-negative quantity under a resource
 * name a container may use and no request exceeds its limit. Huge pages and extended
 * resources (`<domain>/<name>`) cannot be overcommitted: a request needs an equal limit,
 * and extended ones are whole numbers.
 */
export function requireResourceRequirements(what: string, resources: k8s.ResourceRequirements | undefined): void {
  const limits = amounts(what, 'limits', resources?.limits);
  const requests = amounts(what, 'requests', resources?.requests);
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    const overcommit = NATIVE_RESOURCES.includes(name);
    if (!overcommit && (limit === undefined || quantityValue(request) !== quantityValue(limit))) {
      throw new Error(
        `${what}.requests.${name} must equal ${what}.limits.${name}: ${name} cannot be overcommitted (got ${request} and ${limit ?? 'no limit'})`,
      );
    }
    if (limit !== undefined && quantityValue(request) > quantityValue(limit)) {
      throw new Error(`${what}.requests.${name} must be at most ${what}.limits.${name} (got ${request} > ${limit})`);
    }
  }
}

// The amounts of one map, checked, as text.
function amounts(what: string, field: string, map: { [name: string]: k8s.Quantity } | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, quantity] of Object.entries(map ?? {})) {
    const at = `${what}.${field}.${name}`;
    if (
      !NATIVE_RESOURCES.includes(name) &&
      !HUGE_PAGES_RE.test(name) &&
      (!name.includes('/') || extendedResourceNameProblem(name))
    ) {
      throw new Error(
        `${what}.${field} names the resource ${show(name)}; use cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource <domain>/<name>`,
      );
    }
    const value: unknown = quantity?.value;
    if (bound(value)) continue;
    if (!isQuantity(value)) {
      throw new Error(`${at} must be a quantity ≥ 0 such as "500m", "64Mi" or "2" (got ${show(value)})`);
    }
    const text = String(value);
    if (name.includes('/') && !/^\+?[0-9]+$/.test(text)) {
      throw new Error(`${at} must be a whole number for an extended resource (got ${show(value)})`);
    }
    out.set(name, text);
  }
  return out;
}

// The amount a valid quantity stands for, as a number (close enough to compare two).
function quantityValue(quantity: string): number {
  const m = /^\+?([0-9.]+)(.*)$/.exec(quantity);
  if (!m) return NaN;
  const suffix = m[2];
  if (suffix === '') return Number(m[1]);
  if (/^[eE]/.test(suffix)) return Number(`${m[1]}${suffix}`);
  return Number(m[1]) * (SUFFIX_FACTORS[suffix] ?? NaN);
}

/**
 * Throws unless `value` is one of an enum's values. TypeScript cannot pass anything else, but
 * a jsii caller (Python, Java) can pass any string: `prop` is the path the caller set, e.g.
 * `migStrategy` or `updateStrategy.type`. undefined passes (the prop's default applies).
 */
export function requireOneOf(prop: string, value: unknown, allowed: { [member: string]: string }): void {
  if (value === undefined || bound(value)) return;
  const values = Object.values(allowed);
  if (typeof value !== 'string' || !values.includes(value)) {
    throw new Error(`${prop} must be one of ${values.map((v) => `"${v}"`).join(', ')} (got ${show(value)})`);
  }
}

/**
 * Throws when `value`, a struct, has a key the struct does not have: a typo (`timeslicing`) or a
 * snake_case key from a caller without the TypeScript compiler, which would otherwise be ignored
 * silently. (From Python, the jsii kernel itself drops unknown keys of a dict inside a list
 * before they get here, so there the README's advice holds: use the struct classes in lists.)
 * `struct` is the struct's name, for the message; `allowed` its props.
 */
export function requireKnownKeys(prop: string, value: unknown, struct: string, allowed: readonly string[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || bound(value)) return;
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const camel = key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    const hint =
      camel !== key && allowed.includes(camel)
        ? `; "${key}" is the snake_case spelling of "${camel}": use "${camel}" (from Python, pass ${struct}(...) inside lists, not a dict)`
        : `; its keys are ${allowed.map((k) => `"${k}"`).join(', ')}`;
    throw new Error(`${prop} has the key "${key}", which ${struct} does not have${hint}`);
  }
}

/** Throws unless `value` is an absolute path on the host; `prop` names it. */
export function requireAbsolutePath(prop: string, value: string): void {
  if (!bound(value) && !value.startsWith('/')) {
    throw new Error(`${prop} must be an absolute host path (got "${value}")`);
  }
}

// Prometheus Operator's Duration pattern (monitoring.coreos.com/v1): units y w d h m s ms,
// largest first, no spaces, no decimals.
const PROM_DURATION_RE = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

/** Throws unless `value` is a Prometheus duration such as `15s`, `1m30s` or `2h`. */
export function requirePromDuration(prop: string, value: string): void {
  if (value === '' || !PROM_DURATION_RE.test(value)) {
    throw new Error(
      `${prop} must be a Prometheus duration such as "15s", "1m30s" or "1h" (units y, w, d, h, m, s, ms, largest first) (got "${value}")`,
    );
  }
}

/** Milliseconds of a Prometheus duration already checked by requirePromDuration. */
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

/** Throws unless `value` is a Kubernetes/Flux duration (Go's time.ParseDuration): `30m`, `1h`, `1h30m`, `90s`. */
export function requireGoDuration(prop: string, value: string): void {
  if (!/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) {
    throw new Error(`${prop} must be a duration such as "10m", "1h" or "1h30m" (got "${value}")`);
  }
}

const COUNT_OR_PERCENT_RE = new RegExp(`^([1-9][0-9]*|${K8S_PATTERNS.percent})$`);

/** Throws unless `value` is `1`, `3` or a percentage like `10%` (maxUnavailable). */
export function requireCountOrPercent(prop: string, value: string): void {
  if (!COUNT_OR_PERCENT_RE.test(value)) {
    throw new Error(`${prop} must be a whole number ≥ 1 or a percentage like "25%" (got "${value}")`);
  }
}

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
export function requireWholeSeconds(prop: string, duration: Duration | undefined, min: number): number | undefined {
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
export function requireWholeMebibytes(prop: string, size: Size | undefined): number | undefined {
  if (size === undefined) {
    return undefined;
  }
  const mib = size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!Number.isInteger(mib) || mib < 1) {
    throw new Error(`${prop} must be a whole number of MiB ≥ 1 (got ${mib} MiB)`);
  }
  return mib;
}
