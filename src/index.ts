export * from './common';
export * from './device-plugin';
export * from './workloads';
export * from './operator';
