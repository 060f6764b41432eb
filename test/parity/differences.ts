/**
 * Every way our plugin's answers deliberately differ from NVIDIA's v0.20.0, with the
 * scenarios that show it. docs/parity.md explains each one under its id; the parity test
 * fails on any difference not listed here and on any entry no scenario shows any more.
 */
import { isDeepStrictEqual } from 'node:util';
import { OPTIONAL_CONTROL_NODES } from '../../plugin/src/allocate/device-specs';
import type { Difference } from './compare';
import type { ContainerRecord } from './record';

export interface KnownDifference {
  /** Heading id in docs/parity.md. */
  id: string;
  summary: string;
  matches(d: Difference): boolean;
  /** Scenarios that must show it (so an entry cannot outlive the difference). */
  shownBy: string[];
}

const isErrorPath = (field: 'code' | 'message') => (d: Difference) =>
  /^allocate\[\d+\]\.error\./.test(d.path) && d.path.endsWith(`.${field}`);

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    id: 'refusal-status-code',
    summary: 'a refused Allocate answers INVALID_ARGUMENT where NVIDIA answers UNKNOWN',
    matches: (d) => isErrorPath('code')(d) && d.ours === 'INVALID_ARGUMENT' && d.nvidia === 'UNKNOWN',
    shownBy: ['default', 'time-slicing', 'time-slicing-renamed-strict', 'mig-mixed'],
  },
  {
    id: 'refusal-message',
    summary: 'a refused Allocate names every offending ID and says what to do',
    matches: (d) => isErrorPath('message')(d) && typeof d.ours === 'string' && d.ours.length > 0,
    shownBy: ['default', 'time-slicing', 'time-slicing-renamed-strict', 'mig-mixed'],
  },
  {
    id: 'control-device-nodes',
    summary:
      'passDeviceSpecs also passes the control nodes that exist (/dev/nvidiactl, nvidia-uvm, …); NVIDIA passes only the GPU and MIG nodes',
    matches: (d) => {
      if (!/^allocate\[\d+\]\.response\[\d+\]\.devices$/.test(d.path)) return false;
      const ours = (d.ours ?? []) as NonNullable<ContainerRecord['devices']>;
      const nvidia = (d.nvidia ?? []) as NonNullable<ContainerRecord['devices']>;
      const isControl = (x: { container_path: string }): boolean => OPTIONAL_CONTROL_NODES.includes(x.container_path);
      return (
        ours.some(isControl) &&
        !nvidia.some(isControl) &&
        isDeepStrictEqual(
          ours.filter((x) => !isControl(x)),
          nvidia,
        )
      );
    },
    shownBy: ['pass-device-specs', 'mig-mixed-index-device-specs'],
  },
  {
    id: 'empty-request',
    summary: 'a container request with no device IDs is refused; NVIDIA answers an empty NVIDIA_VISIBLE_DEVICES',
    matches: (d) => {
      const ours = d.ours as { code?: string; message?: string } | undefined;
      return (
        /^allocate\[\d+\]\.outcome$/.test(d.path) &&
        d.nvidia === 'ok' &&
        ours?.code === 'INVALID_ARGUMENT' &&
        /names no device IDs/.test(ours.message ?? '')
      );
    },
    shownBy: ['default'],
  },
  {
    id: 'per-gpu-sharing',
    summary:
      'time-slicing `devices` and `rename` are honoured; NVIDIA drops both and shares every GPU under the original name',
    // Only in the scenario built for it, and only which resources and devices exist and which
    // requests succeed: every option, env and mount of what both answer is still compared.
    matches: (d) =>
      d.scenario === 'time-slicing-per-gpu' &&
      ((/^resources\[[^\]]+\](\.devices\[[^\]]+\])?$/.test(d.path) &&
        (d.ours === undefined || d.nvidia === undefined)) ||
        /^allocate\[\d+\]\.outcome$/.test(d.path)),
    shownBy: ['time-slicing-per-gpu'],
  },
];

/** The differences no known entry explains. */
export function unexplained(diffs: readonly Difference[]): Difference[] {
  return diffs.filter((d) => !KNOWN_DIFFERENCES.some((k) => k.matches(d)));
}

/** Known entries that claim to be shown by `scenario` but matched none of its differences. */
export function notShown(scenario: string, diffs: readonly Difference[]): KnownDifference[] {
  return KNOWN_DIFFERENCES.filter((k) => k.shownBy.includes(scenario) && !diffs.some((d) => k.matches(d)));
}
