/**
 * A GPU node on NVIDIA's own mock NVML (k8s-test-infra pkg/gpu/mocknvml, built by
 * test/tools/peers.sh mock-nvml): a second fake, independent of ours, for parity runs and the
 * bench. The node is one of the mock's YAML profiles (A100, H100, B200, GB200, L40S, T4, …),
 * optionally with failure injection (`failure:` blocks) added per device, a driver root whose
 * library directory links the mock's libnvidia-ml.so.1, and the plugin config file. Both
 * plugins get MOCK_NVML_CONFIG through `env`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import type { FakeNode } from './fake-node';
import { peerPath } from '../helpers/tools';

/** The profiles every mock parity run covers (the mock also has GB300). */
export const MOCK_PROFILES = ['a100', 'h100', 'b200', 'gb200', 'l40s', 't4'] as const;
export type MockProfile = (typeof MOCK_PROFILES)[number] | 'gb300';

/** The mock's `failure:` block (see its README, "Failure Injection"). */
export interface MockFailure {
  mode: 'lost' | 'fallen_off_bus' | 'ecc_uncorrectable';
  /** Trips after this many guarded NVML calls on the device (GetMemoryInfo, GetTemperature, …). */
  after_calls?: number;
  probability?: number;
  seed?: number;
  xid?: { code: number };
}

export interface MockNodeOptions {
  /** Plugin config file contents (NVIDIA's `version: v1`). */
  config?: object;
  /** Failure injection per device index. */
  failures?: Record<number, MockFailure>;
}

export interface MockGpu {
  index: number;
  uuid: string;
  /** `0000:07:00.0` as the profile writes it. */
  busId: string;
  name: string;
}

export interface MockNode extends FakeNode {
  profile: MockProfile;
  /** The profile as written for this node (MOCK_NVML_CONFIG). */
  mockConfigPath: string;
  gpus: MockGpu[];
  /** Env both plugins need: MOCK_NVML_CONFIG. */
  env: Record<string, string>;
}

let mockDir: string | undefined;

/**
 * The directory holding NVIDIA's mock libnvidia-ml.so.1 and configs/, built once by
 * test/tools/peers.sh. Throws with the build's own reason when it cannot be had.
 */
export function mockNvmlDir(): string {
  if (mockDir !== undefined) return mockDir;
  mockDir = peerPath('mock-nvml', "NVIDIA's mock NVML", 'nothing can run on it');
  if (!fs.existsSync(path.join(mockDir, 'libnvidia-ml.so.1')))
    throw new Error(`test/tools/peers.sh mock-nvml printed ${mockDir}, which holds no libnvidia-ml.so.1`);
  return mockDir;
}

interface ProfileYaml {
  devices: Array<{ index: number; uuid: string; pci?: { bus_id?: string }; name?: string; failure?: MockFailure }>;
  device_defaults?: { name?: string };
}

export function createMockNode(profile: MockProfile, opts: MockNodeOptions = {}): MockNode {
  const lib = mockNvmlDir();
  const source = path.join(lib, 'configs', `mock-nvml-config-${profile}.yaml`);
  if (!fs.existsSync(source)) throw new Error(`NVIDIA's mock NVML has no profile ${profile} (${source} is missing)`);
  const doc = parse(fs.readFileSync(source, 'utf8')) as ProfileYaml;
  for (const [index, failure] of Object.entries(opts.failures ?? {})) {
    const device = doc.devices.find((d) => d.index === Number(index));
    if (device === undefined)
      throw new Error(`mock profile ${profile} has no device ${index} to inject a failure into`);
    device.failure = failure;
  }
  // Short: unix socket paths under it must stay below 108 bytes.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mck-'));
  const mockConfigPath = path.join(dir, `mock-nvml-config-${profile}.yaml`);
  fs.writeFileSync(mockConfigPath, stringify(doc));
  const driverRoot = path.join(dir, 'driver');
  const libDir = path.join(driverRoot, 'usr', 'lib', 'x86_64-linux-gnu');
  fs.mkdirSync(libDir, { recursive: true });
  const libraryPath = path.join(lib, 'libnvidia-ml.so.1');
  fs.symlinkSync(libraryPath, path.join(libDir, 'libnvidia-ml.so.1'));
  const procRoot = path.join(dir, 'proc');
  fs.mkdirSync(path.join(procRoot, 'driver', 'nvidia-caps'), { recursive: true });
  fs.writeFileSync(path.join(procRoot, 'driver', 'nvidia-caps', 'mig-minors'), '');
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, stringify(opts.config ?? { version: 'v1' }));
  const cdiDir = path.join(dir, 'cdi');
  fs.mkdirSync(cdiDir);
  const gpus = doc.devices
    .slice(0, 8) // the mock serves at most 8 devices
    .map((d) => ({
      index: d.index,
      uuid: d.uuid,
      busId: d.pci?.bus_id ?? '',
      name: d.name ?? doc.device_defaults?.name ?? '',
    }));
  return {
    profile,
    dir,
    mockConfigPath,
    gpus,
    env: { MOCK_NVML_CONFIG: mockConfigPath },
    libraryPath,
    driverRoot,
    configFile,
    cdiDir,
    procRoot,
    // Our fake's files do not exist here: the mock reads MOCK_NVML_CONFIG, NUMA comes from /sys.
    configPath: path.join(dir, 'no-fake-nvml-config'),
    eventsPath: path.join(dir, 'no-fake-nvml-events'),
    sysfsRoot: '/sys',
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
