// The props of DevicePluginConfigProps, for configs passed as plain objects inside lists
// (GpuOperatorStack's devicePlugin.configs from Python). Not part of the public API: not
// exported from index.ts. test/constructs/callers/struct-keys.test.ts keeps it complete.
export const DEVICE_PLUGIN_CONFIG_KEYS: readonly string[] = [
  'migStrategy',
  'deviceListStrategy',
  'deviceIdStrategy',
  'failOnInitError',
  'passDeviceSpecs',
  'nvidiaDriverRoot',
  'sharedAllocationPolicy',
  'timeSlicing',
  'mps',
  'mpsRoot',
];
