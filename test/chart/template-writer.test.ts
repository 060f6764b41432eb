import * as YAML from 'yaml';
import { ChartValue } from '../../src/common/value';
import { renderTemplate } from '../../src/chart/template-writer';

test('literal objects come out as YAML that parses back to the same object', () => {
  const doc = { kind: 'X', spec: { list: [{ a: 1, b: 'true' }, 'x'], empty: {}, none: [], n: null, multi: 'a\nb' } };
  expect(YAML.parse(renderTemplate(doc), { version: '1.1' })).toEqual(doc);
});

test('list items are indented under their key, as cdk8s writes them', () => {
  expect(renderTemplate({ a: [{ b: 1, c: 2 }] })).toBe('a:\n  - b: 1\n    c: 2\n');
});

test('a string scalar binding is quoted; a number binding is not', () => {
  expect(renderTemplate({ s: ChartValue.value('s'), count: ChartValue.value('n', 'number') })).toBe(
    's: {{ .Values.s | quote }}\ncount: {{ .Values.n }}\n',
  );
});

test('keys a YAML 1.1 parser would misread are quoted', () => {
  expect(renderTemplate({ n: 1, on: 'yes' })).toBe('"n": 1\n"on": "yes"\n');
});

test('bindings inside a longer string make one double-quoted string', () => {
  expect(renderTemplate({ name: `${ChartValue.expr('include "c.fullname" .')}-config` })).toBe(
    'name: "{{ include "c.fullname" . }}-config"\n',
  );
});

test('a block binding writes the key, then the block indented below it', () => {
  expect(renderTemplate({ spec: { tolerations: ChartValue.block('toYaml .Values.tolerations') } })).toBe(
    'spec:\n  tolerations:\n    {{- toYaml .Values.tolerations | nindent 4 }}\n',
  );
});

test('a block binding as an object key splices its entries among the literal ones', () => {
  expect(renderTemplate({ labels: { [ChartValue.block('include "c.labels" .')]: null, extra: 'x' } })).toBe(
    'labels:\n  {{- include "c.labels" . | nindent 2 }}\n  extra: x\n',
  );
});

test('a text binding writes a literal block scalar', () => {
  expect(renderTemplate({ data: { 'config.yaml': ChartValue.text('include "c.config" .') } })).toBe(
    'data:\n  config.yaml: |\n    {{- include "c.config" . | nindent 4 }}\n',
  );
});

test('a choice writes if / else if / else around the key', () => {
  const v = ChartValue.choose(
    [
      { condition: '.Values.a', value: 1 },
      { condition: '.Values.b', value: { x: 2 } },
    ],
    3,
  );
  expect(renderTemplate({ k: v })).toBe(
    [
      '{{- if .Values.a }}',
      'k: 1',
      '{{- else if .Values.b }}',
      'k:',
      '  x: 2',
      '{{- else }}',
      'k: 3',
      '{{- end }}',
      '',
    ].join('\n'),
  );
});

test('a choice in a list wraps the item', () => {
  expect(renderTemplate({ l: ['a', ChartValue.when('.Values.b', { name: 'b' })] })).toBe(
    'l:\n  - a\n  {{- if .Values.b }}\n  - name: b\n  {{- end }}\n',
  );
});

test('a list item keeps its dash on a plain key when its first key is conditional', () => {
  expect(renderTemplate({ l: [{ opt: ChartValue.when('.Values.o', 1), name: 'x' }] })).toBe(
    'l:\n  - name: x\n    {{- if .Values.o }}\n    opt: 1\n    {{- end }}\n',
  );
});

test('a list item with only template lines gets a bare dash', () => {
  expect(renderTemplate({ l: [{ [ChartValue.block('include "c.x" .')]: null }] })).toBe(
    'l:\n  -\n    {{- include "c.x" . | nindent 4 }}\n',
  );
});

test('a block binding as a list item joins its items to the list', () => {
  expect(renderTemplate({ l: ['a', ChartValue.block('toYaml .Values.more')] })).toBe(
    'l:\n  - a\n  {{- toYaml .Values.more | nindent 2 }}\n',
  );
});

test.each([
  [
    'a literal string with template braces',
    { a: 'x {{ y }}' },
    'literal string "x {{ y }}" holds "{{" or "}}", which Helm would read as a template',
  ],
  [
    'a block inside a longer string',
    { a: `x${ChartValue.block('toYaml .Values.y')}` },
    'only scalar bindings may sit inside a longer string',
  ],
  [
    'a quote next to a binding',
    { a: `"${ChartValue.value('y')}` },
    'literal text """ next to a chart value must not hold quotes, backslashes or braces',
  ],
  [
    'a scalar binding as a key',
    { [ChartValue.value('k')]: 1 },
    'only a block binding may stand in for object keys (got a scalar binding: .Values.k)',
  ],
  [
    'a key mixing text and a binding',
    { [`x-${ChartValue.block('toYaml .')}`]: 1 },
    'mixes literal text and a chart value',
  ],
])('refuses %s', (_what, doc, message) => {
  expect(() => renderTemplate(doc)).toThrow(message);
});
