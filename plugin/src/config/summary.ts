/**
 * A compact view of the effective config for the start-up log line: what an operator
 * checks first when a node advertises the wrong thing.
 */
import type { PluginConfig, ReplicatedResources } from './types.js';

export interface ConfigSummary {
  migStrategy: string;
  deviceListStrategy: string;
  deviceIDStrategy: string;
  failOnInitError: boolean;
  passDeviceSpecs: boolean;
  driverRoot: string;
  devRoot: string;
  sharing: string;
  health: string;
  configFile: string | null;
  devicePluginPath: string;
  metrics: string;
}

function describeSharing(mode: string, replicated: ReplicatedResources): string {
  const resources = replicated.resources.map((resource) => {
    const devices = resource.devices === 'all' ? '' : ` on [${resource.devices.join(',')}]`;
    const name = resource.rename ?? (replicated.renameByDefault ? `${resource.name}.shared` : resource.name);
    return `${resource.name}×${resource.replicas}${devices} as ${name}`;
  });
  const strict = replicated.failRequestsGreaterThanOne ? ', one replica per request' : '';
  return `${mode}: ${resources.join('; ') || 'no resources'}${strict}`;
}

export function summarizeConfig(config: PluginConfig): ConfigSummary {
  const { flags, sharing, health, runtime } = config;
  const modes = [
    ...(sharing.timeSlicing ? [describeSharing('time-slicing', sharing.timeSlicing)] : []),
    ...(sharing.mps ? [describeSharing('mps', sharing.mps)] : []),
  ];
  const healthText = health.disabled
    ? 'off'
    : `skip XIDs [${health.skipXids.join(',')}]` +
      (health.enableXids.length > 0 ? `, always critical [${health.enableXids.join(',')}]` : '') +
      (health.recoveryMs > 0 ? `, recover after ${health.recoveryMs / 1000}s` : ', no recovery') +
      ((health.lostCheckMs ?? 0) > 0 ? `, lost-GPU check every ${health.lostCheckMs}ms` : '');
  return {
    migStrategy: flags.migStrategy,
    deviceListStrategy: flags.plugin.deviceListStrategy.join(','),
    deviceIDStrategy: flags.plugin.deviceIDStrategy,
    failOnInitError: flags.failOnInitError,
    passDeviceSpecs: flags.plugin.passDeviceSpecs,
    driverRoot: flags.nvidiaDriverRoot,
    devRoot: flags.nvidiaDevRoot,
    sharing: modes.join(' | ') || 'none',
    health: healthText,
    configFile: runtime.configFile ?? null,
    devicePluginPath: runtime.devicePluginPath,
    metrics: runtime.metricsPort === 0 ? 'off' : `${runtime.metricsBindAddress}:${runtime.metricsPort}`,
  };
}
