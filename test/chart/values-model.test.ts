import { Fields, defaultsOf, schemaOf, walkFields } from '../../src/chart/values-model';

interface Sample {
  a: string;
  g: { b: number; c: number | null };
}
const fields: Fields<Sample> = {
  a: { kind: 'leaf', description: 'A.', default: 'x', schema: { type: 'string' }, typeLabel: 'string' },
  g: {
    kind: 'group',
    description: 'G.',
    properties: {
      b: { kind: 'leaf', description: 'B.', default: 1, schema: { type: 'integer' }, typeLabel: 'int' },
      c: { kind: 'leaf', description: 'C.', default: null, schema: { type: ['integer', 'null'] }, typeLabel: 'int' },
    },
    rules: [{ description: 'a rule' }],
  },
};

test('walkFields visits parents before children with dotted paths', () => {
  const seen: string[] = [];
  walkFields(fields, (p) => seen.push(p));
  expect(seen).toEqual(['a', 'g', 'g.b', 'g.c']);
});

test('defaultsOf builds the values object, copying defaults', () => {
  const d = defaultsOf(fields);
  expect(d).toEqual({ a: 'x', g: { b: 1, c: null } });
});

test('schemaOf is strict and requires every key without a null default', () => {
  expect(schemaOf(fields)).toEqual({
    type: 'object',
    additionalProperties: false,
    required: ['a', 'g'],
    properties: {
      a: { description: 'A.', type: 'string' },
      g: {
        description: 'G.',
        type: 'object',
        additionalProperties: false,
        required: ['b'],
        properties: { b: { description: 'B.', type: 'integer' }, c: { description: 'C.', type: ['integer', 'null'] } },
        allOf: [{ description: 'a rule' }],
      },
    },
  });
});
