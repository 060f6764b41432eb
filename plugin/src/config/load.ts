/**
 * The plugin's configuration: flags > env vars > config file > defaults, as NVIDIA's
 * config.go:NewConfig merges them, then checks that need the merged view (MPS needs
 * an MPS root, MPS cannot run with mixed MIG).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgv, type FlagValue } from './argv.js';
import { ConfigError, InvalidValue, showValue } from './errors.js';
import { parseConfigFile, type ConfigFile } from './file.js';
import { healthFromEnv } from './health.js';
import {
  OPTIONS,
  defaultSettings,
  fileSection,
  type AnyOption,
  type InFileSection,
  type SettingKey,
  type Settings,
} from './options.js';
import type { Flags, Imex, PluginConfig, PluginFlags, ReplicatedResources, RuntimeOptions, Sharing } from './types.js';

export { helpText } from './help.js';
export { summarizeConfig } from './summary.js';
export { parseConfigFile } from './file.js';
export { ConfigError } from './errors.js';

export interface LoadInput {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  /**
   * Receives what is accepted but worth a log line (ignored `resources`, both sharing
   * modes set, …). Config loading itself never logs.
   */
  warn?: (message: string) => void;
  /**
   * With --config-dir: the config file the config manager selected for this node (null =
   * none, built-in defaults). Read instead of --config-file.
   */
  selectedConfigFile?: string | null;
}

/** Where a setting came from, for messages about settings combined from several sources. */
type Origin = string;

/**
 * Builds the effective config. Throws ConfigError for anything wrong, with a message
 * that names the source, the field, the value and what is allowed. `--help`/`-h` are
 * ignored here: cli.ts prints helpText() before calling this.
 */
export function loadConfig(input: LoadInput): PluginConfig {
  const warn = input.warn ?? (() => undefined);
  const flagValues = parseArgv(input.argv);
  const flagLayer = parseLayer(flagValues, (value) => value.label);
  const envLayer = parseLayer(envValues(input.env), (value) => value.label);
  requireConfigDir(flagLayer, envLayer);
  const configFile =
    input.selectedConfigFile !== undefined
      ? (input.selectedConfigFile ?? undefined)
      : (flagLayer.settings.configFile ?? envLayer.settings.configFile);
  const file = configFile === undefined ? undefined : readConfigFile(configFile);
  file?.warnings.forEach(warn);
  return build([flagLayer, envLayer, fileLayer(file)], file, input.env, warn);
}

/**
 * The config a file alone gives (defaults for the rest, no flags or env): what the
 * constructs' contract test feeds synthesized ConfigMaps to.
 */
export function configFromFile(text: string, source: string, warn?: (message: string) => void): PluginConfig {
  const file = parseConfigFile(text, source);
  file.warnings.forEach(warn ?? (() => undefined));
  return build([fileLayer(file)], file, {}, warn ?? (() => undefined));
}

/**
 * --config-dir (named configs chosen by the node label) and --config-file (one config)
 * exclude each other; --config-dir needs this node's name to find its label.
 */
function requireConfigDir(flags: Layer, env: Layer): void {
  const origin = (key: SettingKey): string | undefined => flags.origins[key] ?? env.origins[key];
  const dir = origin('configDir');
  if (dir === undefined) return;
  const file = origin('configFile');
  if (file !== undefined) {
    throw new ConfigError(
      `${file} and ${dir} were both given: use one. Drop ${file} to select a config per node from the ` +
        `directory by the node label, or drop ${dir} to run every node with the one file`,
    );
  }
  if ((flags.settings.nodeName ?? env.settings.nodeName) === undefined) {
    throw new ConfigError(
      `${dir} needs this node's name to read its config label: set --node-name or NODE_NAME ` +
        '(in a DaemonSet, from the downward API: env NODE_NAME valueFrom fieldRef spec.nodeName)',
    );
  }
}

interface Layer {
  settings: Partial<Settings>;
  origins: Partial<Record<SettingKey, Origin>>;
}

