export * from './gpu-device-plugin';
export * from './options';
export * from './plugin-config';
export * from './plugin-image';
export * from './named-configs';
