/**
 * Reads NVIDIA's `version: v1` config file text (YAML or JSON) into validated
 * settings. Errors carry the file name and line of the offending key.
 */
import { Document, LineCounter, isMap, isNode, isPair, isScalar, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, showValue } from './errors.js';
import {
  FIELD_RULES,
  KNOWN_KEYS,
  configFileSchema,
  pathPattern,
  pathText,
  type ConfigFileShape,
  type DevicesValue,
} from './schema.js';
import { OPTIONS, type SettingKey, type Settings } from './options.js';
import { closestMatch } from './suggest.js';
import type { ReplicatedResources, Sharing } from './types.js';

/** A validated config file: the options it sets, its sharing section, and what to warn about. */
export interface ConfigFile {
  source: string;
  settings: Partial<Settings>;
  sharing: Sharing;
  warnings: string[];
}

/**
 * Parses and validates config file text. `source` names the file in messages (a path,
 * or e.g. `ConfigMap gpu/plugin-config key default`). Throws ConfigError listing every
 * problem found, each with its line.
 */
export function parseConfigFile(text: string, source: string): ConfigFile {
  const lines = new LineCounter();
  const { data, doc } = parseText(text, source, lines);
  if (data !== undefined && (typeof data !== 'object' || Array.isArray(data))) {
    throw new ConfigError(
      `config file ${source}: must be a mapping with keys version, flags, resources, sharing, imex (got ${showValue(data)})`,
    );
  }
  const result = configFileSchema.safeParse(data ?? {});
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => describeIssue(issue, data, doc, lines, source));
    const heading = problems.length === 1 ? '' : `config file ${source} has ${problems.length} problems:\n  - `;
    throw new ConfigError(heading + problems.join('\n  - '));
  }
  return toConfigFile(result.data, source);
}

function parseText(text: string, source: string, lines: LineCounter): { data: unknown; doc?: Document } {
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, schema: 'core' });
  if (doc.errors.length > 0) {
    // JSON is YAML, but JSON.parse words JSON mistakes better when the text is JSON.
    if (/^\s*[{[]/.test(text)) jsonError(text, source);
    const first = doc.errors[0];
    const { line, col } = lines.linePos(first.pos[0]);
    const message = first.message.split('\n')[0];
    throw new ConfigError(`config file ${source}, line ${line} column ${col}: not valid YAML or JSON: ${message}`);
  }
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) as unknown, doc };
  } catch (error) {
    // The parser accepts them, but turning the document into data throws (a ReferenceError)
    // for an alias with no anchor (`flags: *nope`) and for an alias bomb.
    const message = (error as Error).message;
    const fix = /unresolved alias/i.test(message)
      ? 'define each anchor (&name) before an alias (*name) refers to it'
      : 'write the values out instead of expanding aliases more than 100 times';
    throw new ConfigError(`config file ${source}: not valid YAML: ${message}; ${fix}`);
  }
}

function jsonError(text: string, source: string): void {
  try {
    JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    let where = '';
    if (position) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split('\n').length;
      where = `, line ${line} column ${Number(position[1]) - before.lastIndexOf('\n')}`;
    }
    throw new ConfigError(`config file ${source}${where}: not valid JSON: ${message}`);
  }
}

function describeIssue(
  issue: z.core.$ZodIssue,
  data: unknown,
  doc: Document | undefined,
  lines: LineCounter,
  source: string,
): string[] {
  const path = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    const known = KNOWN_KEYS.get(pathPattern(path)) ?? [];
    return issue.keys.map((key) => {
      const where = locate(doc, lines, source, path, key);
      const full = pathText([...path, key]);
      const suggestion = closestMatch(key, known);
      const didYouMean = suggestion ? `; did you mean ${pathText([...path, suggestion])}?` : '';
      return `${where}unknown key ${full}${didYouMean} (known keys here: ${known.join(', ')})`;
    });
  }
  const where = locate(doc, lines, source, path);
  const value = valueAt(data, path);
  // Custom issues come from the shared value rules and may say more than the field's rule.
  const rule = issue.code === 'custom' ? issue.message : (FIELD_RULES.get(pathPattern(path)) ?? issue.message);
  const field = pathText(path);
  return [
    value === undefined
      ? `${where}${field} is missing (it ${rule})`
      : `${where}${field} ${rule} (got ${showValue(value)})`,
  ];
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = data;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/** "config file X, line N: " for the node at path (or its key), as close as the document allows. */
function locate(
  doc: Document | undefined,
  lines: LineCounter,
  source: string,
  path: readonly PropertyKey[],
  key?: string,
): string {
  let line: number | undefined;
  if (doc) {
    for (let depth = path.length; depth >= 0 && line === undefined; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
      if (depth === path.length && key !== undefined && isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
        if (pair && isNode(pair.key) && pair.key.range) line = lines.linePos(pair.key.range[0]).line;
      }
      if (line === undefined && isNode(node) && node.range) line = lines.linePos(node.range[0]).line;
    }
  }
  return line === undefined ? `config file ${source}: ` : `config file ${source}, line ${line}: `;
}

