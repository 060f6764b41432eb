/**
 * The structs users pass inside lists refuse keys they do not have (a typo, or a snake_case key
 * from a caller without the TypeScript compiler), naming the prop, the key and the fix, instead
 * of silently dropping the setting. Found by the Python README test, where a config's
 * `time_slicing` and `device_id_strategy` vanished; from Python the jsii kernel drops such keys
 * before the library sees them (README: use the struct classes inside lists), so these cases
 * are what plain JavaScript and typo'd TypeScript (`as any`) callers get.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { GpuDevicePlugin, GpuOperatorStack, GpuResource } from '../../../src';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const scope = () => new Chart(Testing.app(), 'test');
const stack = (devicePlugin: object) => new GpuOperatorStack(scope(), 'gpu', { devicePlugin } as any);

function structProps(name: string): string[] {
  const asm = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, '.jsii'), 'utf8'));
  const t = asm.types[`cdk8s-gpu.${name}`];
  if (!t) throw new Error(`cdk8s-gpu.${name} is not in .jsii: run "npm run build" first`);
  return (t.properties ?? []).map((p: { name: string }) => p.name);
}

test.each([
  [
    'a config dict with snake_case keys',
    () => stack({ configs: [{ name: 'sliced', config: { device_id_strategy: 'index' } }] }),
    'devicePlugin.configs["sliced"].config has the key "device_id_strategy", which DevicePluginConfigProps does not have; "device_id_strategy" is the snake_case spelling of "deviceIdStrategy": use "deviceIdStrategy" (from Python, pass DevicePluginConfigProps(...) inside lists, not a dict)',
  ],
  [
    'a named config with an unknown key',
    () => stack({ configs: [{ name: 'x', settings: {} }] }),
    'devicePlugin.configs["x"] has the key "settings", which NamedDevicePluginConfig does not have; its keys are "name", "config"',
  ],
  [
    'a shared resource with snake_case keys',
    () =>
      new GpuDevicePlugin(scope(), 'p', {
        timeSlicing: { resources: [{ replicas: 2, rename_by_default: true } as any] },
      }),
    'timeSlicing.resources[0] has the key "rename_by_default", which SharedResource does not have',
  ],
  [
    'a shared resource inside a config',
    () =>
      stack({
        configs: [
          {
            name: 'c',
            config: { mps: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 2, devices_list: ['0'] }] } },
          },
        ],
      }),
    'devicePlugin.configs["c"]: mps.resources[0] has the key "devices_list"',
  ],
  [
    'a toleration with snake_case keys',
    () =>
      new GpuDevicePlugin(scope(), 'p', {
        tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoExecute', toleration_seconds: 30 } as any],
      }),
    'tolerations[0] has the key "toleration_seconds", which Toleration does not have; "toleration_seconds" is the snake_case spelling of "tolerationSeconds"',
  ],
])('%s is refused, naming the key and the fix', (_what, build, message) => {
  expect(build).toThrow(message);
});

test('every prop of DevicePluginConfigProps, NamedDevicePluginConfig, SharingOptions and SharedResource is a known key', () => {
  const all = (name: string) => Object.fromEntries(structProps(name).map((p) => [p, undefined]));
  expect(structProps('DevicePluginConfigProps').length).toBeGreaterThanOrEqual(10);
  expect(() =>
    stack({ configs: [{ ...all('NamedDevicePluginConfig'), name: 'c', config: all('DevicePluginConfigProps') }] }),
  ).not.toThrow();
  expect(
    () =>
      new GpuDevicePlugin(scope(), 'p', {
        timeSlicing: { ...all('SharingOptions'), resources: [{ ...all('SharedResource'), replicas: 2 }] },
      }),
  ).not.toThrow();
});
