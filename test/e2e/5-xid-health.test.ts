/**
 * Issue test 5: a critical XID on one fake GPU (through the fake NVML's event file, as the
 * driver would report it) makes the plugin mark that GPU unhealthy: allocatable drops to 7
 * within 5 s. After the plugin's recovery period without new XIDs it is 8 again.
 */
import { nodeResource } from './helpers/kube';
import {
  ensureDefaultPlugin,
  FAKE_GPU_UUIDS,
  injectXid,
  pluginLogs,
  recordTiming,
  waitForResource,
} from './helpers/plugin';
import { waitFor } from './helpers/kube';

// 48: double-bit ECC error, critical and recoverable (79, fallen off the bus, never recovers).
const XID = 48;
// The plugin's default recovery period (GpuDevicePlugin health.recoverySeconds, 60 s).
const RECOVERY_MS = 60000;

describe('XID health events', () => {
  beforeAll(async () => {
    await ensureDefaultPlugin();
  });

  test(
    'a critical XID drops allocatable to 7 within 5 s, and it is 8 again after recovery',
    async () => {
      const uuid = FAKE_GPU_UUIDS[3];
      const injectedAt = Date.now();
      injectXid('8gpu', uuid, XID);

      const { elapsedMs: dropMs } = await waitFor(
        'allocatable nvidia.com/gpu = 7',
        5000,
        () => nodeResource('allocatable', 'nvidia.com/gpu') === 7,
      );
      recordTiming(`XID ${XID} injected → node allocatable 7`, dropMs, 5000);
      // Capacity still counts the unhealthy GPU; only allocatable drops.
      expect(nodeResource('capacity', 'nvidia.com/gpu')).toBe(8);
      const marked = pluginLogs().filter(
        (r) => Date.parse(r.time) >= injectedAt - 1000 && JSON.stringify(r).includes(uuid),
      );
      expect(marked.length).toBeGreaterThan(0);

      const recoverMs = await waitForResource('nvidia.com/gpu', 8, RECOVERY_MS + 15000);
      recordTiming(
        `XID ${XID} → allocatable 8 again (recovery period ${RECOVERY_MS / 1000} s)`,
        dropMs + recoverMs,
        RECOVERY_MS + 15000,
      );
      expect(dropMs + recoverMs).toBeGreaterThanOrEqual(RECOVERY_MS - 1000);
    },
    RECOVERY_MS + 60000,
  );
});
