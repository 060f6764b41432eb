/**
 * The types of the config file's layout (CONFIG_FILE_LAYOUT in plugin-config.ts) and the file's
 * tree made from it, which both DevicePluginConfig.toJson() and the chart's config template
 * (src/chart/config-template.ts) walk. Internal: not exported from index.ts (jsii has no type
 * aliases or literal unions).
 */
import type { DevicePluginConfigProps } from './plugin-config';

type ConfigKey = keyof DevicePluginConfigProps;

/** When a prop is written to the config file. */
export type ConfigFileCondition =
  /** Every file has it. */
  | 'always'
  /** Only when the prop is true: a feature flag that is off unless named, as NVIDIA's files leave it out. */
  | 'ifTrue'
  /** Only when one of these props is set (e.g. the sharing policy, only when something is shared). */
  | { readonly ifSet: readonly ConfigKey[] };

/**
 * How a prop's value is written: as it is, as one value or a list (one strategy is written as
 * a scalar, as NVIDIA writes it), or as a sharing block (`renameByDefault`, …, `resources`).
 */
export type ConfigFileForm = 'value' | 'oneOrList' | 'timeSlicing' | 'mps';

/** Where one prop stands in NVIDIA's `version: v1` file, and its default. */
export interface ConfigFileField<T> {
  /** The value when the prop is not given. */
  readonly default: T;
  /** Dotted path in the file, e.g. `flags.plugin.passDeviceSpecs`. */
  readonly at: string;
  /** When the file has it. */
  readonly written: ConfigFileCondition;
  /** How the value is written; `value` when left out. */
  readonly form?: ConfigFileForm;
}

/** Every prop of DevicePluginConfigProps with its place in the file. */
export type ConfigFileLayout = { readonly [K in ConfigKey]-?: ConfigFileField<DevicePluginConfigProps[K]> };

/** One section of the file: a key and either the prop written there or the keys inside it. */
export interface ConfigFileNode {
  readonly key: string;
  readonly prop?: ConfigKey;
  readonly children?: ConfigFileNode[];
}

/** The file's sections and keys (under `version: v1`), in file order, from a layout. */
export function configFileTree(layout: ConfigFileLayout): ConfigFileNode[] {
  type Building = { key: string; prop?: ConfigKey; children?: Building[] };
  const root: Building[] = [];
  for (const prop of Object.keys(layout) as ConfigKey[]) {
    const parts = layout[prop].at.split('.');
    let level = root;
    for (const part of parts.slice(0, -1)) {
      let section = level.find((n) => n.key === part);
      if (!section) {
        section = { key: part, children: [] };
        level.push(section);
      }
      if (!section.children) {
        throw new Error(`CONFIG_FILE_LAYOUT: ${prop} is at ${parts.join('.')}, inside the value of another prop`);
      }
      level = section.children;
    }
    const key = parts[parts.length - 1];
    if (level.some((n) => n.key === key)) {
      throw new Error(`CONFIG_FILE_LAYOUT: two props are at ${parts.join('.')}; give ${prop} its own place`);
    }
    level.push({ key, prop });
  }
  return root;
}
