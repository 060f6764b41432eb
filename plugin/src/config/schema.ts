/**
 * Zod schema of NVIDIA's `version: v1` config file (api/config/v1 in
 * NVIDIA/k8s-device-plugin). Strict: an unknown key is an error, because a mistyped
 * key (`renameByDefualt`) silently ignored is a node that shares nothing.
 *
 * Every field registers, by its path pattern (`sharing.mps.resources[].replicas`),
 * the rule a person reads when it is wrong, and every object its known keys for
 * "did you mean". file.ts turns zod's issues into messages from these.
 */
import { z } from 'zod';
import { InvalidValue } from './errors.js';
import {
  ALLOCATION_POLICIES,
  DEVICE_ID_STRATEGIES,
  DISCOVERY_STRATEGIES,
  MIG_STRATEGIES,
  RULES,
  requireAbsolutePath,
  requireDeviceListStrategies,
  requireImexChannelIDs,
  requireDeviceRef,
  parseResourceName,
} from './rules.js';

/** Known keys of each object, by path pattern ('' is the root). */
export const KNOWN_KEYS = new Map<string, readonly string[]>();
/** What each field must be, by path pattern. */
export const FIELD_RULES = new Map<string, string>();

/** `sharing.mps.resources.0.replicas` → `sharing.mps.resources[].replicas`. */
export function pathPattern(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += '[]';
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** `['sharing', 'mps', 'resources', 0]` → `sharing.mps.resources[0]`. */
export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** YAML's `key:` with nothing after it is null; Go reads that as "not set", so do we. */
const nullToUndefined = (value: unknown): unknown => (value === null ? undefined : value);

function optional<T extends z.ZodType>(pattern: string, rule: string, schema: T) {
  FIELD_RULES.set(pattern, rule);
  return z.preprocess(nullToUndefined, schema.optional());
}

function required<T extends z.ZodType>(pattern: string, rule: string, schema: T) {
  FIELD_RULES.set(pattern, rule);
  return schema;
}

function object<S extends z.ZodRawShape>(pattern: string, shape: S) {
  KNOWN_KEYS.set(pattern, Object.keys(shape));
  FIELD_RULES.set(pattern, `must be a mapping with keys ${Object.keys(shape).join(', ')}`);
  return z.strictObject(shape);
}

/** A field checked by one of the shared value rules (rules.ts), which throw InvalidValue. */
function checked<T>(check: (value: unknown) => T) {
  return z.unknown().transform((value, ctx): T => {
    try {
      return check(value);
    } catch (error) {
      if (!(error instanceof InvalidValue)) throw error;
      ctx.addIssue({ code: 'custom', message: error.rule });
      return z.NEVER;
    }
  });
}

/** The words go-yaml v2 (YAML 1.1, which NVIDIA parses with) reads as booleans. */
const YAML11_BOOLEANS = new Map<string, boolean>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE'].map((w) => [w, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE'].map((w) => [w, false] as const),
]);

function bool(pattern: string) {
  const schema = z.preprocess(
    (value) => (typeof value === 'string' && YAML11_BOOLEANS.has(value) ? YAML11_BOOLEANS.get(value) : value),
    z.boolean(),
  );
  return optional(pattern, RULES.bool, schema);
}

function enumOf<T extends string>(pattern: string, values: readonly T[], rule: string) {
  return optional(pattern, rule, z.enum(values as [T, ...T[]]));
}

function str(pattern: string, rule: string = RULES.string) {
  // An empty string means "not set" in NVIDIA's file (Go's zero value).
  return optional(
    pattern,
    rule,
    z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  );
}

function absolutePath(pattern: string) {
  return optional(
    pattern,
    RULES.absolutePath,
    z.preprocess(
      (v) => (v === '' ? undefined : v),
      checked((v) => {
        if (v === undefined) return undefined;
        if (typeof v !== 'string') throw new InvalidValue(RULES.absolutePath);
        return requireAbsolutePath(v);
      }),
    ),
  );
}

const deviceListStrategy = checked((value) => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return requireDeviceListStrategies(value.split(',').map((s) => s.trim()));
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return requireDeviceListStrategies(value as string[]);
  }
  throw new InvalidValue(RULES.deviceListStrategy);
});

const stringList = checked((value) => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw new InvalidValue(RULES.stringList);
});

const resourceName = checked((value) => {
  if (typeof value !== 'string') throw new InvalidValue(RULES.resourceName);
  return parseResourceName(value);
});

/** NVIDIA's ReplicaDevices: "all", a count, or a list of device references. */
export type DevicesValue = 'all' | string[] | { count: number };

const devices = checked((value): DevicesValue => {
  if (value === undefined || value === null || value === 'all') return 'all';
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return { count: value };
  if (Array.isArray(value) && value.length > 0) return value.map(requireDeviceRef);
  throw new InvalidValue(RULES.devices);
});