function parseLayer(values: Map<SettingKey, FlagValue>, origin: (value: FlagValue) => string): Layer {
  const layer: Layer = { settings: {}, origins: {} };
  for (const [key, value] of values) {
    const spec = OPTIONS.find((candidate) => candidate.key === key) as AnyOption;
    (layer.settings as Record<string, unknown>)[key] = parseValue(spec, value);
    layer.origins[key] = origin(value);
  }
  return layer;
}

function parseValue(spec: AnyOption, value: FlagValue): unknown {
  try {
    return spec.parse(value.text);
  } catch (error) {
    if (error instanceof InvalidValue) {
      throw new ConfigError(`${value.label} ${error.rule} (got ${showValue(value.text)})`);
    }
    throw error;
  }
}

/**
 * Env vars, first name found wins. An empty variable counts as unset: manifests and
 * charts often render `VALUE: ""` for "not configured".
 */
function envValues(env: NodeJS.ProcessEnv): Map<SettingKey, FlagValue> {
  const values = new Map<SettingKey, FlagValue>();
  for (const spec of OPTIONS) {
    const name = spec.env.find((candidate) => (env[candidate] ?? '') !== '');
    if (name !== undefined) {
      values.set(spec.key, { text: env[name] as string, label: `environment variable ${name}` });
    }
  }
  return values;
}

function readConfigFile(path: string): ConfigFile {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(
      `config file ${path} cannot be read (${reason}); check --config-file/CONFIG_FILE and that the ConfigMap is mounted there`,
    );
  }
  return parseConfigFile(text, path);
}

function fileLayer(file: ConfigFile | undefined): Layer {
  const layer: Layer = { settings: file?.settings ?? {}, origins: {} };
  const paths = new Map(OPTIONS.map((spec) => [spec.key, spec.filePath]));
  for (const key of Object.keys(layer.settings) as SettingKey[]) {
    layer.origins[key] = `${paths.get(key) ?? key} in config file ${file?.source}`;
  }
  return layer;
}

/** Layers in precedence order, highest first. */
function build(
  layers: Layer[],
  file: ConfigFile | undefined,
  env: NodeJS.ProcessEnv,
  warn: (m: string) => void,
): PluginConfig {
  const settings = defaultSettings();
  const origins: Partial<Record<SettingKey, Origin>> = {};
  for (const layer of [...layers].reverse()) {
    Object.assign(settings, layer.settings);
    Object.assign(origins, layer.origins);
  }
  const sharing: Sharing = file?.sharing ?? {};
  requireSharing(sharing, settings, origins, file?.source ?? '', warn);

  // The settings of options with a filePath land in the sections that mirror the file
  // (fileSection, typed by FileSection in options.ts), the runtime's own ones are copied by
  // name (RUNTIME_SETTINGS), and the rest are placed here by hand (PlacedByHand). An option
  // in none of the three does not compile: `Unplaced` names it.
  void (true satisfies [Unplaced] extends [never] ? true : { unplaced: Unplaced });
  const { nvidiaDevRoot, healthRecoverySeconds, lostGpuCheckMs, configFile, configDir } = settings;
  const { defaultConfig, fallbackStrategies, nodeName, nodeLabel, kubeconfig } = settings;

  return {
    version: 'v1',
    flags: {
      ...(fileSection(settings, 'flags.') as Omit<Flags, 'nvidiaDevRoot' | 'plugin'>),
      nvidiaDevRoot: nvidiaDevRoot ?? settings.nvidiaDriverRoot,
      plugin: fileSection(settings, 'flags.plugin.') as PluginFlags,
    },
    sharing,
    imex: fileSection(settings, 'imex.') as Imex,
    health: {
      ...healthFromEnv(env, healthRecoverySeconds * 1000, warn),
      lostCheckMs: lostGpuCheckMs,
    },
    runtime: {
      ...pickSettings(settings, RUNTIME_SETTINGS),
      ...(configFileUsed(configFile, configDir, file) !== undefined
        ? { configFile: configFileUsed(configFile, configDir, file) }
        : {}),
      ...(configDir !== undefined
        ? {
            configManager: {
              dir: configDir,
              ...(defaultConfig !== undefined ? { defaultConfig } : {}),
              fallbackStrategies,
              nodeName: nodeName as string,
              nodeLabel,
              ...(kubeconfig !== undefined ? { kubeconfig } : {}),
            },
          }
        : {}),
    },
  };
}

