/**
 * fast-check generators for config file text: documents shaped like NVIDIA's `version: v1`
 * file (known keys from the plugin's own schema table, with typos and random values),
 * written as YAML or JSON, sometimes corrupted, plus plain random bytes.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { KNOWN_KEYS } from '../../../plugin/src/config/schema';

/** Values a person might write: the right words, near misses, wrong types. */
const scalar: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'v1',
      'v2',
      'none',
      'single',
      'mixed',
      'envvar',
      'volume-mounts',
      'cdi-annotations',
      'cdi-cri',
      'uuid',
      'index',
    ),
    weight: 4,
  },
  {
    arbitrary: fc.constantFrom(
      'all',
      'distributed',
      'packed',
      'auto',
      'nvml',
      'tegra',
      'true',
      'yes',
      'off',
      'Y',
      '/run/nvidia/mps',
      'relative/path',
    ),
    weight: 3,
  },
  {
    arbitrary: fc.constantFrom(
      'nvidia.com/gpu',
      'gpu',
      'nvidia.com/mig-1g.5gb',
      'NVIDIA.com/GPU',
      'GPU-abc',
      'MIG-abc',
      '0:1',
      'a'.repeat(70),
    ),
    weight: 3,
  },
  { arbitrary: fc.integer({ min: -3, max: 200 }), weight: 3 },
  { arbitrary: fc.constantFrom(0, 1, 2 ** 53, -(2 ** 31), 1.5, Number.MAX_SAFE_INTEGER), weight: 1 },
  { arbitrary: fc.boolean(), weight: 2 },
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 1 },
);

/** `flags.plugin` → the keys the schema knows under it, for objects and lists of objects. */
function keysAt(pattern: string): readonly string[] {
  return KNOWN_KEYS.get(pattern) ?? [];
}

function child(pattern: string, key: string): string {
  return pattern === '' ? key : `${pattern}.${key}`;
}

/** A typo of a known key, the kind "did you mean" is for. */
const typo = (key: string): fc.Arbitrary<string> =>
  fc.constantFrom(key.toLowerCase(), `${key}s`, key.slice(1), key.replace(/[aeiou]/, ''), `${key} `);

/**
 * A value for the field at `pattern`: an object of its known keys when the schema has
 * one there (or a list of them), else a scalar, a list or a random JSON value.
 */
function valueAt(pattern: string, depth: number): fc.Arbitrary<unknown> {
  const objectKeys = keysAt(pattern);
  const listKeys = keysAt(`${pattern}[]`);
  const leaf = fc.oneof(
    { arbitrary: scalar, weight: 6 },
    { arbitrary: fc.array(scalar, { maxLength: 3 }), weight: 2 },
    { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
  );
  if (depth > 4) return leaf;
  if (objectKeys.length > 0)
    return fc.oneof({ arbitrary: objectAt(pattern, objectKeys, depth), weight: 8 }, { arbitrary: leaf, weight: 1 });
  if (listKeys.length > 0) {
    return fc.oneof(
      { arbitrary: fc.array(objectAt(`${pattern}[]`, listKeys, depth), { maxLength: 3 }), weight: 8 },
      { arbitrary: leaf, weight: 1 },
    );
  }
  return leaf;
}

function objectAt(pattern: string, keys: readonly string[], depth: number): fc.Arbitrary<Record<string, unknown>> {
  const entry = fc
    .constantFrom(...keys)
    .chain((key) =>
      fc.tuple(
        fc.oneof({ arbitrary: fc.constant(key), weight: 9 }, { arbitrary: typo(key), weight: 1 }),
        valueAt(child(pattern, key), depth + 1),
      ),
    );
  return fc.array(entry, { maxLength: Math.min(keys.length, 4) }).map((pairs) => Object.fromEntries(pairs));
}

/** A whole document shaped like the config file; `version: v1` most of the time. */
export const configDocument: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    objectAt('', keysAt(''), 0),
    fc.oneof({ arbitrary: fc.constant('v1'), weight: 5 }, { arbitrary: scalar, weight: 1 }),
  )
  .map(([doc, version]) => ({ version, ...doc }));

type Edit = { at: number; remove: number; insert: string };

/** Cuts, inserts and replaces characters: broken indentation, quotes, brackets. */
const edits: fc.Arbitrary<Edit[]> = fc.array(
  fc.record({
    at: fc.nat(),
    remove: fc.nat({ max: 4 }),
    insert: fc.oneof(
      fc.constantFrom(
        '',
        ' ',
        '\n',
        ':',
        '- ',
        '{',
        '}',
        '[',
        '"',
        "'",
        '&a',
        '*a',
        '!!binary',
        '\t',
        '#',
        '%YAML 1.1\n',
      ),
      fc.string({ maxLength: 3 }),
    ),
  }),
  { minLength: 1, maxLength: 3 },
);

function applyEdits(text: string, list: readonly Edit[]): string {
  let out = text;
  for (const e of list) {
    const at = out.length === 0 ? 0 : e.at % out.length;
    out = out.slice(0, at) + e.insert + out.slice(at + e.remove);
  }
  return out;
}

/** Config file text: YAML or JSON of a document, sometimes corrupted, or random bytes as UTF-8. */
export const configText: fc.Arbitrary<{ kind: string; text: string }> = fc.oneof(
  { arbitrary: configDocument.map((d) => ({ kind: 'YAML', text: stringify(d) })), weight: 4 },
  { arbitrary: configDocument.map((d) => ({ kind: 'JSON', text: JSON.stringify(d, null, 2) })), weight: 2 },
  {
    arbitrary: fc.tuple(configDocument, fc.boolean(), edits).map(([d, json, e]) => ({
      kind: 'corrupted',
      text: applyEdits(json ? JSON.stringify(d) : stringify(d), e),
    })),
    weight: 3,
  },
  {
    arbitrary: fc
      .uint8Array({ maxLength: 300 })
      .map((b) => ({ kind: 'random bytes', text: Buffer.from(b).toString('utf8') })),
    weight: 2,
  },
  {
    arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((text) => ({ kind: 'random text', text })),
    weight: 1,
  },
);