const channelIDs = checked((value) => {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'number' && Number.isInteger(id))) {
    throw new InvalidValue(RULES.imexChannelIDs);
  }
  return requireImexChannelIDs(value as number[]);
});

function replicated(prefix: string) {
  const item = `${prefix}.resources[]`;
  const resource = object(item, {
    name: required(`${item}.name`, RULES.resourceName, resourceName),
    rename: optional(`${item}.rename`, RULES.resourceName, resourceName),
    devices: optional(`${item}.devices`, RULES.devices, devices),
    replicas: required(`${item}.replicas`, RULES.replicas, z.number().int().min(1)),
  });
  return optional(
    prefix,
    `must be a mapping with keys renameByDefault, failRequestsGreaterThanOne, resources`,
    object(prefix, {
      renameByDefault: bool(`${prefix}.renameByDefault`),
      failRequestsGreaterThanOne: bool(`${prefix}.failRequestsGreaterThanOne`),
      resources: optional(
        `${prefix}.resources`,
        'must be a list of {name, replicas, rename, devices}',
        z.array(resource),
      ),
    }),
  );
}

function namingRules(prefix: string) {
  const item = `${prefix}[]`;
  return optional(
    prefix,
    'must be a list of {pattern, name}',
    z.array(
      object(item, {
        pattern: required(`${item}.pattern`, RULES.string, z.string()),
        name: required(`${item}.name`, RULES.string, z.string()),
      }),
    ),
  );
}

const pluginFlags = object('flags.plugin', {
  passDeviceSpecs: bool('flags.plugin.passDeviceSpecs'),
  deviceListStrategy: optional('flags.plugin.deviceListStrategy', RULES.deviceListStrategy, deviceListStrategy),
  deviceIDStrategy: enumOf('flags.plugin.deviceIDStrategy', DEVICE_ID_STRATEGIES, RULES.deviceIDStrategy),
  cdiAnnotationPrefix: str('flags.plugin.cdiAnnotationPrefix'),
  nvidiaCTKPath: str('flags.plugin.nvidiaCTKPath'),
  containerDriverRoot: str('flags.plugin.containerDriverRoot'),
  sharedDevicesAllocationPolicy: enumOf(
    'flags.plugin.sharedDevicesAllocationPolicy',
    ALLOCATION_POLICIES,
    RULES.allocationPolicy,
  ),
  kubeletSocket: str('flags.plugin.kubeletSocket'),
  cdiFeatureFlags: optional('flags.plugin.cdiFeatureFlags', RULES.stringList, stringList),
});

const flags = object('flags', {
  migStrategy: enumOf('flags.migStrategy', MIG_STRATEGIES, RULES.migStrategy),
  failOnInitError: bool('flags.failOnInitError'),
  nvidiaDriverRoot: absolutePath('flags.nvidiaDriverRoot'),
  nvidiaDevRoot: absolutePath('flags.nvidiaDevRoot'),
  mpsRoot: absolutePath('flags.mpsRoot'),
  gdrcopyEnabled: bool('flags.gdrcopyEnabled'),
  gdsEnabled: bool('flags.gdsEnabled'),
  mofedEnabled: bool('flags.mofedEnabled'),
  // GFD's option; the plugin accepts it so one file can serve both, and ignores it.
  useNodeFeatureAPI: bool('flags.useNodeFeatureAPI'),
  deviceDiscoveryStrategy: enumOf('flags.deviceDiscoveryStrategy', DISCOVERY_STRATEGIES, RULES.discoveryStrategy),
  plugin: optional('flags.plugin', FIELD_RULES.get('flags.plugin') ?? '', pluginFlags),
  // GFD's own section: accepted and ignored, whatever it holds.
  gfd: optional('flags.gfd', 'must be a mapping (used by gpu-feature-discovery only)', z.looseObject({})),
});

export const configFileSchema = object('', {
  version: optional(
    'version',
    RULES.version,
    z.preprocess((v) => (v === '' ? undefined : v), z.literal('v1').optional()),
  ),
  flags: optional('flags', FIELD_RULES.get('flags') ?? '', flags),
  resources: optional(
    'resources',
    'must be a mapping with keys gpus, mig',
    object('resources', { gpus: namingRules('resources.gpus'), mig: namingRules('resources.mig') }),
  ),
  sharing: optional(
    'sharing',
    'must be a mapping with keys timeSlicing, mps',
    object('sharing', { timeSlicing: replicated('sharing.timeSlicing'), mps: replicated('sharing.mps') }),
  ),
  imex: optional(
    'imex',
    'must be a mapping with keys channelIDs, required',
    object('imex', {
      channelIDs: optional('imex.channelIDs', RULES.imexChannelIDs, channelIDs),
      required: bool('imex.required'),
    }),
  ),
});

export type ConfigFileShape = z.output<typeof configFileSchema>;