/** The settings the runtime takes as they are, under the same names. */
const RUNTIME_SETTINGS = [
  'devicePluginPath',
  'kubeletSocket',
  'nvmlLibrary',
  'metricsPort',
  'metricsBindAddress',
  'logLevel',
  'cdiRoot',
  'cdiDisableHooks',
  'gfdOutputFile',
  'gfdMachineTypeFile',
] as const satisfies ReadonlyArray<SettingKey & keyof RuntimeOptions>;

/**
 * The settings without a filePath that build() places itself. deviceDiscoveryStrategy and
 * cdiFeatureFlags are accepted for NVIDIA compatibility and not used: NVML is the only
 * discovery, and no CDI feature flag changes the spec this plugin writes.
 */
type PlacedByHand =
  | 'nvidiaDevRoot'
  | 'healthRecoverySeconds'
  | 'lostGpuCheckMs'
  | 'configFile'
  | 'configDir'
  | 'defaultConfig'
  | 'fallbackStrategies'
  | 'nodeName'
  | 'nodeLabel'
  | 'kubeconfig'
  | 'deviceDiscoveryStrategy'
  | 'cdiFeatureFlags';
type Unplaced = Exclude<SettingKey, keyof InFileSection | (typeof RUNTIME_SETTINGS)[number] | PlacedByHand>;

function pickSettings<K extends SettingKey>(settings: Settings, keys: readonly K[]): Pick<Settings, K> {
  return Object.fromEntries(keys.map((key) => [key, settings[key]])) as Pick<Settings, K>;
}

/** The file the values came from: --config-file, or the config the manager selected. */
function configFileUsed(
  configFile: string | undefined,
  configDir: string | undefined,
  file: ConfigFile | undefined,
): string | undefined {
  if (configDir !== undefined) return file ? resolve(file.source) : undefined;
  return configFile !== undefined ? resolve(configFile) : undefined;
}

const replicatedAtAll = (r: ReplicatedResources | undefined): boolean =>
  r !== undefined && r.resources.some((resource) => resource.replicas > 1);

/** NVIDIA's validateFlags checks for MPS, plus MIG resources shared without mixed MIG. */
function requireSharing(
  sharing: Sharing,
  settings: Settings,
  origins: Partial<Record<SettingKey, Origin>>,
  source: string,
  warn: (message: string) => void,
): void {
  if (replicatedAtAll(sharing.mps)) {
    if (settings.mpsRoot === '') {
      throw new ConfigError(
        `sharing.mps in config file ${source} needs an MPS root, and none is set; set --mps-root, ` +
          'MPS_ROOT or flags.mpsRoot to the host directory of the MPS control daemon (e.g. /run/nvidia/mps)',
      );
    }
    if (settings.migStrategy === 'mixed') {
      throw new ConfigError(
        `sharing.mps in config file ${source} cannot be used with MIG strategy "mixed" ` +
          `(from ${origins.migStrategy ?? 'the defaults'}); use mig strategy none or single, or sharing.timeSlicing`,
      );
    }
  }
  if (settings.migStrategy !== 'mixed') {
    for (const [section, replicated] of Object.entries(sharing) as Array<[string, ReplicatedResources]>) {
      for (const resource of replicated.resources) {
        if (resource.name.startsWith('nvidia.com/mig-')) {
          warn(
            `sharing.${section} in config file ${source} shares ${resource.name}, but MIG strategy is ` +
              `"${settings.migStrategy}", which advertises no nvidia.com/mig-* resources; set it to mixed to share them`,
          );
        }
      }
    }
  }
}
