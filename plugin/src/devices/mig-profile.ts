/**
 * MIG profile names in NVIDIA's form (`1g.10gb`, `1c.2g.20gb`, `1g.10gb+me`), from what NVML
 * reports for a MIG device: its attributes and the parent GPU's total memory.
 *
 * NVIDIA (go-nvlib MigProfileInfo.String) names a profile `<C>c.<G>g.<GB>gb` with the `<C>c.`
 * part dropped when the compute instance spans the whole GPU instance, and a `+me` suffix for
 * the media-extension GPU instance profiles. The GB figure is the MIG memory as a fraction of
 * the GPU, rounded up to eighths, times the GPU's memory in whole GiB (rounded up).
 */
import type { DeviceAttributes } from './nvml.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Attribute NVIDIA appends after `+` for media-extension profiles. */
export const MEDIA_EXTENSIONS = 'me';

export interface MigProfile {
  /** Compute instance slices. */
  c: number;
  /** GPU instance slices. */
  g: number;
  gb: number;
  attributes: string[];
}

/** The `gb` figure of a profile, as NVIDIA computes it. */
export function migMemoryGb(parentTotalBytes: number, migMemoryMiB: number): number {
  if (parentTotalBytes <= 0) return 0;
  const fraction = Math.ceil(((migMemoryMiB * MiB) / parentTotalBytes) * 8) / 8;
  const totalGb = Math.ceil(parentTotalBytes / GiB);
  return Math.round(fraction * totalGb);
}

/**
 * The profile of a MIG device. NVML does not expose the GPU instance profile id through the
 * calls the plugin makes, so media extensions are recognised the way they show in the
 * attributes: a GPU instance smaller than the whole GPU that owns an optical-flow engine
 * (only the `+me` profiles do; among full-size instances every one has it).
 */
export function migProfileFromAttributes(attrs: DeviceAttributes, parentTotalBytes: number): MigProfile {
  const gb = migMemoryGb(parentTotalBytes, attrs.memorySizeMB);
  const wholeGpuGb = Math.ceil(parentTotalBytes / GiB);
  const attributes = attrs.sharedOfaCount > 0 && gb < wholeGpuGb ? [MEDIA_EXTENSIONS] : [];
  return { c: attrs.computeInstanceSliceCount, g: attrs.gpuInstanceSliceCount, gb, attributes };
}

export function formatMigProfile(p: MigProfile): string {
  const suffix = p.attributes.length > 0 ? `+${p.attributes.join(',')}` : '';
  return p.c === p.g ? `${p.g}g.${p.gb}gb${suffix}` : `${p.c}c.${p.g}g.${p.gb}gb${suffix}`;
}

const PROFILE = /^(?:(\d+)c\.)?(\d+)g\.(\d+)gb(?:\+([a-z0-9]+(?:,[a-z0-9]+)*))?$/;

/** Parses a profile name; undefined when it is not one. */
export function parseMigProfile(name: string): MigProfile | undefined {
  const m = PROFILE.exec(name);
  if (m === null) return undefined;
  const g = Number(m[2]);
  return {
    c: m[1] === undefined ? g : Number(m[1]),
    g,
    gb: Number(m[3]),
    attributes: m[4] === undefined ? [] : m[4].split(','),
  };
}

/**
 * Resource name for a profile under migStrategy=mixed: `nvidia.com/mig-<profile>`, with `+`
 * turned into `.` (`1g.10gb+me` → `nvidia.com/mig-1g.10gb.me`), as NVIDIA names it.
 */
export function migResourceName(profile: string): string {
  return `nvidia.com/mig-${profile.replace(/\+/g, '.')}`;
}
