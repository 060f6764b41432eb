// Random values for the chart, generated from its own values.schema.json: each case
// overrides a few top-level keys with values that mostly satisfy the schema (so helm
// renders them and the output is checked) and sometimes do not (so the refusal is).
// Strings the schema leaves free get Kubernetes-shaped values, mostly valid.
import fc from 'fast-check';
import { hostile, labelKey, labelValue, mostly, quantity, subdomainField } from './primitives';

type Schema = { [key: string]: any };

/** Wrong a quarter of the time: fields the schema leaves open (known gaps) show in every run. */
const oftenWrong = (valid: fc.Arbitrary<string>) =>
  fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: hostile, weight: 1 });

/** Generators for strings the schema does not constrain, by their JSON pointer (`*` for any key or index). */
const FREE_STRINGS: { [pointer: string]: fc.Arbitrary<string> } = {
  '/priorityClassName': oftenWrong(subdomainField),
  '/tolerations/*/key': mostly(labelKey),
  '/tolerations/*/value': mostly(labelValue),
  '/nodeSelector/*': oftenWrong(labelValue),
  '/extraArgs/*': fc.string({ maxLength: 12 }),
  '/extraEnv/*': fc.string({ maxLength: 12 }),
  '/resources/limits/*': quantity,
  '/resources/requests/*': quantity,
};
/** Keys of free maps, by the map's pointer. */
const FREE_KEYS: { [pointer: string]: fc.Arbitrary<string> } = {
  '/nodeSelector': oftenWrong(labelKey),
  '/resources/limits': fc.constantFrom('memory', 'cpu', 'ephemeral-storage'),
  '/resources/requests': fc.constantFrom('memory', 'cpu', 'ephemeral-storage'),
};

function pointerKey(pointer: string): string {
  return pointer.replace(/\/(\d+)(?=\/|$)/g, '/*');
}

function freeString(pointer: string): fc.Arbitrary<string> {
  const generic = pointerKey(pointer);
  const parent = generic.replace(/\/[^/]*$/, '/*');
  return FREE_STRINGS[generic] ?? FREE_STRINGS[parent] ?? mostly(labelValue);
}

function stringFor(schema: Schema, pointer: string): fc.Arbitrary<string> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.pattern) {
    const re = new RegExp(schema.pattern);
    return fc.stringMatching(re).filter((s) => s.length <= (schema.maxLength ?? 63));
  }
  return freeString(pointer);
}

/** Values that satisfy `schema` (its `allOf`/`if`/`then`/`not` aside: helm checks those). */
export function valueFor(schema: Schema, pointer: string): fc.Arbitrary<unknown> {
  if (schema.anyOf || schema.oneOf)
    return fc.oneof(...(schema.anyOf ?? schema.oneOf).map((s: Schema) => valueFor(s, pointer)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringFor(schema, pointer);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -5, max: (schema.minimum ?? 0) + 200 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -5, max: 1000, noNaN: true });
    case 'array': {
      const items = valueFor(schema.items ?? {}, `${pointer}/0`);
      const opts = { minLength: schema.minItems ?? 0, maxLength: Math.max(schema.minItems ?? 0, 3) };
      return schema.uniqueItems
        ? fc.uniqueArray(items, { ...opts, selector: (v) => JSON.stringify(v) })
        : fc.array(items, opts);
    }
    case 'object':
      return objectFor(schema, pointer);
    default:
      return fc.constant({});
  }
}

function objectFor(schema: Schema, pointer: string): fc.Arbitrary<unknown> {
  const props: Schema = { ...schema.properties };
  // A required key the schema describes only through additionalProperties (resources.limits.memory).
  for (const key of schema.required ?? [])
    props[key] ??= typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {};
  const fields = Object.fromEntries(
    Object.entries(props).map(([k, s]) => [k, valueFor(s as Schema, `${pointer}/${k}`)]),
  );
  const fixed = fc.record(fields, { requiredKeys: schema.required ?? [] });
  if (!schema.additionalProperties || typeof schema.additionalProperties !== 'object') return fixed;
  const keyPattern = schema.propertyNames?.pattern;
  const keys =
    FREE_KEYS[pointerKey(pointer)] ??
    (keyPattern ? fc.stringMatching(new RegExp(keyPattern)).filter((k) => k.length <= 20) : mostly(labelKey));
  const extra = fc.dictionary(keys, valueFor(schema.additionalProperties, `${pointer}/*`), { maxKeys: 3 });
  return fc.tuple(fixed, extra).map(([a, b]) => ({ ...b, ...(a as object) }));
}

/** A value of the wrong kind for almost any key. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  hostile,
  fc.integer({ min: -3, max: 3 }),
  fc.constant(1.5),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({ x: 1 }),
);

/**
 * Overrides of a few top-level keys (helm merges them into values.yaml): valid for the
 * schema five times in six, else with one key wrong or unknown.
 */
export function chartValuesArbitrary(schema: Schema): fc.Arbitrary<{ [key: string]: unknown }> {
  const top = Object.keys(schema.properties);
  // Another chart's keys (NVIDIA's), marked deprecated, are always refused: only `broken` cases try them.
  const own = top.filter((k) => schema.properties[k].deprecated !== true);
  const valid = fc
    .uniqueArray(fc.constantFrom(...own), { minLength: 1, maxLength: 4 })
    .chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, valueFor(schema.properties[k], `/${k}`)]))))
    .map((v) => JSON.parse(JSON.stringify(v)) as { [key: string]: unknown });
  const broken = fc
    .tuple(
      valid,
      fc.oneof(fc.constantFrom(...top), fc.constantFrom('migstrategy', 'image_tag', 'podSecurityContext')),
      wrongValue,
    )
    .map(([v, key, wrong]) => ({ ...v, [key]: wrong }));
  return fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: broken, weight: 1 });
}
