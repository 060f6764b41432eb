export * from './gpu-resource';
export * from './labels';
export * from './version';
