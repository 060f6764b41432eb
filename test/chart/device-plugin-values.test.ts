import { DEVICE_PLUGIN_FIELDS, DEVICE_PLUGIN_RULES } from '../../src/chart/device-plugin-values';
import { defaultsOf } from '../../src/chart/values-model';
import { DeviceListStrategy, MigStrategy } from '../../src/device-plugin/plugin-config';

const d = defaultsOf(DEVICE_PLUGIN_FIELDS);

test('the defaults are the construct defaults: no MIG, envvar, uuid, fail on init error', () => {
  expect([d.migStrategy, d.deviceListStrategy, d.deviceIdStrategy, d.failOnInitError, d.passDeviceSpecs]).toEqual([
    MigStrategy.NONE,
    [DeviceListStrategy.ENVVAR],
    'uuid',
    true,
    false,
  ]);
});

test('sharing and health start off', () => {
  expect([d.timeSlicing.enabled, d.mps.enabled, d.health.disabled, d.health.recoverySeconds]).toEqual([
    false,
    false,
    false,
    null,
  ]);
});

test('the enums of the schema are the construct vocabulary', () => {
  const schema = (DEVICE_PLUGIN_FIELDS.deviceListStrategy as any).schema;
  expect(schema.items.enum).toEqual(Object.values(DeviceListStrategy));
});

test('every cross-key rule says in words what it refuses', () => {
  expect(DEVICE_PLUGIN_RULES.every((r) => typeof r.description === 'string' && r.if && r.then)).toBe(true);
});
