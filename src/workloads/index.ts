export * from './gpu-request';
export { GpuContainerProps } from './gpu-container';
export * from './gpu-job-props';
export * from './gpu-job';
export { GpuSecurityOptions } from './security';
