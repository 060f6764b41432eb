// Building blocks of the fuzzers: values that are valid for a field most of the time and
// hostile now and then (wrong case, spaces, template syntax, value-binding token markers,
// huge, empty, non-ASCII). Mostly valid, so that many cases get through validation and
// the output itself is checked; hostile often enough that every check is exercised.
import fc from 'fast-check';

/** Strings no field should take as they are. */
export const hostile: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '-',
    '.',
    'A',
    'UPPER',
    'a_b',
    'a b',
    'a/b',
    '-a',
    'a-',
    'a..b',
    'x'.repeat(64),
    'y'.repeat(254),
    '/',
    '/abs/path',
    'rel/path',
    '../..',
    '{{ .Values.x }}',
    '{{',
    '\u27e6cv:0\u27e7',
    '\u27e6cv:',
    'a\nb',
    'tab\t',
    'é',
    '💥',
    'null',
    'true',
    '0',
    '-1',
    '1.5',
    'NaN',
    'latest',
    'nvidia.com/gpu',
    'kubernetes.io/x',
    '=',
    'a=b',
    '$(VAR)',
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);

/** Mostly `valid`, sometimes `hostile` (or another wrong value). */
export function mostly<T>(
  valid: fc.Arbitrary<T>,
  wrong: fc.Arbitrary<T> = hostile as unknown as fc.Arbitrary<T>,
): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: wrong, weight: 1 });
}

/** An optional prop: absent half the time. */
export function optional<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined, freq: 2 });
}

export const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
export const dnsSubdomain = fc.stringMatching(
  /^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?){0,2}$/,
);
/** Subdomain fields: valid mostly, otherwise hostile or wrong only at a dot (a check written as one regex misses those). */
export const subdomainField = mostly(
  dnsSubdomain,
  fc.oneof(hostile, fc.constantFrom('a..b', 'a.-b', 'a-.b', 'gpu..critical', '.a', 'a.')),
);
export const labelValue = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?$/);
export const labelKey = fc.oneof(
  labelValue,
  fc.tuple(dnsSubdomain, labelValue).map(([p, n]) => `${p}/${n}`),
);
export const absPath = fc
  .array(fc.stringMatching(/^[a-z0-9][-a-z0-9_.]{0,8}$/), { minLength: 1, maxLength: 4 })
  .map((p) => `/${p.join('/')}`);
export const envName = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,15}$/);
export const imageTag = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/);
// A path component of an image reference: lower case runs joined by one '.', '_' or '-'.
const imageComponent = fc.stringMatching(/^[a-z0-9]{1,6}([._-][a-z0-9]{1,6}){0,2}$/);
export const imageRepo = fc.tuple(imageComponent, imageComponent, imageComponent).map(([r, a, b]) => `${r}/${a}/${b}`);
export const imageRef = fc.oneof(
  fc.tuple(imageRepo, imageTag).map(([r, t]) => `${r}:${t}`),
  fc.tuple(imageRepo, fc.stringMatching(/^[a-f0-9]{64}$/)).map(([r, d]) => `${r}@sha256:${d}`),
);
/** Kubernetes quantities, some of them negative or malformed. */
export const quantity = mostly(
  fc.oneof(
    fc.integer({ min: 1, max: 4096 }).map((n) => `${n}Mi`),
    fc.integer({ min: 1, max: 64 }).map((n) => `${n}Gi`),
    fc.integer({ min: 1, max: 4000 }).map((n) => `${n}m`),
    fc.integer({ min: 1, max: 16 }).map(String),
  ),
  fc.constantFrom('-1', '-64Mi', '1.5.5', 'lots', '', '64 Mi', '1e999999', '0x10'),
);
/** Whole numbers mostly in range, with the classic wrong ones. */
export function count(min: number, max: number): fc.Arbitrary<number> {
  return mostly(
    fc.integer({ min, max }),
    fc.constantFrom(min - 1, -1, 0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, -(2 ** 31)),
  );
}
/** A Toleration as users write them, sometimes wrong. */
export const toleration = fc.record(
  {
    key: optional(mostly(labelKey)),
    operator: optional(mostly(fc.constantFrom('Exists', 'Equal'))),
    value: optional(mostly(labelValue)),
    effect: optional(mostly(fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute'))),
    tolerationSeconds: optional(fc.integer({ min: -10, max: 100000 })),
  },
  { requiredKeys: [] },
);
/** A map of label keys to label values, sometimes wrong. */
export const labelMap = fc.dictionary(mostly(labelKey), mostly(labelValue), { maxKeys: 3 });

/**
 * A deep copy with ordinary prototypes. fast-check builds records and dictionaries on
 * null-prototype objects, which no user passes and on which cdk8s' serializer crashes
 * (it reads `constructor.name`); props are built from this copy.
 */
export function plain<T>(x: T): T {
  if (Array.isArray(x)) return x.map(plain) as unknown as T;
  if (x !== null && typeof x === 'object') {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)])) as T;
  }
  return x;
}
