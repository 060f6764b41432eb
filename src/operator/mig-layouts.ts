import { Yaml } from 'cdk8s';
import { MigProfile } from '../common/gpu-resource';
import { requireLabelValue, requireWholeNumber } from '../common/validation';

/** Name of the layout that turns MIG off; the ClusterPolicy's only allowed default. */
export const MIG_ALL_DISABLED = 'all-disabled';

/** How one group of GPUs on a node is partitioned (one entry of a mig-parted config). */
export interface MigDeviceGroup {
  /**
   * GPU indices this entry applies to.
   * @default - every GPU on the node (`devices: all`)
   */
  readonly devices?: number[];
  /**
   * Only GPUs with these PCI device IDs (e.g. `0x20B010DE` for an A100 40GB).
   * @default - any GPU model
   */
  readonly deviceFilter?: string[];
  /** Turn MIG mode on for these GPUs. */
  readonly migEnabled: boolean;
  /**
   * MIG devices to create on each GPU, by profile, e.g. `{ '1g.10gb': 7 }`.
   * @default - none (MIG mode only)
   */
  readonly migDevices?: { [profile: string]: number };
}

/** A named MIG layout, selected per node with the label `nvidia.com/mig.config=<name>`. */
export interface MigLayout {
  /** The layout's name (a node label value), e.g. `all-1g.10gb`. */
  readonly name: string;
  /** One entry per group of GPUs. */
  readonly groups: MigDeviceGroup[];
}

const PCI_ID_RE = /^0x[0-9A-Fa-f]{8}$/;

/**
 * MIG layouts in mig-parted's format (`version: v1`, `mig-configs:`), the file the MIG
 * manager reads from its ConfigMap. `all-disabled` is always present: the ClusterPolicy
 * accepts no other default, and nodes without a `nvidia.com/mig.config` label get it.
 */
export class MigPartedConfig {
  /** The layouts, `all-disabled` first. */
  public readonly layouts: MigLayout[];

  /**
   * @param layouts the named layouts (an `all-disabled` layout is added if missing)
   */
  constructor(layouts: MigLayout[]) {
    const all = layouts.some((l) => l.name === MIG_ALL_DISABLED)
      ? [...layouts]
      : [{ name: MIG_ALL_DISABLED, groups: [{ migEnabled: false }] }, ...layouts];
    this.layouts = all;
    this.validate();
  }

  /** The layout names, in file order. */
  public get names(): string[] {
    return this.layouts.map((l) => l.name);
  }

  /** The file as a plain object, keys in mig-parted's order. */
  public toJson(): any {
    const configs: Record<string, unknown> = {};
    for (const layout of this.layouts) {
      configs[layout.name] = layout.groups.map(renderGroup);
    }
    return { version: 'v1', 'mig-configs': configs };
  }

  /** The file as YAML (the ConfigMap's `config.yaml`). */
  public toYaml(): string {
    return Yaml.stringify(this.toJson());
  }

  private validate(): void {
    const seen = new Set<string>();
    for (const layout of this.layouts) {
      const at = `migManager.layouts["${layout.name}"]`;
      requireLabelValue('migManager.layouts[].name', layout.name, 'usable as a node label value');
      if (seen.has(layout.name)) {
        throw new Error(`${at} is defined twice; give each layout its own name`);
      }
      seen.add(layout.name);
      if (layout.groups.length === 0) {
        throw new Error(
          `${at}.groups must list at least one group of GPUs (use { migEnabled: false } to leave MIG off)`,
        );
      }
      layout.groups.forEach((g, i) => validateGroup(`${at}.groups[${i}]`, g));
    }
    const disabled = this.layouts.find((l) => l.name === MIG_ALL_DISABLED)!;
    if (disabled.groups.some((g) => g.migEnabled)) {
      throw new Error(
        `migManager.layouts["${MIG_ALL_DISABLED}"] must keep MIG off on every GPU: nodes without a nvidia.com/mig.config label get it; rename your layout`,
      );
    }
  }
}

function validateGroup(at: string, g: MigDeviceGroup): void {
  for (const d of g.devices ?? []) {
    requireWholeNumber(`${at}.devices[]`, d, 0);
  }
  if (g.devices && g.devices.length === 0) {
    throw new Error(`${at}.devices is empty; list GPU indices or leave it out for every GPU`);
  }
  for (const id of g.deviceFilter ?? []) {
    if (!PCI_ID_RE.test(id)) {
      throw new Error(`${at}.deviceFilter entries must be PCI device IDs like "0x20B010DE" (got "${id}")`);
    }
  }
  const profiles = Object.entries(g.migDevices ?? {});
  if (!g.migEnabled && profiles.length > 0) {
    throw new Error(`${at} lists migDevices but migEnabled is false; set migEnabled: true or remove migDevices`);
  }
  for (const [profile, count] of profiles) {
    MigProfile.of(profile);
    requireWholeNumber(`${at}.migDevices["${profile}"]`, count, 1);
  }
}

function renderGroup(g: MigDeviceGroup): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (g.deviceFilter && g.deviceFilter.length > 0) {
    out['device-filter'] = [...g.deviceFilter];
  }
  out.devices = g.devices ? [...g.devices] : 'all';
  out['mig-enabled'] = g.migEnabled;
  if (g.migEnabled) {
    out['mig-devices'] = { ...(g.migDevices ?? {}) };
  }
  return out;
}
