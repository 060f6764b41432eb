/**
 * The plugin's unix sockets give nothing away: the kubelet (root) is the only client, so
 * every socket the running plugin creates is 0600, also the ones it re-creates after a
 * kubelet restart, and the process runs with a umask that keeps even a socket that has
 * just been bound (before its chmod) closed to other users.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { a100MigSpec, defaultSpec, type FakeNvmlSpec } from '../helpers/fake-nvml';
import { buildPlugin, startNode, type NodeUnderTest } from '../integration/plugin-process';

jest.setTimeout(60000);

const RESOURCES = ['nvidia.com/gpu', 'nvidia.com/mig-3g.40gb', 'nvidia.com/mig-2g.20gb', 'nvidia.com/mig-1g.10gb'];

/** Two whole GPUs plus one GPU split into MIG devices: four resources, four sockets. */
function mixedSpec(): FakeNvmlSpec {
  const spec = defaultSpec(3);
  spec.gpus[0] = { ...spec.gpus[0], migEnabled: true, migDevices: a100MigSpec().gpus[0].migDevices };
  return spec;
}

/** Mode bits of every socket in the directory that the plugin made (not the stub's kubelet.sock). */
function pluginSocketModes(dir: string): Record<string, string> {
  const modes: Record<string, string> = {};
  for (const name of fs.readdirSync(dir)) {
    const st = fs.lstatSync(path.join(dir, name));
    if (st.isSocket() && name !== 'kubelet.sock') modes[name] = (st.mode & 0o777).toString(8);
  }
  return modes;
}

const EXPECTED = {
  'nvidia-gpu.sock': '600',
  'nvidia-mig-3g.40gb.sock': '600',
  'nvidia-mig-2g.20gb.sock': '600',
  'nvidia-mig-1g.10gb.sock': '600',
};

describe('plugin sockets', () => {
  let n: NodeUnderTest;
  let previousUmask: number;

  beforeAll(async () => {
    buildPlugin();
    // A permissive umask in the parent: the plugin must not inherit its way into open sockets.
    previousUmask = process.umask(0o000);
    n = await startNode(mixedSpec(), { env: { MIG_STRATEGY: 'mixed' } });
    process.umask(previousUmask);
    await n.stub.waitForResources(RESOURCES, 30000);
  });

  afterAll(async () => {
    process.umask(previousUmask);
    await n?.stop();
  });

  it('creates one socket per resource, each readable and writable by its owner only', () => {
    expect(pluginSocketModes(n.stub.dir)).toEqual(EXPECTED);
  });

  it('runs with umask 0077 although it was started with 0000', () => {
    const status = fs.readFileSync(`/proc/${n.plugin.child.pid}/status`, 'utf8');
    expect(/^Umask:\s*(\d+)$/m.exec(status)?.[1]).toBe('0077');
  });

  it('re-creates its sockets with the same mode after a kubelet restart', async () => {
    const before = n.stub.registrations.length;
    await n.stub.restart();
    await n.stub.waitFor(
      'every resource to register again',
      () => n.stub.registrations.length >= before + RESOURCES.length,
      30000,
    );
    await n.stub.waitForResources(RESOURCES, 30000);
    expect(pluginSocketModes(n.stub.dir)).toEqual(EXPECTED);
  });
});
