/**
 * Which named config a node runs: NVIDIA's config-manager v0.20.0 (cmd/config-manager,
 * updateConfigName), with one deliberate difference. NVIDIA's: label set → that config;
 * label unset → --default-config if given, else the fallback strategies in order (named =
 * the config called "default", single = the only config, empty = no config file). A label
 * or default naming a config that does not exist is an error there, and the sidecar exits
 * (the pod restarts, the node keeps its old config until it is fixed). Here such a name is a
 * warning and the node gets the choice it would have without it, and keeps advertising.
 */
import { readdirSync } from 'node:fs';
import type { FallbackStrategy } from '../config/rules.js';

/** The config named by NVIDIA's `named` fallback. */
export const NAMED_FALLBACK = 'default';

export interface SelectInput {
  /** The node label's value; undefined or '' = unset (NVIDIA treats both the same). */
  label: string | undefined;
  /** Config names present in the directory. */
  available: readonly string[];
  defaultConfig?: string;
  fallbackStrategies: readonly FallbackStrategy[];
  /** The label key, for messages. */
  labelKey?: string;
}

export interface Selection {
  /** The config name, or null for "no config file" (the empty fallback: built-in defaults). */
  name: string | null;
  /** How it was chosen, for the log. */
  reason: string;
  /** Something the operator should fix (a label or default naming no config). */
  warnings: string[];
}

/** No config could be chosen (NVIDIA's config-manager fails the same way). */
export class NoConfigError extends Error {}

export function selectConfig(input: SelectInput): Selection {
  const available = [...input.available].sort();
  const key = input.labelKey ?? 'the config label';
  const names = available.length > 0 ? available.join(', ') : '(none)';
  const warnings: string[] = [];
  if (available.length === 0) {
    throw new NoConfigError('no configuration files in the config directory; add at least one named config');
  }
  if (input.label) {
    if (available.includes(input.label)) return { name: input.label, reason: `node label ${key}`, warnings };
    warnings.push(
      `node label ${key}=${input.label} names no config; available configs: ${names}. ` +
        'Serving the default config instead; set the label to one of the available names or remove it',
    );
  }
  if (input.defaultConfig) {
    if (available.includes(input.defaultConfig)) {
      return {
        name: input.defaultConfig,
        reason: input.label ? 'default config (label names no config)' : 'default config',
        warnings,
      };
    }
    warnings.push(
      `default config "${input.defaultConfig}" (--default-config) names no config; available configs: ${names}. ` +
        'Trying the fallback strategies',
    );
  }
  for (const strategy of input.fallbackStrategies) {
    if (strategy === 'named' && available.includes(NAMED_FALLBACK)) {
      return { name: NAMED_FALLBACK, reason: 'fallback strategy named (the config called "default")', warnings };
    }
    if (strategy === 'single' && available.length === 1) {
      return { name: available[0], reason: 'fallback strategy single (the only config)', warnings };
    }
    if (strategy === 'empty') return { name: null, reason: 'fallback strategy empty (built-in defaults)', warnings };
  }
  throw new NoConfigError(
    `no config selected: the node label ${key} is ${input.label ? `"${input.label}", which names no config` : 'unset'}, ` +
      `${input.defaultConfig ? `the default config "${input.defaultConfig}" does not exist` : 'no default config is given'}, ` +
      `and the fallback strategies [${input.fallbackStrategies.join(', ')}] found none among: ${names}. ` +
      'Set --default-config, add a config named "default", or add "empty" to --fallback-strategies',
  );
}

/**
 * The config names in a directory: regular files and symlinks to them, not dot-files (the
 * kubelet's ..data and ..<timestamp> entries of a mounted ConfigMap) and not directories.
 */
export function listConfigNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.') && !entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
