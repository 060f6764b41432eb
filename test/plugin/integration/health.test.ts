/**
 * Health with the real process: an XID injected into the fake NVML turns the device
 * Unhealthy in the next ListAndWatch message; a skipped XID does not.
 */
import { defaultSpec, gpuUuid, injectXid } from '../helpers/fake-nvml';
import { httpGet, startNode, type NodeUnderTest } from './plugin-process';

jest.setTimeout(60000);

const GPU = 'nvidia.com/gpu';
let n: NodeUnderTest;

beforeAll(async () => {
  n = await startNode(defaultSpec(4), { env: { HEALTH_RECOVERY_SECONDS: '0' } });
  await n.stub.waitForResources([GPU], 30000);
});

afterAll(async () => {
  await n?.stop();
});

const health = (uuid: string): string | undefined => n.stub.latest(GPU)?.find((d) => d.ID === uuid)?.health;

describe('plugin process: health', () => {
  it('ignores an XID on the default skip list', async () => {
    injectXid(n.node.eventsPath, gpuUuid(1), 13);
    injectXid(n.node.eventsPath, gpuUuid(2), 48);
    await n.stub.waitFor('GPU 2 to turn Unhealthy', () => health(gpuUuid(2)) === 'Unhealthy');
    expect(health(gpuUuid(1))).toBe('Healthy');
  });

  it('sends a critical XID to the kubelet as Unhealthy and keeps the others Healthy', async () => {
    injectXid(n.node.eventsPath, gpuUuid(3), 79);
    await n.stub.waitFor('GPU 3 to turn Unhealthy', () => health(gpuUuid(3)) === 'Unhealthy');
    expect(
      n.stub
        .latest(GPU)
        ?.map((d) => d.health)
        .sort(),
    ).toEqual(['Healthy', 'Healthy', 'Unhealthy', 'Unhealthy']);
  });

  it('turns a GPU Unhealthy for an XID that came during a SIGHUP reload, and for one after it', async () => {
    const reloads = n.plugin.logged('config reloaded').length;
    n.plugin.signal('SIGHUP');
    injectXid(n.node.eventsPath, gpuUuid(0), 48);
    await n.stub.waitFor('the reload', () => n.plugin.logged('config reloaded').length > reloads);
    await n.stub.waitFor('GPU 0 to turn Unhealthy', () => health(gpuUuid(0)) === 'Unhealthy');
    injectXid(n.node.eventsPath, gpuUuid(1), 48);
    await n.stub.waitFor('GPU 1 to turn Unhealthy after the reload', () => health(gpuUuid(1)) === 'Unhealthy');
  });

  it('shows the unhealthy devices in /metrics', async () => {
    const { body } = await httpGet(n.port, '/metrics');
    expect(body).toContain('gpu_device_plugin_devices{resource="nvidia.com/gpu",health="Unhealthy"} 4');
  });
});
