import { configFromFile, loadConfig } from '../../../plugin/src/config/load';
import { summarizeConfig } from '../../../plugin/src/config/summary';

describe('summarizeConfig', () => {
  test('summarizes the defaults', () => {
    expect(summarizeConfig(loadConfig({ argv: [], env: {} }))).toEqual({
      migStrategy: 'none',
      deviceListStrategy: 'envvar',
      deviceIDStrategy: 'uuid',
      failOnInitError: true,
      passDeviceSpecs: false,
      driverRoot: '/',
      devRoot: '/',
      sharing: 'none',
      health: 'skip XIDs [13,31,43,45,68,109], recover after 60s, lost-GPU check every 10000ms',
      configFile: null,
      devicePluginPath: '/var/lib/kubelet/device-plugins',
      metrics: '0.0.0.0:8080',
    });
  });

  test('describes sharing with its advertised names and device selection', () => {
    const config = configFromFile(
      `sharing:
  timeSlicing:
    renameByDefault: true
    failRequestsGreaterThanOne: true
    resources:
    - {name: gpu, replicas: 4, devices: [0, 1]}
    - {name: mig-1g.10gb, rename: small, replicas: 2}
`,
      'test',
    );
    expect(summarizeConfig(config).sharing).toBe(
      'time-slicing: nvidia.com/gpu×4 on [0,1] as nvidia.com/gpu.shared; ' +
        'nvidia.com/mig-1g.10gb×2 as nvidia.com/small, one replica per request',
    );
  });

  test('says when health checks are off, metrics are off and XIDs are forced critical', () => {
    const off = summarizeConfig(loadConfig({ argv: ['--metrics-port=0'], env: { DP_DISABLE_HEALTHCHECKS: 'all' } }));
    expect(off.health).toBe('off');
    expect(off.metrics).toBe('off');
    const forced = summarizeConfig(
      loadConfig({
        argv: ['--health-recovery-seconds=0', '--lost-gpu-check-ms=0'],
        env: { DP_ENABLE_HEALTHCHECKS: '31' },
      }),
    );
    expect(forced.health).toBe('skip XIDs [13,43,45,68,109], always critical [31], no recovery');
  });
});
