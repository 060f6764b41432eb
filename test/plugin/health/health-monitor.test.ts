import type { HealthConfig } from '../../../plugin/src/config/types';
import { DEFAULT_SKIP_XIDS } from '../../../plugin/src/constants';
import { HealthMonitor } from '../../../plugin/src/health/health-monitor';

const GPU0 = 'GPU-0';
const GPU1 = 'GPU-1';

function config(over: Partial<HealthConfig> = {}): HealthConfig {
  return { disabled: false, skipXids: [...DEFAULT_SKIP_XIDS], enableXids: [], recoveryMs: 60_000, ...over };
}

function monitor(over: Partial<HealthConfig> = {}, devices: string[] = []) {
  const changes: Array<[string, boolean, string]> = [];
  const m = new HealthMonitor(config(over), (uuid, healthy, reason) => changes.push([uuid, healthy, reason]), devices);
  return { m, changes };
}

const xid = (uuid: string, n: number) => ({ uuid, healthy: false, xid: n, reason: `XID ${n}` });

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('skip list', () => {
  test.each(DEFAULT_SKIP_XIDS.map((n) => [n]))('XID %d is skipped by default', (n) => {
    const { m, changes } = monitor();
    m.handle(xid(GPU0, n));
    expect(changes).toEqual([]);
  });

  test.each([[48], [63], [74], [79], [94], [95], [999]])('XID %d marks the device unhealthy', (n) => {
    const { m, changes } = monitor();
    m.handle(xid(GPU0, n));
    expect(changes).toEqual([[GPU0, false, `XID ${n}`]]);
  });

  test('an enabled XID counts even when it is on the skip list', () => {
    const { m, changes } = monitor({ enableXids: [109] });
    m.handle(xid(GPU0, 109));
    expect(changes).toEqual([[GPU0, false, 'XID 109']]);
  });

  test('an event without an XID (a failed wait) always counts', () => {
    const { m, changes } = monitor();
    m.handle({ uuid: GPU0, healthy: false, reason: 'wait failed' });
    expect(changes).toEqual([[GPU0, false, 'wait failed']]);
  });

  test('does nothing when health checks are disabled', () => {
    const { m, changes } = monitor({ disabled: true });
    m.handle(xid(GPU0, 79));
    expect(changes).toEqual([]);
  });
});

describe('recovery', () => {
  test('a device recovers after recoveryMs without a new critical XID', () => {
    const { m, changes } = monitor({ recoveryMs: 60_000 });
    m.handle(xid(GPU0, 48));
    jest.advanceTimersByTime(59_999);
    expect(m.isHealthy(GPU0)).toBe(false);
    jest.advanceTimersByTime(1);
    expect(changes).toEqual([
      [GPU0, false, 'XID 48'],
      [GPU0, true, 'no critical XID for 60s after XID 48'],
    ]);
    expect(m.isHealthy(GPU0)).toBe(true);
  });

  test('each new XID on the device restarts the quiet period', () => {
    const { m, changes } = monitor({ recoveryMs: 1000 });
    m.handle(xid(GPU0, 48));
    jest.advanceTimersByTime(900);
    m.handle(xid(GPU0, 94));
    jest.advanceTimersByTime(900);
    expect(changes).toEqual([[GPU0, false, 'XID 48']]);
    jest.advanceTimersByTime(100);
    expect(changes[1]).toEqual([GPU0, true, 'no critical XID for 1s after XID 94']);
  });

  test('an XID on another device does not delay recovery', () => {
    const { m } = monitor({ recoveryMs: 1000 });
    m.handle(xid(GPU0, 48));
    jest.advanceTimersByTime(900);
    m.handle(xid(GPU1, 48));
    jest.advanceTimersByTime(100);
    expect([m.isHealthy(GPU0), m.isHealthy(GPU1)]).toEqual([true, false]);
  });

  test('a skipped XID does not restart the quiet period', () => {
    const { m } = monitor({ recoveryMs: 1000 });
    m.handle(xid(GPU0, 48));
    jest.advanceTimersByTime(900);
    m.handle(xid(GPU0, 13));
    jest.advanceTimersByTime(100);
    expect(m.isHealthy(GPU0)).toBe(true);
  });

  test('a device reported lost (permanent, no XID) never recovers', () => {
    const { m, changes } = monitor({ recoveryMs: 1000 });
    m.handle({ uuid: GPU0, healthy: false, permanent: true, reason: 'NVML answers GPU_IS_LOST' });
    jest.advanceTimersByTime(10_000);
    m.handle({ uuid: GPU0, healthy: true, reason: 'recovered?' });
    expect(changes).toEqual([[GPU0, false, 'NVML answers GPU_IS_LOST']]);
  });

  test('XID 79 never recovers', () => {
    const { m, changes } = monitor({ recoveryMs: 1000 });
    m.handle(xid(GPU0, 79));
    jest.advanceTimersByTime(24 * 3600_000);
    m.handle({ uuid: GPU0, healthy: true, reason: 'looks fine' });
    expect(changes).toEqual([[GPU0, false, 'XID 79']]);
  });

  test('a recoverable XID after XID 79 does not make the device recoverable', () => {
    const { m } = monitor({ recoveryMs: 1000 });
    m.handle(xid(GPU0, 79));
    m.handle(xid(GPU0, 48));
    jest.advanceTimersByTime(10_000);
    expect(m.isHealthy(GPU0)).toBe(false);
  });

  test('recoveryMs 0 keeps devices unhealthy, as NVIDIA’s plugin does', () => {
    const { m } = monitor({ recoveryMs: 0 });
    m.handle(xid(GPU0, 48));
    jest.advanceTimersByTime(24 * 3600_000);
    expect(m.isHealthy(GPU0)).toBe(false);
  });

  test('a repeated XID reports the change once', () => {
    const { m, changes } = monitor();
    m.handle(xid(GPU0, 48));
    m.handle(xid(GPU0, 48));
    expect(changes).toHaveLength(1);
  });

  test('a healthy event recovers a device at once', () => {
    const { m, changes } = monitor();
    m.handle(xid(GPU0, 48));
    m.handle({ uuid: GPU0, healthy: true, reason: 'reset' });
    expect(changes).toEqual([
      [GPU0, false, 'XID 48'],
      [GPU0, true, 'reset'],
    ]);
  });

  test('stop cancels pending recoveries and ignores later events', () => {
    const { m, changes } = monitor({ recoveryMs: 1000 });
    m.handle(xid(GPU0, 48));
    m.stop();
    jest.advanceTimersByTime(5000);
    m.handle(xid(GPU1, 48));
    expect(changes).toEqual([[GPU0, false, 'XID 48']]);
  });
});

describe('* events', () => {
  test('mark every known device, each recovering on its own', () => {
    const { m, changes } = monitor({ recoveryMs: 1000 }, [GPU0, GPU1]);
    m.handle(xid(GPU1, 79));
    m.handle(xid('*', 48));
    jest.advanceTimersByTime(1000);
    expect(changes).toEqual([
      [GPU1, false, 'XID 79'],
      [GPU0, false, 'XID 48'],
      [GPU0, true, 'no critical XID for 1s after XID 48'],
    ]);
    expect([m.isHealthy(GPU0), m.isHealthy(GPU1)]).toEqual([true, false]);
  });

  test('are passed on as * when the monitor knows no devices', () => {
    const { m, changes } = monitor();
    m.handle(xid('*', 48));
    expect(changes).toEqual([['*', false, 'XID 48']]);
  });
});
