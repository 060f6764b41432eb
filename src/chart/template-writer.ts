import * as YAML from 'yaml';
import { ChartValue, ValueBinding } from '../common/value';

/**
 * Writes a synthesized Kubernetes object, whose strings may hold value-binding tokens
 * (`src/common/value.ts`), as the YAML text of a Helm template. Literal parts come out as
 * plain YAML; each token becomes Go template syntax at its place:
 *
 * - scalar:  `key: {{ expr | quote }}` (numbers and booleans unquoted), or inside a longer string;
 * - block:   `key:` then `{{- expr | nindent N }}`; as an object key it splices its entries in;
 * - text:    `key: |` then `{{- expr | nindent N }}`;
 * - choice:  `{{- if … }}` / `{{- else if … }}` / `{{- else }}` / `{{- end }}` around the key or list item.
 *
 * Indentation follows cdk8s' own output (two spaces, list items indented under their key).
 */
export function renderTemplate(doc: Record<string, unknown>): string {
  const lines: string[] = [];
  writeMap(doc, 0, lines);
  return lines.join('\n') + '\n';
}

const INDENT = 2;

function pad(n: number): string {
  return ' '.repeat(n);
}

function writeMap(obj: Record<string, unknown>, indent: number, lines: string[]): void {
  for (const [key, value] of Object.entries(obj)) {
    const keyBinding = ChartValue.decode(key);
    if (keyBinding) {
      if (keyBinding.kind !== 'block') {
        throw new Error(
          `only a block binding may stand in for object keys (got a ${keyBinding.kind} binding: ${describe(keyBinding)})`,
        );
      }
      lines.push(`${pad(indent)}{{- ${keyBinding.expr} | nindent ${indent} }}`);
      continue;
    }
    if (ChartValue.isUnresolved(key)) {
      throw new Error(
        `object key "${key}" mixes literal text and a chart value; keys may only be whole block bindings`,
      );
    }
    writeEntry(key, value, indent, lines);
  }
}

function writeEntry(key: string, value: unknown, indent: number, lines: string[]): void {
  const k = `${pad(indent)}${literalScalar(key)}:`;
  if (value === undefined) return;
  if (typeof value === 'string' && ChartValue.isUnresolved(value)) {
    const binding = ChartValue.decode(value);
    if (!binding) {
      lines.push(`${k} ${interpolated(value)}`);
      return;
    }
    switch (binding.kind) {
      case 'scalar':
        lines.push(`${k} ${scalarExpr(binding)}`);
        return;
      case 'block':
        lines.push(k, `${pad(indent + INDENT)}{{- ${binding.expr} | nindent ${indent + INDENT} }}`);
        return;
      case 'text':
        lines.push(`${k} |`, `${pad(indent + INDENT)}{{- ${binding.expr} | nindent ${indent + INDENT} }}`);
        return;
      case 'choice':
        writeChoice(binding, indent, lines, (v, out) => writeEntry(key, v, indent, out));
        return;
    }
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      lines.push(`${k} []`);
    } else {
      lines.push(k);
      writeList(value, indent + INDENT, lines);
    }
    return;
  }
  if (isObject(value)) {
    if (Object.keys(value).length === 0) {
      lines.push(`${k} {}`);
    } else {
      lines.push(k);
      writeMap(value, indent + INDENT, lines);
    }
    return;
  }
  lines.push(`${k} ${literalScalar(value)}`);
}

function writeList(items: unknown[], indent: number, lines: string[]): void {
  for (const item of items) {
    writeItem(item, indent, lines);
  }
}

