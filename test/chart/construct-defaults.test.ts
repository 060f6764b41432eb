import { constructDefaults, objectOfKind, podSpecOf, synthesizePlugin } from '../../src/chart/construct-defaults';
import { PluginImage } from '../../src/device-plugin/plugin-image';

test('synthesizePlugin makes the four objects of a default GpuDevicePlugin in cdk8s order', () => {
  expect(synthesizePlugin().objects.map((o) => o.kind)).toEqual([
    'Namespace',
    'ServiceAccount',
    'ConfigMap',
    'DaemonSet',
  ]);
});

test('objectOfKind names the kinds it found when the wanted one is missing', () => {
  expect(() => objectOfKind([{ kind: 'ConfigMap' }], 'DaemonSet')).toThrow(
    'GpuDevicePlugin synthesized no DaemonSet (got ConfigMap); the chart toolkit expects one',
  );
});

test('the defaults are read from what the construct synthesizes', () => {
  const spec = podSpecOf(synthesizePlugin().objects);
  const d = constructDefaults();
  expect([d.tolerations, d.affinity, d.resources, d.priorityClassName]).toEqual([
    spec.tolerations,
    spec.affinity,
    spec.containers[0].resources,
    spec.priorityClassName,
  ]);
});

test("the default names, namespace and image are the construct's", () => {
  const d = constructDefaults();
  expect([d.name, d.namespace, d.createNamespace, d.image.reference]).toEqual([
    'gpu-device-plugin',
    'gpu-device-plugin',
    true,
    PluginImage.project().reference,
  ]);
});

test('the sharing defaults come from the config model: time-slicing allows, MPS refuses requests for several replicas', () => {
  const d = constructDefaults();
  expect([d.timeSlicingFailRequestsGreaterThanOne, d.mpsFailRequestsGreaterThanOne]).toEqual([false, true]);
});

test('the default rollout is RollingUpdate with maxUnavailable 1 and no node selector or runtime class', () => {
  const d = constructDefaults();
  expect([d.updateStrategyType, d.maxUnavailable, d.nodeSelector, d.runtimeClassName]).toEqual([
    'RollingUpdate',
    1,
    {},
    '',
  ]);
});
