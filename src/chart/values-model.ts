/**
 * The shape of a chart's values model: one typed tree from which values.yaml (with a
 * `# --` comment on every key), values.schema.json and the README's values table are all
 * written, so the three can never disagree.
 */

/** A JSON Schema fragment (draft 2020-12, as Helm 3.19 checks it). */
export type JsonSchema = { [key: string]: unknown };

/** A value that values.yaml holds as one piece: a scalar, a list, or a Kubernetes object. */
export interface LeafField<T> {
  readonly kind: 'leaf';
  /** One or two sentences for values.yaml and the README. */
  readonly description: string;
  /** The default written to values.yaml. */
  readonly default: T;
  /** Schema of the value (the writer adds nothing to it). */
  readonly schema: JsonSchema;
  /** Type shown in the README, e.g. `string`, `list of tolerations`. */
  readonly typeLabel: string;
}

/** A group of values; every key is required and no other key is allowed. */
export interface GroupField<T> {
  readonly kind: 'group';
  readonly description: string;
  readonly properties: Fields<T>;
  /** Cross-field rules (`if`/`then` and the like) added to the group's schema. */
  readonly rules?: JsonSchema[];
}

/** Any field of a value of type T. */
export type Field<T> = LeafField<T> | (T extends readonly unknown[] ? never : T extends object ? GroupField<T> : never);

/** One field per key of T: the compiler checks that the tree covers the typed model. */
export type Fields<T> = { readonly [K in keyof T]-?: Field<T[K]> };

/** Visits every field depth first, parents before children, with its dotted path. */
export function walkFields(fields: Fields<any>, visit: (path: string, field: Field<any>) => void, prefix = ''): void {
  for (const [key, field] of Object.entries(fields) as [string, Field<any>][]) {
    const path = prefix ? `${prefix}.${key}` : key;
    visit(path, field);
    if (field.kind === 'group') {
      walkFields(field.properties, visit, path);
    }
  }
}

/** The default values object of a field tree. */
export function defaultsOf<T>(fields: Fields<T>): T {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields) as [string, Field<any>][]) {
    out[key] =
      field.kind === 'group' ? defaultsOf(field.properties) : JSON.parse(JSON.stringify(field.default ?? null));
  }
  return out as T;
}

/** The strict JSON Schema of a field tree: every key (but null defaults) required, no unknown keys. */
export function schemaOf(fields: Fields<any>, rules: JsonSchema[] = []): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [key, field] of Object.entries(fields) as [string, Field<any>][]) {
    properties[key] =
      field.kind === 'group'
        ? { description: field.description, ...schemaOf(field.properties, field.rules) }
        : { description: field.description, ...field.schema };
  }
  const schema: JsonSchema = {
    type: 'object',
    additionalProperties: false,
    // Helm drops keys whose value is null while merging values, so those cannot be required.
    required: Object.entries(fields)
      .filter(([, f]) => f.kind === 'group' || f.default !== null)
      .map(([k]) => k),
    properties,
  };
  if (rules.length > 0) schema.allOf = rules;
  return schema;
}
