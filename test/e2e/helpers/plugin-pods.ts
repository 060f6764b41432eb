/**
 * Which pods are the device plugin's: kept apart from helpers/plugin.ts (which reads the
 * cluster's settings when loaded) so that a unit test can check the selector against the
 * synthesized DaemonSets without a cluster (test/constructs/device-plugin/plugin-pods.test.ts).
 */

/**
 * The labels of the plugin's own pods. The MPS control daemon's pods carry the same
 * `app.kubernetes.io/name` (both belong to one GpuDevicePlugin, and to one chart release);
 * the component tells them apart.
 */
export const PLUGIN_POD_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'gpu-device-plugin',
  'app.kubernetes.io/component': 'device-plugin',
};

/** PLUGIN_POD_LABELS as a kubectl label selector (`-l`). */
export const PLUGIN_POD_SELECTOR = Object.entries(PLUGIN_POD_LABELS)
  .map(([key, value]) => `${key}=${value}`)
  .join(',');

/** Whether a pod with `labels` is selected by PLUGIN_POD_SELECTOR. */
export function isPluginPod(labels: Readonly<Record<string, string>> | undefined): boolean {
  return Object.entries(PLUGIN_POD_LABELS).every(([key, value]) => labels?.[key] === value);
}
