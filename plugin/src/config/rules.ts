/**
 * The vocabulary of the config and the rules every source shares, so that a flag, an
 * env var and the file reject the same values with the same words.
 *
 * One verb per kind of rule, as in the construct library's src/common/validation.ts:
 * - `parse*(text)` turns text as a user wrote it (a flag, an env var, a string in the file)
 *   into a value: a boolean, a number, a list, an enum member, a full resource name;
 * - `require*(value)` throws unless a value is allowed, and returns it (a list without
 *   repeats, a device reference as a string), so that it can serve as an option's `parse`;
 * - `is*(value)` answers whether a value is allowed, for callers with their own message.
 * Each throws InvalidValue with the rule's words from RULES; the caller names the source
 * and the field. The construct side's `require*(prop, value)` names the prop itself.
 */
import { isAbsolute } from 'node:path';
import { MAX_RESOURCE_NAME_LENGTH, RESOURCE_PREFIX } from '../constants.js';
import { InvalidValue } from './errors.js';

// Each enum is declared once, as its list of values; its type is derived from the list.
export const MIG_STRATEGIES = ['none', 'single', 'mixed'] as const;
export type MigStrategy = (typeof MIG_STRATEGIES)[number];
export const DEVICE_LIST_STRATEGIES = ['envvar', 'volume-mounts', 'cdi-annotations', 'cdi-cri'] as const;
export type DeviceListStrategy = (typeof DEVICE_LIST_STRATEGIES)[number];
export const DEVICE_ID_STRATEGIES = ['uuid', 'index'] as const;
export type DeviceIdStrategy = (typeof DEVICE_ID_STRATEGIES)[number];
export const ALLOCATION_POLICIES = ['distributed', 'packed'] as const;
export type SharedDevicesAllocationPolicy = (typeof ALLOCATION_POLICIES)[number];
/** NVIDIA also has `tegra`; this plugin finds GPUs through NVML only. */
export const DISCOVERY_STRATEGIES = ['auto', 'nvml'] as const;
export type DiscoveryStrategy = (typeof DISCOVERY_STRATEGIES)[number];
/** NVIDIA's config-manager fallbacks when the node label is unset and no default config is given. */
export const FALLBACK_STRATEGIES = ['named', 'single', 'empty'] as const;
export type FallbackStrategy = (typeof FALLBACK_STRATEGIES)[number];
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The rules, worded once. Each completes "<field> …". */
export const RULES = {
  bool: 'must be true or false',
  boolText: 'must be true or false (1 or 0 also work)',
  migStrategy: `must be one of ${MIG_STRATEGIES.join(', ')}`,
  deviceListStrategy: `must be one or more of ${DEVICE_LIST_STRATEGIES.join(', ')} (a string, a list, or a comma-separated string)`,
  deviceIDStrategy: `must be one of ${DEVICE_ID_STRATEGIES.join(', ')}`,
  allocationPolicy: `must be one of ${ALLOCATION_POLICIES.join(', ')}`,
  discoveryStrategy: 'must be auto or nvml (this plugin finds GPUs through NVML only, so tegra is not supported)',
  fallbackStrategies: `must be one or more of ${FALLBACK_STRATEGIES.join(', ')} (comma list; named = the config named "default", single = the only config, empty = built-in defaults)`,
  configName: 'must be a config file name in --config-dir (no "/", not starting with ".")',
  logLevel: `must be one of ${LOG_LEVELS.join(', ')}`,
  absolutePath: 'must be an absolute path (starting with /)',
  nonEmpty: 'must be a non-empty string',
  port: 'must be a whole number from 0 to 65535 (0 turns the HTTP endpoint off)',
  seconds: 'must be a whole number of seconds ≥ 0 (0 = never recover, as NVIDIA does)',
  milliseconds: 'must be a whole number of milliseconds ≥ 0 (0 = off, as NVIDIA does)',
  imexChannelIDs: 'must be [] or [0] (NVIDIA supports only IMEX channel 0)',
  replicas: 'must be a whole number ≥ 1',
  version: 'must be "v1" (the only version of this file format)',
  resourceName:
    `must be a resource name like nvidia.com/gpu or gpu: lowercase letters, digits, "-" and ".", ` +
    `starting and ending with a letter or digit, at most ${MAX_RESOURCE_NAME_LENGTH} characters with the nvidia.com/ prefix`,
  devices: 'must be "all" or a list of GPU indices (0), MIG indices ("0:1") or UUIDs (GPU-…, MIG-…)',
  string: 'must be a string',
  stringList: 'must be a string or a list of strings',
} as const;

