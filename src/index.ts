export * from './common';
export * from './device-plugin';
