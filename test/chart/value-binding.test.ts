import { ChartValue } from '../../src/common/value';

// The value-binding primitive of src/common/value.ts (it lives below the constructs; its
// tests live with the chart toolkit that renders it).

test('a value token decodes to a quoted scalar of that value path', () => {
  expect(ChartValue.decode(ChartValue.value('image.tag'))).toEqual({
    kind: 'scalar',
    expr: '.Values.image.tag',
    type: 'string',
  });
});

test('a value token keeps the scalar type it was made with', () => {
  expect(ChartValue.decode(ChartValue.value('replicas', 'number'))).toMatchObject({ type: 'number' });
});

test.each(['', 'image..tag', '.image', 'image-tag', 'Values.x y'])('a value path like "%s" is refused', (path) => {
  expect(() => ChartValue.value(path)).toThrow(
    `chart value path must be dotted identifiers like "image.tag" (got "${path}")`,
  );
});

test.each([
  ['expr', () => ChartValue.expr('{{ .Values.x }}')],
  ['block', () => ChartValue.block('')],
  ['text', () => ChartValue.text('  ')],
  ['when', () => ChartValue.when('{{ if }}', 1)],
])('%s refuses an expression with braces or nothing in it', (_what, make) => {
  expect(make).toThrow('a chart value expression is the inside of {{ }}, without braces');
});

test('choose needs at least one branch', () => {
  expect(() => ChartValue.choose([])).toThrow('a conditional chart value needs at least one branch (got none)');
});

test('when is a choice with one branch and no otherwise', () => {
  expect(ChartValue.decode(ChartValue.when('.Values.a', { x: 1 }))).toEqual({
    kind: 'choice',
    branches: [{ condition: '.Values.a', value: { x: 1 } }],
    otherwise: undefined,
  });
});

test('a token survives concatenation and splits back into literal text and bindings', () => {
  const name = ChartValue.expr('include "x.fullname" .');
  const parts = ChartValue.split(`${name}-config`);
  expect(parts).toEqual([{ kind: 'scalar', expr: 'include "x.fullname" .', type: 'string' }, '-config']);
});

test('a string with two tokens splits into four parts in order', () => {
  const s = `${ChartValue.value('a')}:${ChartValue.value('b')}@x`;
  expect(ChartValue.split(s).map((p) => (typeof p === 'string' ? p : p.kind === 'scalar' && p.expr))).toEqual([
    '.Values.a',
    ':',
    '.Values.b',
    '@x',
  ]);
});

test('decode gives undefined for a string that is more than one token', () => {
  expect(ChartValue.decode(`${ChartValue.value('a')}-x`)).toBeUndefined();
});

test('isUnresolved finds tokens in strings, lists, object keys and values', () => {
  const t = ChartValue.value('a');
  expect([t, `x${t}`, [1, t], { a: { b: t } }, { [t]: 1 }].map((v) => ChartValue.isUnresolved(v))).toEqual([
    true,
    true,
    true,
    true,
    true,
  ]);
});

test('isUnresolved is false for literal values', () => {
  expect(['a', 1, null, undefined, [1, 'b'], { a: { b: 'c' } }, true].map((v) => ChartValue.isUnresolved(v))).toEqual(
    Array(7).fill(false),
  );
});

test('a token of this process that was never issued is refused with a reason', () => {
  const forged = ChartValue.value('a').replace(/\d+\u27e7$/, '999999\u27e7');
  expect(() => ChartValue.decode(forged)).toThrow(
    'unknown chart value token #999999: it was made in another process or by hand',
  );
});

test.each([
  ['the marker alone', '\u27e6cv:'],
  ['a token without the nonce', '\u27e6cv:0\u27e7'],
  ['a token with a made-up nonce', '\u27e6cv:0123456789abcdef:0\u27e7'],
])('%s is a literal: not unresolved, not decoded, not split', (_what, text) => {
  ChartValue.value('a'); // token #0 exists, so only the nonce tells the forgery apart
  expect(ChartValue.isUnresolved(text)).toBe(false);
  expect(ChartValue.isUnresolved({ [text]: [text] })).toBe(false);
  expect(ChartValue.decode(text)).toBeUndefined();
  expect(ChartValue.split(`x${text}`)).toEqual([`x${text}`]);
});

test('a string with the nonce but an id never issued is not unresolved', () => {
  const forged = ChartValue.value('a').replace(/\d+\u27e7$/, '999999\u27e7');
  expect(ChartValue.isUnresolved(forged)).toBe(false);
});