function toConfigFile(shape: ConfigFileShape, source: string): ConfigFile {
  const warnings: string[] = [];
  // Every option with a filePath reads its field; the compiler has checked that the field
  // exists in the schema and that its value fits the option (options.ts, FilePathFor).
  const settings: Partial<Record<SettingKey, unknown>> = {};
  for (const spec of OPTIONS) {
    const value = spec.filePath === undefined ? undefined : valueAt(shape, spec.filePath.split('.'));
    if (value !== undefined) settings[spec.key] = value;
  }

  if ((shape.resources?.gpus?.length ?? 0) > 0 || (shape.resources?.mig?.length ?? 0) > 0) {
    warnings.push(
      `config file ${source}: resources (custom resource names) is ignored, as NVIDIA's plugin ignores it; ` +
        'the default names nvidia.com/gpu and nvidia.com/mig-<profile> are used',
    );
  }
  return {
    source,
    settings: settings as Partial<Settings>,
    sharing: toSharing(shape.sharing, source, warnings),
    warnings,
  };
}

type ReplicatedShape = NonNullable<NonNullable<ConfigFileShape['sharing']>['mps']>;

function toReplicated(
  shape: ReplicatedShape,
  section: string,
  failByDefault: boolean,
  source: string,
  warnings: string[],
): ReplicatedResources {
  return {
    renameByDefault: shape.renameByDefault ?? false,
    failRequestsGreaterThanOne: shape.failRequestsGreaterThanOne ?? failByDefault,
    resources: (shape.resources ?? []).map((resource, i) => ({
      name: resource.name,
      ...(resource.rename !== undefined ? { rename: resource.rename } : {}),
      devices: toDevices(resource.devices ?? 'all', `${section}.resources[${i}].devices`, source, warnings),
      replicas: resource.replicas,
    })),
  };
}

function toDevices(value: DevicesValue, field: string, source: string, warnings: string[]): 'all' | string[] {
  if (typeof value === 'object' && !Array.isArray(value)) {
    // NVIDIA's format allows a count, but its plugin drops `devices` before using it;
    // "the first N" has no defined order, so every device of the resource is shared.
    warnings.push(
      `config file ${source}: ${field} is a count (${value.count}); a count has no defined meaning, ` +
        'so all devices of the resource are shared (list GPU indices or UUIDs to choose devices)',
    );
    return 'all';
  }
  return value;
}

const isActive = (r: ReplicatedResources): boolean => r.resources.some((resource) => resource.replicas > 1);

function toSharing(shape: ConfigFileShape['sharing'], source: string, warnings: string[]): Sharing {
  const timeSlicing = shape?.timeSlicing
    ? toReplicated(shape.timeSlicing, 'sharing.timeSlicing', false, source, warnings)
    : undefined;
  // NVIDIA keeps MPS's historical default: more than one replica per request fails.
  const mps = shape?.mps ? toReplicated(shape.mps, 'sharing.mps', true, source, warnings) : undefined;
  if (timeSlicing && mps) {
    // NVIDIA picks MPS when it has replicas, else time-slicing; keep only the one it would use.
    const keepMps = isActive(mps);
    warnings.push(
      `config file ${source}: sharing.timeSlicing and sharing.mps are both set; only one sharing mode runs at a ` +
        `time, so ${keepMps ? 'sharing.mps is used and sharing.timeSlicing ignored' : 'sharing.timeSlicing is used and sharing.mps (no resource with replicas > 1) ignored'}`,
    );
    return keepMps ? { mps } : { timeSlicing };
  }
  return { ...(timeSlicing ? { timeSlicing } : {}), ...(mps ? { mps } : {}) };
}
