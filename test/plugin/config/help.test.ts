import { helpText } from '../../../plugin/src/config/help';
import { OPTIONS } from '../../../plugin/src/config/options';

const NVIDIA_FLAGS = [
  'mig-strategy',
  'fail-on-init-error',
  'driver-root',
  'nvidia-driver-root',
  'dev-root',
  'nvidia-dev-root',
  'pass-device-specs',
  'device-list-strategy',
  'device-id-strategy',
  'gdrcopy-enabled',
  'gds-enabled',
  'mofed-enabled',
  'cdi-annotation-prefix',
  'nvidia-cdi-hook-path',
  'nvidia-ctk-path',
  'driver-root-ctr-path',
  'container-driver-root',
  'mps-root',
  'shared-devices-allocation-policy',
  'device-discovery-strategy',
  'imex-channel-ids',
  'imex-required',
  'config-file',
  'kubelet-socket',
  'cdi-feature-flags',
  'cdi-disable-hooks',
];
const NVIDIA_ENV = [
  'MIG_STRATEGY',
  'FAIL_ON_INIT_ERROR',
  'NVIDIA_DRIVER_ROOT',
  'NVIDIA_DEV_ROOT',
  'PASS_DEVICE_SPECS',
  'DEVICE_LIST_STRATEGY',
  'DEVICE_ID_STRATEGY',
  'GDRCOPY_ENABLED',
  'GDS_ENABLED',
  'MOFED_ENABLED',
  'CDI_ANNOTATION_PREFIX',
  'NVIDIA_CDI_HOOK_PATH',
  'NVIDIA_CTK_PATH',
  'DRIVER_ROOT_CTR_PATH',
  'CONTAINER_DRIVER_ROOT',
  'MPS_ROOT',
  'SHARED_DEVICES_ALLOCATION_POLICY',
  'DEVICE_DISCOVERY_STRATEGY',
  'IMEX_CHANNEL_IDS',
  'IMEX_REQUIRED',
  'CONFIG_FILE',
  'KUBELET_SOCKET',
  'CDI_FEATURE_FLAGS',
  'DP_DISABLE_HEALTHCHECKS',
  'DP_ENABLE_HEALTHCHECKS',
];
const OWN = [
  ['device-plugin-path', 'DEVICE_PLUGIN_PATH', '/var/lib/kubelet/device-plugins'],
  ['nvml-library-path', 'NVML_LIBRARY_PATH', 'libnvidia-ml.so.1'],
  ['metrics-port', 'METRICS_PORT', '8080'],
  ['metrics-bind-address', 'METRICS_BIND_ADDRESS', '0.0.0.0'],
  ['log-level', 'LOG_LEVEL', 'info'],
  ['health-recovery-seconds', 'HEALTH_RECOVERY_SECONDS', '60'],
];

describe('helpText', () => {
  const help = helpText();
  const sections = help.split(/\n(?=\S)/);
  const section = (title: RegExp) => sections.find((s) => title.test(s.split('\n')[0])) ?? '';

  test.each(NVIDIA_FLAGS)("lists NVIDIA's flag --%s in the NVIDIA-compatible group", (flag) => {
    expect(section(/compatible with NVIDIA/)).toMatch(new RegExp(`--${flag}\\b`));
  });

  test.each(NVIDIA_ENV)('lists env var %s', (name) => {
    expect(help).toMatch(new RegExp(`\\b${name}\\b`));
  });

  test.each(OWN)("lists this plugin's --%s with env %s and default %s in its own group", (flag, env, defaultText) => {
    const own = section(/own flags/);
    const block = own
      .slice(own.indexOf(`  --${flag}`))
      .split('\n')
      .slice(0, 3)
      .join('\n');
    expect(block).toContain(`env ${env}`);
    expect(block).toContain(`default ${defaultText}`);
  });

  test('gives every option its env var, default and a line of meaning', () => {
    for (const spec of OPTIONS) {
      const lines = help.split('\n');
      const at = lines.findIndex((line) => line.startsWith(`  --${spec.flags[0]}`));
      const [details, meaning] = lines.slice(at + 1, at + 3);
      expect(details).toContain(`env ${spec.env.join(', ')}`);
      expect(details).toContain(`default ${spec.defaultText}`);
      expect(meaning.trim()).toBe(spec.help);
    }
  });

  test('names the config file key of options the file can set', () => {
    expect(help).toMatch(/--mig-strategy=.*\n.*file flags\.migStrategy/);
    expect(help).toMatch(/--device-id-strategy=.*\n.*file flags\.plugin\.deviceIDStrategy/);
  });

  test('states the precedence and the help flag', () => {
    expect(help).toContain('Precedence: flags > environment variables > config file (--config-file) > defaults.');
    expect(help).toContain('-h, --help');
  });
});
