export * from './gpu-device-plugin';
export * from './gpu-device-plugin-props';
export * from './plugin-config';
export * from './plugin-image';
export * from './named-configs';