export function parseEnum<T extends string>(values: readonly T[], rule: string): (text: string) => T {
  return (text) => {
    if ((values as readonly string[]).includes(text)) return text as T;
    throw new InvalidValue(rule);
  };
}

const TRUE_WORDS = ['1', 't', 'true'];
const FALSE_WORDS = ['0', 'f', 'false'];

/** The words Go's strconv.ParseBool takes (NVIDIA reads env booleans with it). */
export function parseBool(text: string): boolean {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw new InvalidValue(RULES.boolText);
}

/** Comma-separated, as urfave/cli splits slice flags and their env vars. */
export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function requireDeviceListStrategies(items: readonly string[]): DeviceListStrategy[] {
  if (items.length === 0) throw new InvalidValue(RULES.deviceListStrategy);
  for (const item of items) {
    if (!(DEVICE_LIST_STRATEGIES as readonly string[]).includes(item)) {
      throw new InvalidValue(`${RULES.deviceListStrategy}; "${item}" is not one of them`);
    }
  }
  return [...new Set(items)] as DeviceListStrategy[];
}

export function parseFallbackStrategies(text: string): FallbackStrategy[] {
  const items = parseList(text);
  if (items.length === 0) throw new InvalidValue(RULES.fallbackStrategies);
  for (const item of items) {
    if (!(FALLBACK_STRATEGIES as readonly string[]).includes(item)) {
      throw new InvalidValue(`${RULES.fallbackStrategies}; "${item}" is not one of them`);
    }
  }
  return items as FallbackStrategy[];
}

/** A config name is a file name in the config directory (a ConfigMap key). */
export function requireConfigName(text: string): string {
  if (text === '' || text.includes('/') || text.startsWith('.')) throw new InvalidValue(RULES.configName);
  return text;
}

export function requireImexChannelIDs(ids: readonly number[]): number[] {
  if (ids.length === 0) return [];
  if (ids.length === 1 && ids[0] === 0) return [0];
  throw new InvalidValue(RULES.imexChannelIDs);
}

export function parseImexChannelIDs(text: string): number[] {
  const ids = parseList(text).map((item) => {
    if (!/^\d+$/.test(item)) throw new InvalidValue(RULES.imexChannelIDs);
    return Number(item);
  });
  return requireImexChannelIDs(ids);
}

export function parseWholeNumber(rule: string, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const trimmed = text.trim();
    if (!/^\d+$/.test(trimmed)) throw new InvalidValue(rule);
    const value = Number(trimmed);
    if (value > max) throw new InvalidValue(rule);
    return value;
  };
}

export function requireAbsolutePath(text: string): string {
  if (!isAbsolute(text)) throw new InvalidValue(RULES.absolutePath);
  return text;
}

export function requireNonEmpty(text: string): string {
  if (text.trim() === '') throw new InvalidValue(RULES.nonEmpty);
  return text;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * NVIDIA's NewResourceName: the `nvidia.com/` prefix is added when missing, the whole
 * name must fit the kubelet's 63 characters and the part after the slash must be a
 * DNS subdomain.
 */
export function parseResourceName(name: string): string {
  const full = name.startsWith(`${RESOURCE_PREFIX}/`) ? name : `${RESOURCE_PREFIX}/${name}`;
  if (!isResourceName(full)) throw new InvalidValue(RULES.resourceName);
  return full;
}

/**
 * Whether `full` is a name the plugin may advertise: `nvidia.com/<DNS subdomain>`, at most
 * MAX_RESOURCE_NAME_LENGTH characters. The one resource-name rule of the plugin: the config
 * file (parseResourceName) and the names built from it (devices/resource-naming.ts) ask it.
 */
export function isResourceName(full: string): boolean {
  return (
    full.length <= MAX_RESOURCE_NAME_LENGTH &&
    full.startsWith(`${RESOURCE_PREFIX}/`) &&
    DNS_SUBDOMAIN.test(full.slice(RESOURCE_PREFIX.length + 1))
  );
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const DEVICE_REF_FORMS = [
  /^\d+$/, // GPU index
  /^\d+:\d+$/, // MIG index <gpu>:<mig>
  new RegExp(`^GPU-${UUID}$`),
  new RegExp(`^MIG-${UUID}$`),
  new RegExp(`^MIG-GPU-${UUID}/\\d+/\\d+$`), // pre-R470 MIG UUIDs
];

/** One entry of `devices`: what NVIDIA's ReplicaDeviceRef accepts, as a string. */
export function requireDeviceRef(ref: unknown): string {
  if (typeof ref === 'number' && Number.isSafeInteger(ref) && ref >= 0) return String(ref);
  if (typeof ref === 'string' && DEVICE_REF_FORMS.some((form) => form.test(ref))) return ref;
  throw new InvalidValue(RULES.devices);
}
