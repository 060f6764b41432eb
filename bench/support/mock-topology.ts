/**
 * The GPU topology NVIDIA's mock NVML reports for one profile, read through NVML itself
 * (nvmlDeviceGetNvLinkState / RemotePciInfo and nvmlDeviceGetTopologyCommonAncestor), so the
 * quality figures score both plugins' answers against what the node says, not against a
 * copy of the profile. The mock reads MOCK_NVML_CONFIG once per process, so each profile is
 * read in a child process: `mockTopology(node)` runs this file with the node's env.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { GpuTopology } from '../../plugin/src/devices/types';
import type { MockNode } from '../../test/parity/mock-node';

export interface MockTopology {
  uuids: string[];
  topology: GpuTopology;
}

export function mockTopology(node: MockNode): MockTopology {
  const tsNode = path.resolve(__dirname, '..', '..', 'node_modules', 'ts-node', 'dist', 'bin.js');
  const out = execFileSync(
    process.execPath,
    [tsNode, '--transpile-only', '-O', '{"module":"commonjs","moduleResolution":"node"}', __filename, node.libraryPath],
    {
      env: { ...process.env, ...node.env },
      encoding: 'utf8',
    },
  );
  return JSON.parse(out) as MockTopology;
}

if (require.main === module) {
  require('./nodenext-resolve');
  const { Nvml } = require('../../plugin/src/devices/nvml') as typeof import('../../plugin/src/devices/nvml');
  const { discoverInventory } =
    require('../../plugin/src/devices/nvml-discovery') as typeof import('../../plugin/src/devices/nvml-discovery');
  const nvml = Nvml.load(process.argv[2]);
  nvml.init();
  const inv = discoverInventory(nvml, { sysfsRoot: '/sys', procRoot: '/nonexistent', warn: () => undefined });
  nvml.shutdown();
  process.stdout.write(JSON.stringify({ uuids: inv.gpus.map((g) => g.uuid), topology: inv.topology }));
}
