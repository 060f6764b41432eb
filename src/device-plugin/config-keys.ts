import { DevicePluginConfigProps } from './plugin-config';

// Every prop of DevicePluginConfigProps: a new prop fails to compile here until it is listed.
const KEYS: { readonly [K in keyof DevicePluginConfigProps]-?: true } = {
  migStrategy: true,
  deviceListStrategy: true,
  deviceIdStrategy: true,
  failOnInitError: true,
  passDeviceSpecs: true,
  nvidiaDriverRoot: true,
  sharedAllocationPolicy: true,
  timeSlicing: true,
  mps: true,
  mpsRoot: true,
};

// The props of DevicePluginConfigProps, for configs passed as plain objects inside lists
// (named configs from Python). Not part of the public API: not exported from index.ts.
export const DEVICE_PLUGIN_CONFIG_KEYS: readonly string[] = Object.keys(KEYS);
