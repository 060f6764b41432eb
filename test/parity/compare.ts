/**
 * Field-by-field differences between two ParityRecords (ours and NVIDIA's), each with a
 * path that says where, e.g. `resources[nvidia.com/gpu].devices[GPU-…].numa` or
 * `allocate[3].error.code`. Known, documented differences are matched against these paths
 * (differences.ts).
 */
import { isDeepStrictEqual } from 'node:util';
import type { CallRecord, ContainerRecord, ParityRecord, ResourceRecord } from './record';

export interface Difference {
  scenario: string;
  path: string;
  ours: unknown;
  nvidia: unknown;
}

function compareResource(scenario: string, ours: ResourceRecord, nvidia: ResourceRecord, out: Difference[]): void {
  const at = `resources[${ours.name}]`;
  for (const key of ['endpoint', 'version', 'registerOptions', 'options'] as const) {
    if (!isDeepStrictEqual(ours[key], nvidia[key]))
      out.push({ scenario, path: `${at}.${key}`, ours: ours[key], nvidia: nvidia[key] });
  }
  const theirs = new Map(nvidia.devices.map((d) => [d.ID, d]));
  const mine = new Map(ours.devices.map((d) => [d.ID, d]));
  for (const d of ours.devices) {
    const n = theirs.get(d.ID);
    if (!n) {
      out.push({ scenario, path: `${at}.devices[${d.ID}]`, ours: d, nvidia: undefined });
      continue;
    }
    for (const key of ['health', 'numa'] as const) {
      if (!isDeepStrictEqual(d[key], n[key]))
        out.push({ scenario, path: `${at}.devices[${d.ID}].${key}`, ours: d[key], nvidia: n[key] });
    }
  }
  for (const n of nvidia.devices) {
    if (!mine.has(n.ID)) out.push({ scenario, path: `${at}.devices[${n.ID}]`, ours: undefined, nvidia: n });
  }
}

function compareContainer(
  scenario: string,
  at: string,
  ours: ContainerRecord,
  nvidia: ContainerRecord,
  out: Difference[],
): void {
  const keys = new Set([...Object.keys(ours), ...Object.keys(nvidia)]) as Set<keyof ContainerRecord>;
  for (const key of [...keys].sort()) {
    const a = ours[key];
    const b = nvidia[key];
    if (key === 'envs' || key === 'annotations') {
      const ea = (a ?? {}) as Record<string, string>;
      const eb = (b ?? {}) as Record<string, string>;
      for (const name of [...new Set([...Object.keys(ea), ...Object.keys(eb)])].sort()) {
        if (ea[name] !== eb[name])
          out.push({ scenario, path: `${at}.${key}.${name}`, ours: ea[name], nvidia: eb[name] });
      }
    } else if (!isDeepStrictEqual(a, b)) {
      out.push({ scenario, path: `${at}.${key}`, ours: a, nvidia: b });
    }
  }
}

function compareCall(scenario: string, i: number, ours: CallRecord, nvidia: CallRecord, out: Difference[]): void {
  const at = `allocate[${i}]`;
  if (ours.error && nvidia.error) {
    if (ours.error.code !== nvidia.error.code)
      out.push({ scenario, path: `${at}.error.code`, ours: ours.error.code, nvidia: nvidia.error.code });
    if (ours.error.message !== nvidia.error.message) {
      out.push({ scenario, path: `${at}.error.message`, ours: ours.error.message, nvidia: nvidia.error.message });
    }
    return;
  }
  if (ours.error || nvidia.error) {
    out.push({ scenario, path: `${at}.outcome`, ours: ours.error ?? 'ok', nvidia: nvidia.error ?? 'ok' });
    return;
  }
  const a = ours.response ?? [];
  const b = nvidia.response ?? [];
  if (a.length !== b.length) {
    out.push({ scenario, path: `${at}.containers`, ours: a.length, nvidia: b.length });
    return;
  }
  a.forEach((c, j) => compareContainer(scenario, `${at}.response[${j}]`, c, b[j], out));
}

export function compareRecords(ours: ParityRecord, nvidia: ParityRecord): Difference[] {
  const scenario = ours.scenario;
  const out: Difference[] = [];
  const theirs = new Map(nvidia.resources.map((r) => [r.name, r]));
  for (const r of ours.resources) {
    const n = theirs.get(r.name);
    if (n) compareResource(scenario, r, n, out);
    else out.push({ scenario, path: `resources[${r.name}]`, ours: r.devices.length, nvidia: undefined });
  }
  for (const n of nvidia.resources) {
    if (!ours.resources.some((r) => r.name === n.name))
      out.push({ scenario, path: `resources[${n.name}]`, ours: undefined, nvidia: n.devices.length });
  }
  if (ours.allocate.length !== nvidia.allocate.length) {
    throw new Error(
      `records of ${scenario} made different calls (${ours.allocate.length} vs ${nvidia.allocate.length}); compare records of the same scenario`,
    );
  }
  ours.allocate.forEach((c, i) => compareCall(scenario, i, c, nvidia.allocate[i], out));
  return out;
}

/** One line per difference, for failure messages. */
export function describe(diffs: readonly Difference[]): string {
  return diffs
    .map((d) => `${d.scenario}: ${d.path}: ours=${JSON.stringify(d.ours)} nvidia=${JSON.stringify(d.nvidia)}`)
    .join('\n');
}
