import { App, Chart } from 'cdk8s';
import { GpuDevicePlugin, GpuDevicePluginProps } from '../device-plugin/gpu-device-plugin';
import { DevicePluginConfig } from '../device-plugin/plugin-config';

/** The plain JSON of one synthesized object. */
export type ObjectJson = { [key: string]: any };

/** The objects GpuDevicePlugin synthesizes for `props`, in cdk8s' order, plus the construct. */
export interface Synthesized {
  readonly plugin: GpuDevicePlugin;
  readonly objects: ObjectJson[];
}

/** Synthesizes a GpuDevicePlugin on its own (stable names, as the reference app does). */
export function synthesizePlugin(props: GpuDevicePluginProps = {}): Synthesized {
  const chart = new Chart(new App(), 'chart', { disableResourceNameHashes: true });
  const plugin = new GpuDevicePlugin(chart, 'DevicePlugin', props);
  return { plugin, objects: chart.toJson() };
}

/** The object of `kind` in `objects`; throws when the construct no longer makes one. */
export function objectOfKind(objects: ObjectJson[], kind: string): ObjectJson {
  const found = objects.find((o) => o.kind === kind);
  if (!found) {
    throw new Error(
      `GpuDevicePlugin synthesized no ${kind} (got ${objects.map((o) => o.kind).join(', ')}); the chart toolkit expects one`,
    );
  }
  return found;
}

/** The pod spec of the DaemonSet in `objects`. */
export function podSpecOf(objects: ObjectJson[]): ObjectJson {
  return objectOfKind(objects, 'DaemonSet').spec.template.spec;
}

/**
 * What GpuDevicePlugin does when given no props. The chart's values.yaml takes its
 * defaults from here, so `helm template` with default values equals `cdk8s synth` with
 * default props without anyone copying a toleration by hand.
 */
export function constructDefaults() {
  const { plugin, objects } = synthesizePlugin();
  const spec = podSpecOf(objects);
  const daemonSet = objectOfKind(objects, 'DaemonSet');
  const config = new DevicePluginConfig();
  // The defaults of the sharing blocks exist only once sharing is on; ask the model itself.
  const sharing = {
    timeSlicing: new DevicePluginConfig({ timeSlicing: { resources: [{ replicas: 2 }] } }).toJson().sharing.timeSlicing,
    mps: new DevicePluginConfig({ mps: { resources: [{ replicas: 2 }] } }).toJson().sharing.mps,
  };
  return {
    name: plugin.name,
    namespace: plugin.namespace,
    createNamespace: objects.some((o) => o.kind === 'Namespace'),
    image: plugin.image,
    config,
    timeSlicingFailRequestsGreaterThanOne: sharing.timeSlicing.failRequestsGreaterThanOne as boolean,
    mpsFailRequestsGreaterThanOne: sharing.mps.failRequestsGreaterThanOne as boolean,
    affinity: spec.affinity,
    tolerations: spec.tolerations,
    nodeSelector: spec.nodeSelector ?? {},
    priorityClassName: spec.priorityClassName as string,
    runtimeClassName: (spec.runtimeClassName ?? '') as string,
    resources: spec.containers[0].resources,
    updateStrategyType: daemonSet.spec.updateStrategy.type as string,
    maxUnavailable: daemonSet.spec.updateStrategy.rollingUpdate.maxUnavailable as number | string,
  };
}
