/**
 * Value binding: a prop (or a piece of a synthesized object) that is either a literal or a
 * reference to something a Helm chart supplies at install time.
 *
 * A binding travels through constructs and cdk8s as an opaque *token string* (like the AWS
 * CDK's tokens): plain strings survive concatenation (`${name}-config`), JSON patches and
 * cdk8s' own resolution untouched. The chart toolkit (`src/chart/`) later finds the tokens
 * in the synthesized objects and writes Go template syntax in their place. This module only
 * encodes and decodes; it knows nothing about Helm's files, so constructs may import it
 * while never importing the chart toolkit.
 */
import { randomBytes } from 'crypto';

/** How a scalar binding is printed: strings are quoted so `1.0` or `true` stay strings. */
export type ScalarType = 'string' | 'number' | 'boolean';

/** One branch of a conditional binding: `value` is rendered when `condition` holds. */
export interface BindingBranch {
  /** A Go template condition, e.g. `.Values.timeSlicing.enabled`. */
  readonly condition: string;
  /** The JSON value (which may itself hold tokens) rendered when the condition holds. */
  readonly value: unknown;
}

/** What a token stands for. */
export type ValueBinding =
  /** `{{ expr }}` in place of a scalar (or inside a longer string). */
  | { readonly kind: 'scalar'; readonly expr: string; readonly type: ScalarType }
  /** A YAML block (object or list) produced by `expr`: `toYaml …`, `include …`. */
  | { readonly kind: 'block'; readonly expr: string }
  /** A multi-line string (`key: |`) whose text `expr` produces. */
  | { readonly kind: 'text'; readonly expr: string }
  /** The first branch whose condition holds; `otherwise` (if any) when none does, else the key or item is left out. */
  | { readonly kind: 'choice'; readonly branches: BindingBranch[]; readonly otherwise?: unknown };

// A token carries a random nonce made once per process, so a literal string that merely
// looks like a token (a user's "⟦cv:0⟧") is never taken for one: constructs skip their
// checks only for tokens this module issued. Tokens never leave the process that made them.
const NONCE = randomBytes(8).toString('hex');
const OPEN = `\u27e6cv:${NONCE}:`;
const CLOSE = '\u27e7';
const TOKEN_RE = new RegExp(`\u27e6cv:${NONCE}:(\\d+)\u27e7`, 'g');
const WHOLE_TOKEN_RE = new RegExp(`^\u27e6cv:${NONCE}:(\\d+)\u27e7$`);

// Process-wide, append-only: a token must decode the same way wherever it travelled.
const registry: ValueBinding[] = [];

function register(binding: ValueBinding): string {
  registry.push(binding);
  return `${OPEN}${registry.length - 1}${CLOSE}`;
}

function isIssued(id: string): boolean {
  return Number(id) < registry.length;
}

// Go template paths are dotted identifiers; anything else would render as a template error.
const VALUE_PATH_RE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Part of a string split around its tokens. */
export type StringPart = string | ValueBinding;

/**
 * Factory and inspector of value-binding tokens.
 */
export class ChartValue {
  /**
   * A scalar bound to a chart value, e.g. `ChartValue.value('priorityClassName')` renders
   * as `{{ .Values.priorityClassName | quote }}`.
   * @param path dotted path below `.Values`
   * @param type how the value is printed
   */
  public static value(path: string, type: ScalarType = 'string'): string {
    if (!VALUE_PATH_RE.test(path)) {
      throw new Error(`chart value path must be dotted identifiers like "image.tag" (got "${path}")`);
    }
    return register({ kind: 'scalar', expr: `.Values.${path}`, type });
  }

  /**
   * A scalar produced by any Go template expression, e.g. `include "x.fullname" .`.
   * @param expr the expression, without braces
   * @param type how the value is printed
   */
  public static expr(expr: string, type: ScalarType = 'string'): string {
    return register({ kind: 'scalar', expr: checkExpr(expr), type });
  }

  /**
   * An object or list produced as YAML by `expr`, e.g. `toYaml .Values.tolerations`. Used as
   * an object key (with any value), it splices the block's entries in among the others.
   * Wrap it in `when` to leave the key out while the value is empty.
   * @param expr expression that yields YAML text
   */
  public static block(expr: string): string {
    return register({ kind: 'block', expr: checkExpr(expr) });
  }

  /**
   * A multi-line string whose text `expr` produces (written as a `|` block).
   * @param expr expression that yields the text
   */
  public static text(expr: string): string {
    return register({ kind: 'text', expr: checkExpr(expr) });
  }

  /**
   * A value (or list item, or key) that exists only while `condition` holds.
   * @param condition Go template condition
   * @param value what to render then
   */
  public static when(condition: string, value: unknown): string {
    return ChartValue.choose([{ condition, value }]);
  }

  /**
   * The first branch whose condition holds, else `otherwise` (or nothing at all).
   * @param branches conditions and their values, in order
   * @param otherwise value when no condition holds
   */
  public static choose(branches: BindingBranch[], otherwise?: unknown): string {
    if (branches.length === 0) {
      throw new Error('a conditional chart value needs at least one branch (got none)');
    }
    for (const b of branches) checkExpr(b.condition);
    return register({ kind: 'choice', branches: branches.map((b) => ({ ...b })), otherwise });
  }

  /**
   * True when `x` is, or contains anywhere (strings, lists, object keys and values), a token
   * issued by this module: constructs skip their literal checks for such values, since the
   * chart checks them. Text that only looks like a token is a literal like any other.
   * @param x any value
   */
  public static isUnresolved(x: unknown): boolean {
    if (typeof x === 'string') {
      return [...x.matchAll(TOKEN_RE)].some((m) => isIssued(m[1]));
    }
    if (Array.isArray(x)) {
      return x.some((v) => ChartValue.isUnresolved(v));
    }
    if (x !== null && typeof x === 'object') {
      return Object.entries(x).some(([k, v]) => ChartValue.isUnresolved(k) || ChartValue.isUnresolved(v));
    }
    return false;
  }

  /**
   * The binding when `s` is exactly one token, else undefined.
   * @param s a string
   */
  public static decode(s: string): ValueBinding | undefined {
    const m = WHOLE_TOKEN_RE.exec(s);
    return m ? lookup(m[1]) : undefined;
  }

  /**
   * `s` split into literal text and bindings, in order; literal parts are never empty.
   * @param s a string
   */
  public static split(s: string): StringPart[] {
    const parts: StringPart[] = [];
    let last = 0;
    for (const m of s.matchAll(TOKEN_RE)) {
      if (m.index! > last) parts.push(s.slice(last, m.index));
      parts.push(lookup(m[1]));
      last = m.index! + m[0].length;
    }
    if (last < s.length) parts.push(s.slice(last));
    return parts;
  }
}

function lookup(id: string): ValueBinding {
  const b = registry[Number(id)];
  if (!b) {
    throw new Error(`unknown chart value token #${id}: it was made in another process or by hand`);
  }
  return b;
}

function checkExpr(expr: string): string {
  if (expr.trim() === '' || expr.includes('{{') || expr.includes('}}')) {
    throw new Error(`a chart value expression is the inside of {{ }}, without braces (got "${expr}")`);
  }
  return expr;
}
