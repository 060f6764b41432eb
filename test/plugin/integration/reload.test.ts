/**
 * Config at start and on SIGHUP, with the real plugin process: a good new config
 * rebuilds the resources and registers them; a bad one keeps the last good config
 * serving and says why; a bad config at start exits 1 with the reason on stderr.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultSpec } from '../helpers/fake-nvml';
import { fakeNode, freePort, PluginProcess, startNode, type NodeUnderTest } from './plugin-process';

jest.setTimeout(60000);

const WHOLE = 'version: v1\nflags:\n  migStrategy: none\n';
const TIME_SLICED = `version: v1
sharing:
  timeSlicing:
    renameByDefault: true
    resources:
      - name: nvidia.com/gpu
        replicas: 4
`;
const BROKEN = 'version: v1\nflags:\n  migStrategy: sideways\n';

describe('plugin process: SIGHUP', () => {
  let n: NodeUnderTest;
  let configFile: string;

  beforeAll(async () => {
    const dir = fs.mkdtempSync('/tmp/cfg-');
    configFile = path.join(dir, 'config.yaml');
    fs.writeFileSync(configFile, WHOLE);
    n = await startNode(defaultSpec(2), { env: { CONFIG_FILE: configFile } });
    await n.stub.waitForResources(['nvidia.com/gpu'], 30000);
  });

  afterAll(async () => {
    await n?.stop();
    fs.rmSync(path.dirname(configFile), { recursive: true, force: true });
  });

  it('with a bad config keeps serving the last good one and logs why', async () => {
    fs.writeFileSync(configFile, BROKEN);
    n.plugin.signal('SIGHUP');
    const line = await n.plugin.waitForLog('reload refused');
    expect(JSON.stringify(line)).toContain('sideways');
    expect(n.stub.resources.get('nvidia.com/gpu')!.streamEnded).toBe(false);
    expect(n.stub.registerCount('nvidia.com/gpu')).toBe(1);
    expect(n.plugin.running).toBe(true);
  });

  it('with a good config advertises the new resource and drops the old one', async () => {
    const old = n.stub.resources.get('nvidia.com/gpu')!;
    fs.writeFileSync(configFile, TIME_SLICED);
    n.plugin.signal('SIGHUP');
    await n.stub.waitForResources(['nvidia.com/gpu.shared'], 15000);
    expect(n.stub.latest('nvidia.com/gpu.shared')).toHaveLength(8);
    expect(n.stub.registrations.at(-1)?.endpoint).toBe('nvidia-gpu.shared.sock');
    await n.stub.waitFor('the old resource’s stream to end', () => old.streamEnded);
    expect(old.lists.at(-1)).toEqual([]);
  });
});

describe('plugin process: bad config at start', () => {
  it('exits 1 with the field and the value on stderr', async () => {
    const dir = fs.mkdtempSync('/tmp/bad-');
    const node = fakeNode(dir, defaultSpec(1));
    const plugin = PluginProcess.start(['--mig-strategy', 'sideways'], {
      ...node.env,
      METRICS_PORT: String(await freePort()),
    });
    const exit = await plugin.exited;
    expect(exit.code).toBe(1);
    expect(plugin.stderr).toMatch(/mig-strategy/);
    expect(plugin.stderr).toContain('sideways');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
