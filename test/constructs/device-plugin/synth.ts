import { Chart, Testing } from 'cdk8s';
import { GpuDevicePlugin, GpuDevicePluginProps } from '../../../src';
import { ofKind, oneOfKind } from '../../helpers/k8s-objects';

/** Synthesizes one GpuDevicePlugin and returns its objects by kind. */
export function synthPlugin(props: GpuDevicePluginProps = {}): { all: any[]; byKind: (kind: string) => any } {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { disableResourceNameHashes: true });
  new GpuDevicePlugin(chart, 'DevicePlugin', props);
  const all = Testing.synth(chart);
  // The plugin's own objects; the MPS control daemon's DaemonSet is `mpsDaemonSet(all)`.
  const own = all.filter((o) => o.metadata?.labels?.['app.kubernetes.io/component'] !== 'mps-control-daemon');
  return { all, byKind: (kind: string) => oneOfKind(own, kind) };
}

/** The plugin container of a synthesized DaemonSet. */
export function pluginContainer(ds: any): any {
  return ds.spec.template.spec.containers[0];
}

/** The container's env as a plain map. */
export function envOf(ds: any): Record<string, string> {
  return Object.fromEntries((pluginContainer(ds).env ?? []).map((e: any) => [e.name, e.value]));
}

/** The MPS control daemon DaemonSet, or undefined when the plugin has none. */
export function mpsDaemonSet(all: any[]): any {
  return ofKind(all, 'DaemonSet').find(
    (o) => o.metadata?.labels?.['app.kubernetes.io/component'] === 'mps-control-daemon',
  );
}