function writeItem(item: unknown, indent: number, lines: string[]): void {
  if (typeof item === 'string' && ChartValue.isUnresolved(item)) {
    const binding = ChartValue.decode(item);
    if (binding?.kind === 'choice') {
      writeChoice(binding, indent, lines, (v, out) => writeItem(v, indent, out));
      return;
    }
    if (binding?.kind === 'block') {
      // The expression yields list items of its own; they join this list.
      lines.push(`${pad(indent)}{{- ${binding.expr} | nindent ${indent} }}`);
      return;
    }
    lines.push(`${pad(indent)}- ${binding ? scalarOnly(binding) : interpolated(item)}`);
    return;
  }
  if (isObject(item) && Object.keys(item).length > 0) {
    const inner: string[] = [];
    writeMap(orderForListItem(item), indent + INDENT, inner);
    const first = inner[0];
    if (first.trimStart().startsWith('{{')) {
      // No plain key to carry the dash: a bare `-` opens the item, its entries follow below.
      lines.push(`${pad(indent)}-`, ...inner);
    } else {
      lines.push(`${pad(indent)}- ${first.slice(indent + INDENT)}`, ...inner.slice(1));
    }
    return;
  }
  if (Array.isArray(item) && item.length > 0) {
    lines.push(`${pad(indent)}-`);
    writeList(item, indent + INDENT, lines);
    return;
  }
  lines.push(`${pad(indent)}- ${Array.isArray(item) ? '[]' : isObject(item) ? '{}' : literalScalar(item)}`);
}

// The dash of a list item must sit on a plain `key: value` line, never on a template action
// (`{{-` would eat the dash's trailing space); moving one plain key first keeps `- key:`.
function orderForListItem(item: Record<string, unknown>): Record<string, unknown> {
  const entries = Object.entries(item);
  const plain = entries.findIndex(
    ([k, v]) => !ChartValue.isUnresolved(k) && !(typeof v === 'string' && ChartValue.decode(v)?.kind === 'choice'),
  );
  if (plain <= 0) return item;
  return Object.fromEntries([entries[plain], ...entries.filter((_, i) => i !== plain)]);
}

function writeChoice(
  binding: Extract<ValueBinding, { kind: 'choice' }>,
  indent: number,
  lines: string[],
  writeValue: (value: unknown, out: string[]) => void,
): void {
  binding.branches.forEach((branch, i) => {
    lines.push(`${pad(indent)}{{- ${i === 0 ? 'if' : 'else if'} ${branch.condition} }}`);
    writeValue(branch.value, lines);
  });
  if (binding.otherwise !== undefined) {
    lines.push(`${pad(indent)}{{- else }}`);
    writeValue(binding.otherwise, lines);
  }
  lines.push(`${pad(indent)}{{- end }}`);
}

function scalarExpr(binding: Extract<ValueBinding, { kind: 'scalar' }>): string {
  return binding.type === 'string' ? `{{ ${binding.expr} | quote }}` : `{{ ${binding.expr} }}`;
}

function scalarOnly(binding: ValueBinding): string {
  if (binding.kind !== 'scalar') {
    throw new Error(`a ${binding.kind} binding cannot stand where a single value belongs (${describe(binding)})`);
  }
  return scalarExpr(binding);
}

// A string mixing literal text and scalar bindings, e.g. `{{ include "x.fullname" . }}-config`.
// It is written double-quoted, so the literal parts must not need escapes; the chart's schema
// keeps the bound values free of quotes and backslashes.
function interpolated(s: string): string {
  const out = ChartValue.split(s).map((part) => {
    if (typeof part === 'string') {
      if (/["\\]|\{\{|\}\}/.test(part)) {
        throw new Error(`literal text "${part}" next to a chart value must not hold quotes, backslashes or braces`);
      }
      return part;
    }
    if (part.kind !== 'scalar') {
      throw new Error(`only scalar bindings may sit inside a longer string (got ${describe(part)} in "${s}")`);
    }
    return `{{ ${part.expr} }}`;
  });
  return `"${out.join('')}"`;
}

function literalScalar(value: unknown): string {
  if (typeof value === 'string' && /\{\{|\}\}/.test(value)) {
    throw new Error(`literal string "${value}" holds "{{" or "}}", which Helm would read as a template`);
  }
  if (value !== null && typeof value === 'object') {
    throw new Error(`internal: expected a scalar, got ${JSON.stringify(value)}`);
  }
  if (typeof value === 'string' && value.includes('\n')) {
    // A block scalar would need the indentation of its key; a JSON string is valid YAML anywhere.
    return JSON.stringify(value);
  }
  // YAML 1.1 quoting (as cdk8s writes), so "true", "1:0" or "yes" stay strings for every parser.
  return YAML.stringify(value, { version: '1.1', lineWidth: 0 }).trimEnd();
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(binding: ValueBinding): string {
  return binding.kind === 'choice' ? `if ${binding.branches[0].condition}` : binding.expr;
}
