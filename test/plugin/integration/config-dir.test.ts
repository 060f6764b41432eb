/**
 * --config-dir with the REAL plugin process, a real kube-apiserver (helpers/apiserver.ts) and
 * the kubelet stub: the node label selects a named config and a change is applied inside the
 * running process (same pid, re-registered, no restart); removing the label goes back to the
 * default; a label naming no config keeps the default and logs a warning with the available
 * names; a ConfigMap update of the selected config (the kubelet's ..data swap) is applied too.
 * And the start-up errors: --config-dir with --config-file, without a node name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultSpec } from '../helpers/fake-nvml';
import { TestApiServer } from '../helpers/apiserver';
import { fakeNode, freePort, PluginProcess, startNode, type NodeUnderTest } from './plugin-process';

jest.setTimeout(120000);

const LABEL = 'nvidia.com/device-plugin.config';
const NODE = 'plugin-node';
const WHOLE = 'version: v1\nflags:\n  migStrategy: none\n';
const sliced = (replicas: number): string =>
  `version: v1\nsharing:\n  timeSlicing:\n    resources:\n      - name: nvidia.com/gpu\n        replicas: ${replicas}\n`;

/** Writes `configs` the way the kubelet updates a mounted ConfigMap: a new ..<stamp> dir, then ..data swapped. */
function writeConfigMap(dir: string, configs: Record<string, string>, generation: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = `..2026_12_06_00_00_0${generation}.000000001`;
  fs.mkdirSync(path.join(dir, stamp));
  for (const [name, text] of Object.entries(configs)) fs.writeFileSync(path.join(dir, stamp, name), text);
  fs.symlinkSync(stamp, path.join(dir, '..data_tmp'));
  fs.renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
  for (const name of Object.keys(configs)) {
    if (!fs.existsSync(path.join(dir, name))) fs.symlinkSync(`..data/${name}`, path.join(dir, name));
  }
}

describe('plugin process with --config-dir on a real kube-apiserver', () => {
  let api: TestApiServer;
  let n: NodeUnderTest;
  let configDir: string;
  let pid: number | undefined;
  const timings: string[] = [];

  const gpus = (): number | undefined => n.stub.latest('nvidia.com/gpu')?.length;

  async function switchTo(what: string, count: number, act: () => void): Promise<void> {
    const started = Date.now();
    act();
    await n.stub.waitFor(`${what}: nvidia.com/gpu = ${count}`, () => gpus() === count, 30000);
    timings.push(`  ${what.padEnd(44)} ${Date.now() - started} ms`);
    expect(n.plugin.running).toBe(true);
    expect(n.plugin.child.pid).toBe(pid);
  }

  beforeAll(async () => {
    api = await TestApiServer.start();
    api.createNode(NODE);
    configDir = fs.mkdtempSync('/tmp/cfgdir-');
    writeConfigMap(configDir, { whole: WHOLE, 'sliced-4': sliced(4) }, 1);
    n = await startNode(defaultSpec(2), {
      env: { CONFIG_DIR: configDir, NODE_NAME: NODE, KUBECONFIG: api.kubeconfig, DEFAULT_CONFIG: 'whole' },
    });
    await n.stub.waitForResources(['nvidia.com/gpu'], 30000);
    pid = n.plugin.child.pid;
  });

  afterAll(async () => {
    process.stdout.write(
      `\nconfig switch (label or ConfigMap change → kubelet stub sees the new list):\n${timings.join('\n')}\n`,
    );
    await n?.stop();
    await api?.stop();
    if (configDir) fs.rmSync(configDir, { recursive: true, force: true });
  });

  it('starts with the default config while the node has no label', async () => {
    expect(gpus()).toBe(2);
    const selected = await n.plugin.waitForLog('selected config');
    expect(selected.config).toBe('whole');
  });

  it('label sliced-4 → 4 replicas per GPU, in the same process', async () => {
    await switchTo('label set to sliced-4', 8, () => api.label(NODE, LABEL, 'sliced-4'));
    expect(n.plugin.logged('config reloaded').length).toBeGreaterThanOrEqual(1);
  });

  it('label removed → back to the default', async () => {
    await switchTo('label removed', 2, () => api.label(NODE, LABEL, undefined));
  });

  it('a label naming no config keeps serving the default and warns with the available names', async () => {
    await switchTo('label set to sliced-4 again', 8, () => api.label(NODE, LABEL, 'sliced-4'));
    await switchTo('label set to a name with no config', 2, () => api.label(NODE, LABEL, 'sliced-8'));
    const warning = await n.plugin.waitForLog('names no config');
    expect(warning.level).toBe('warn');
    expect(String(warning.msg)).toContain(`${LABEL}=sliced-8`);
    expect(String(warning.msg)).toContain('available configs: sliced-4, whole');
    expect(n.stub.resources.get('nvidia.com/gpu')!.streamEnded).toBe(false);
  });

  it('a ConfigMap update of the selected config is applied without a restart', async () => {
    await switchTo('label set to sliced-4 (third time)', 8, () => api.label(NODE, LABEL, 'sliced-4'));
    await switchTo('ConfigMap update: sliced-4 now 2 replicas', 4, () =>
      writeConfigMap(configDir, { whole: WHOLE, 'sliced-4': sliced(2) }, 2),
    );
    expect(n.plugin.logged('content of the selected config changed').length).toBeGreaterThanOrEqual(1);
  });
});

describe('plugin process: --config-dir start-up errors', () => {
  async function startWith(args: string[], env: Record<string, string> = {}): Promise<PluginProcess> {
    const dir = fs.mkdtempSync('/tmp/cfgdir-bad-');
    const node = fakeNode(dir, defaultSpec(1));
    const plugin = PluginProcess.start(args, { ...node.env, METRICS_PORT: String(await freePort()), ...env });
    await plugin.exited;
    fs.rmSync(dir, { recursive: true, force: true });
    return plugin;
  }

  it('--config-dir with --config-file: exit 1, says which to drop', async () => {
    const plugin = await startWith(['--config-dir=/tmp', '--config-file=/tmp/x.yaml', '--node-name=n']);
    expect((await plugin.exited).code).toBe(1);
    expect(plugin.stderr).toMatch(/--config-file and --config-dir were both given: use one\. Drop --config-file/);
  });

  it('--config-dir without a node name: exit 1, names NODE_NAME and the downward API', async () => {
    const plugin = await startWith([], { CONFIG_FILE_SRCDIR: '/tmp' });
    expect((await plugin.exited).code).toBe(1);
    expect(plugin.stderr).toContain('environment variable CONFIG_FILE_SRCDIR needs this node');
    expect(plugin.stderr).toContain('spec.nodeName');
  });

  it('outside a pod without --kubeconfig: exit 1, says what to set', async () => {
    const plugin = await startWith(['--config-dir=/tmp', '--node-name=n']);
    expect((await plugin.exited).code).toBe(1);
    expect(plugin.stderr).toContain('KUBERNETES_SERVICE_HOST');
    expect(plugin.stderr).toContain('--kubeconfig');
  });
});
