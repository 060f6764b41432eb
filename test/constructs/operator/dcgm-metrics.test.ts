import { DcgmMetricType, DcgmMetrics } from '../../../src/operator';

describe('DcgmMetrics', () => {
  test('recommended() collects what the alerts need, including volatile ECC counters', () => {
    const m = DcgmMetrics.recommended();
    for (const field of ['DCGM_FI_DEV_XID_ERRORS', 'DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL']) {
      expect(m.includes(field)).toBe(true);
    }
    expect(m.isBuiltIn).toBe(false);
  });

  test("builtIn() is the exporter's own list, which leaves ECC counters out", () => {
    const m = DcgmMetrics.builtIn();
    expect(m.isBuiltIn).toBe(true);
    expect(m.includes('DCGM_FI_DEV_XID_ERRORS')).toBe(true);
    expect(m.includes('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL')).toBe(false);
  });

  test("builtIn() leaves out the retired-page counters, which the exporter's default CSV comments out", () => {
    const m = DcgmMetrics.builtIn();
    expect(m.includes('DCGM_FI_DEV_RETIRED_SBE')).toBe(false);
    expect(m.includes('DCGM_FI_DEV_RETIRED_DBE')).toBe(false);
    expect(m.beyondExporterDefaults()).toEqual([]);
  });

  test("recommended() marks the three fields it collects beyond the exporter's defaults", () => {
    expect(DcgmMetrics.recommended().beyondExporterDefaults()).toEqual([
      'DCGM_FI_DEV_ECC_SBE_VOL_TOTAL',
      'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL',
      'DCGM_FI_DEV_RETIRED_DBE',
    ]);
  });

  test('toCsv writes one "field, type, help" line per metric after a comment', () => {
    const csv = DcgmMetrics.custom([
      { field: 'DCGM_FI_DEV_GPU_TEMP', type: DcgmMetricType.GAUGE, help: 'GPU temperature (C).' },
      { field: 'DCGM_FI_DRIVER_VERSION', type: DcgmMetricType.LABEL, help: 'Driver version.' },
    ]).toCsv();
    expect(csv.split('\n')).toEqual([
      expect.stringMatching(/^# /),
      'DCGM_FI_DEV_GPU_TEMP, gauge, GPU temperature (C).',
      'DCGM_FI_DRIVER_VERSION, label, Driver version.',
      '',
    ]);
  });

  test('every recommended line parses back to field, type and help', () => {
    const lines = DcgmMetrics.recommended()
      .toCsv()
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    for (const line of lines) {
      expect(line.split(', ')).toHaveLength(3);
    }
  });

  test.each<[string, any[], RegExp]>([
    ['an empty list', [], /needs at least one metric/],
    [
      'a field that is not DCGM',
      [{ field: 'gpu_temp', type: DcgmMetricType.GAUGE, help: '' }],
      /field must be a DCGM field name .*got "gpu_temp"/,
    ],
    [
      'an unknown type',
      [{ field: 'DCGM_FI_DEV_GPU_TEMP', type: 'histogram', help: '' }],
      /type must be one of "gauge", "counter", "label" \(got "histogram"\)/,
    ],
    [
      'a comma in the help text',
      [{ field: 'DCGM_FI_DEV_GPU_TEMP', type: DcgmMetricType.GAUGE, help: 'a, b' }],
      /must not contain commas/,
    ],
    [
      'a field listed twice',
      [
        { field: 'DCGM_FI_DEV_GPU_TEMP', type: DcgmMetricType.GAUGE, help: '' },
        { field: 'DCGM_FI_DEV_GPU_TEMP', type: DcgmMetricType.GAUGE, help: '' },
      ],
      /DCGM_FI_DEV_GPU_TEMP is listed twice/,
    ],
  ])('custom() rejects %s', (_what, metrics, message) => {
    expect(() => DcgmMetrics.custom(metrics)).toThrow(message);
  });
});
