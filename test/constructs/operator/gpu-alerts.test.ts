import {
  CRITICAL_XIDS,
  DcgmMetricType,
  DcgmMetrics,
  GpuOperatorAlerts,
  GpuOperatorAlertsProps,
} from '../../../src/operator';
import { scope, synth } from './synth';

const base: GpuOperatorAlertsProps = { namespace: 'gpu-operator', metrics: DcgmMetrics.recommended() };

function rules(props: Partial<GpuOperatorAlertsProps> = {}): { rule: any; byName: (alert: string) => any } {
  const rule = synth((s) => new GpuOperatorAlerts(s, 'Alerts', { ...base, ...props })).one('PrometheusRule');
  return { rule, byName: (alert: string) => rule.spec.groups[0].rules.find((r: any) => r.alert === alert) };
}

describe('GpuOperatorAlerts', () => {
  const { rule, byName } = rules({ labels: { app: 'gpu' }, ruleLabels: { release: 'kube-prometheus' } });

  test('is a monitoring.coreos.com/v1 PrometheusRule in the operator namespace with rule labels', () => {
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata).toEqual({
      name: 'gpu-operator-alerts',
      namespace: 'gpu-operator',
      labels: { app: 'gpu', release: 'kube-prometheus' },
    });
  });

  test('has the five alerts in one group', () => {
    expect(rule.spec.groups).toHaveLength(1);
    expect(rule.spec.groups[0].rules.map((r: any) => r.alert)).toEqual([
      'GpuCriticalXidError',
      'GpuFellOffTheBus',
      'GpuDoubleBitEccError',
      'GpuHighTemperature',
      'GpuDcgmExporterDown',
    ]);
  });

  test('every alert has a severity, a summary and a description that says what to do', () => {
    for (const r of rule.spec.groups[0].rules) {
      expect(['critical', 'warning']).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(20);
      expect(r.annotations.description).toMatch(/(Cordon|Drain|Check|reboot)/);
    }
  });

  test('critical XIDs: one comparison per XID on DCGM_FI_DEV_XID_ERRORS, without 79', () => {
    const expr = byName('GpuCriticalXidError').expr;
    expect(expr).toBe(CRITICAL_XIDS.map((x) => `DCGM_FI_DEV_XID_ERRORS == ${x}`).join(' or '));
    expect(expr).not.toContain('== 79');
    expect(byName('GpuCriticalXidError').labels.severity).toBe('critical');
  });

  test('fell off the bus is XID 79', () => {
    expect(byName('GpuFellOffTheBus').expr).toBe('DCGM_FI_DEV_XID_ERRORS == 79');
  });

  test('double-bit ECC fires on any increase of the volatile DBE counter', () => {
    expect(byName('GpuDoubleBitEccError').expr).toBe('increase(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL[10m]) > 0');
  });

  test('high temperature: above 85 °C for 5 minutes, a warning', () => {
    expect(byName('GpuHighTemperature')).toMatchObject({
      expr: 'DCGM_FI_DEV_GPU_TEMP > 85',
      for: '5m',
      labels: { severity: 'warning' },
    });
  });

  test("exporter down: up == 0 or no series at all, for the operator's exporter job and namespace", () => {
    const sel = 'up{job="nvidia-dcgm-exporter",namespace="gpu-operator"}';
    expect(byName('GpuDcgmExporterDown')).toMatchObject({ expr: `${sel} == 0 or absent(${sel})`, for: '10m' });
  });

  test('threshold, XIDs and job are configurable', () => {
    const r = rules({ temperatureCelsius: 90, criticalXids: [95, 48], exporterJob: 'dcgm' });
    expect(r.byName('GpuHighTemperature').expr).toBe('DCGM_FI_DEV_GPU_TEMP > 90');
    expect(r.byName('GpuCriticalXidError').expr).toBe('DCGM_FI_DEV_XID_ERRORS == 48 or DCGM_FI_DEV_XID_ERRORS == 95');
    expect(r.byName('GpuDcgmExporterDown').expr).toContain('up{job="dcgm",namespace="gpu-operator"}');
  });

  const temperatureOnly = DcgmMetrics.custom([
    { field: 'DCGM_FI_DEV_GPU_TEMP', type: DcgmMetricType.GAUGE, help: 't' },
    { field: 'DCGM_FI_DEV_XID_ERRORS', type: DcgmMetricType.GAUGE, help: 'x' },
  ]);
  test.each<[string, Partial<GpuOperatorAlertsProps>, RegExp]>([
    [
      'the built-in metrics (no ECC counter)',
      { metrics: DcgmMetrics.builtIn() },
      /GpuDoubleBitEccError alert needs DCGM_FI_DEV_ECC_DBE_VOL_TOTAL, which dcgmExporter.metrics does not collect; use DcgmMetrics.recommended\(\)/,
    ],
    ['a custom list without the ECC counter', { metrics: temperatureOnly }, /needs DCGM_FI_DEV_ECC_DBE_VOL_TOTAL/],
    [
      'a temperature outside 40-120',
      { temperatureCelsius: 200 },
      /temperatureCelsius must be between 40 and 120 °C \(got 200\)/,
    ],
    ['an empty XID list', { criticalXids: [] }, /criticalXids is empty/],
    [
      'XID 79 in the critical list',
      { criticalXids: [48, 79] },
      /criticalXids lists 79, which has its own alert \(GpuFellOffTheBus\)/,
    ],
    ['a fractional XID', { criticalXids: [4.5] }, /criticalXids\[\] must be a whole number ≥ 1 \(got 4.5\)/],
    [
      'an exporter job with a quote (it goes into PromQL)',
      { exporterJob: 'dcgm"} or vector(1) #' },
      /^alerts.exporterJob must be a non-empty Prometheus job name without '"', '\\' or line breaks \(got "dcgm\\"} or vector\(1\) #"\)/,
    ],
    ['an empty exporter job', { exporterJob: '' }, /^alerts.exporterJob must be a non-empty Prometheus job name/],
    [
      'a rule label key with a space',
      { ruleLabels: { 'prometheus release': 'main' } },
      /^alerts.ruleLabels key "prometheus release" must be a label key/,
    ],
    [
      'a rule label value of 64 characters',
      { ruleLabels: { release: 'r'.repeat(64) } },
      /^alerts.ruleLabels\["release"\] must be a label value/,
    ],
  ])('rejects %s', (_what, props, message) => {
    expect(() => new GpuOperatorAlerts(scope(), 'Alerts', { ...base, ...props })).toThrow(message);
  });
});
