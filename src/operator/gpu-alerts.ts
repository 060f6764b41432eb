import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { requireLabels, requireWholeNumber } from '../common/validation';
import { DcgmMetrics } from './dcgm-metrics';

/**
 * XIDs that NVIDIA's XID catalog says need a GPU reset, a reboot or service: double-bit
 * ECC (48), micro-controller halts (61, 62), row-remapping events and failures (63, 64),
 * NVLink errors (74), high single-bit ECC rate (92), contained and uncontained ECC errors
 * (94, 95) and GSP errors (119, 120). 79 (fell off the bus) has its own alert.
 */
export const CRITICAL_XIDS: number[] = [48, 61, 62, 63, 64, 74, 92, 94, 95, 119, 120];

/** XID of a GPU that fell off the bus. */
export const XID_FELL_OFF_BUS = 79;

/** Settings of the GPU alerts (a Prometheus Operator PrometheusRule). */
export interface GpuAlertsOptions {
  /**
   * Emit the PrometheusRule.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * GPU temperature (°C) above which GpuHighTemperature fires after 5 minutes.
   * @default 85
   */
  readonly temperatureCelsius?: number;
  /**
   * XIDs that fire GpuCriticalXidError.
   * @default CRITICAL_XIDS
   */
  readonly criticalXids?: number[];
  /**
   * Labels on the PrometheusRule so your Prometheus's ruleSelector picks it up.
   * @default - none
   */
  readonly ruleLabels?: { [key: string]: string };
  /**
   * The `job` label of the exporter's series in Prometheus.
   * @default 'nvidia-dcgm-exporter' (the Service the operator creates)
   */
  readonly exporterJob?: string;
}

/** Properties of GpuOperatorAlerts. */
export interface GpuOperatorAlertsProps extends GpuAlertsOptions {
  /** Namespace of the rule and of the exporter. */
  readonly namespace: string;
  /** The metrics the exporter collects (each alert needs its fields). */
  readonly metrics: DcgmMetrics;
  /**
   * Labels of the rule (ruleLabels are added).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** Name of the PrometheusRule. */
export const ALERTS_RULE_NAME = 'gpu-operator-alerts';

const GPU = '{{ $labels.gpu }} ({{ $labels.UUID }}, {{ $labels.modelName }}) on {{ $labels.Hostname }}';

/**
 * A PrometheusRule with the alerts a GPU cluster needs: critical XID errors, a GPU that
 * fell off the bus, double-bit ECC errors, high temperature and a silent exporter. Each
 * says what happened and what to do.
 */
export class GpuOperatorAlerts extends Construct {
  /** The PrometheusRule. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: GpuOperatorAlertsProps) {
    super(scope, id);
    const temperature = props.temperatureCelsius ?? 85;
    if (!Number.isFinite(temperature) || temperature < 40 || temperature > 120) {
      throw new Error(`alerts.temperatureCelsius must be between 40 and 120 °C (got ${temperature})`);
    }
    const xids = props.criticalXids ?? CRITICAL_XIDS;
    if (xids.length === 0) {
      throw new Error("alerts.criticalXids is empty; leave it out for NVIDIA's critical XIDs");
    }
    for (const x of xids) {
      requireWholeNumber('alerts.criticalXids[]', x, 1);
      if (x === XID_FELL_OFF_BUS) {
        throw new Error(
          `alerts.criticalXids lists ${XID_FELL_OFF_BUS}, which has its own alert (GpuFellOffTheBus); remove it`,
        );
      }
    }
    // Prometheus picks rules up by these labels; the API server refuses a rule whose labels are no labels.
    requireLabels('alerts.ruleLabels', props.ruleLabels);
    const job = props.exporterJob ?? 'nvidia-dcgm-exporter';
    // The job is written into PromQL string literals, where these would end or break the string.
    if (job === '' || /["\\\n\r]/.test(job)) {
      throw new Error(
        `alerts.exporterJob must be a non-empty Prometheus job name without '"', '\\' or line breaks (got ${JSON.stringify(job)})`,
      );
    }
    const needs: Array<[string, string]> = [
      ['DCGM_FI_DEV_XID_ERRORS', 'GpuCriticalXidError and GpuFellOffTheBus'],
      ['DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 'GpuDoubleBitEccError'],
      ['DCGM_FI_DEV_GPU_TEMP', 'GpuHighTemperature'],
    ];
    for (const [field, alert] of needs) {
      if (!props.metrics.includes(field)) {
        throw new Error(
          `the ${alert} alert needs ${field}, which dcgmExporter.metrics does not collect; use DcgmMetrics.recommended(), add the field to your list, or set alerts.enabled to false`,
        );
      }
    }
    const up = `up{job="${job}",namespace="${props.namespace}"}`;
    const xidExpr = [...xids]
      .sort((a, b) => a - b)
      .map((x) => `DCGM_FI_DEV_XID_ERRORS == ${x}`)
      .join(' or ');
    const rules = [
      {
        alert: 'GpuCriticalXidError',
        expr: xidExpr,
        labels: { severity: 'critical' },
        annotations: {
          summary: `GPU ${GPU} reported critical XID {{ $value }}`,
          description: `XID {{ $value }} means the GPU needs a reset or service, and jobs on it may be lost or wrong. Cordon and drain the node, read the XID in the kernel log (dmesg | grep -i xid) and nvidia-smi -q, then reset the GPU (nvidia-smi -r) or reboot. If the XID returns, have the GPU serviced.`,
        },
      },
      {
        alert: 'GpuFellOffTheBus',
        expr: `DCGM_FI_DEV_XID_ERRORS == ${XID_FELL_OFF_BUS}`,
        labels: { severity: 'critical' },
        annotations: {
          summary: `GPU ${GPU} fell off the bus (XID 79)`,
          description:
            'The driver lost the GPU on PCIe; it stays unusable until the node reboots, and the device plugin marks it unhealthy. Cordon and drain the node, then reboot it. If XID 79 returns, check power, cooling, the PCIe riser and the GPU itself.',
        },
      },
      {
        alert: 'GpuDoubleBitEccError',
        expr: 'increase(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL[10m]) > 0',
        labels: { severity: 'critical' },
        annotations: {
          summary: `GPU ${GPU} had uncorrectable (double-bit) ECC errors`,
          description:
            'Memory on the GPU returned data ECC could not correct: jobs on it may have crashed or produced wrong results. Drain the node and reset the GPU or reboot so the bad memory is retired or remapped; check DCGM_FI_DEV_ROW_REMAP_FAILURE and retired pages, and have the GPU replaced if errors recur.',
        },
      },
      {
        alert: 'GpuHighTemperature',
        expr: `DCGM_FI_DEV_GPU_TEMP > ${temperature}`,
        for: '5m',
        labels: { severity: 'warning' },
        annotations: {
          summary: `GPU ${GPU} is at {{ $value }} °C (above ${temperature} °C for 5 minutes)`,
          description:
            "A hot GPU slows its clocks and, if it keeps rising, shuts down. Check the node's fans and airflow and the room's inlet temperature; move load off the node if it does not cool down.",
        },
      },
      {
        alert: 'GpuDcgmExporterDown',
        expr: `${up} == 0 or absent(${up})`,
        for: '10m',
        labels: { severity: 'warning' },
        annotations: {
          summary: `Prometheus gets no GPU metrics from job ${job} in namespace ${props.namespace}`,
          description: `Without the DCGM exporter no other GPU alert can fire. Check the exporter pods (kubectl -n ${props.namespace} get pods -l app=nvidia-dcgm-exporter) and their logs, and that your Prometheus selects the exporter's ServiceMonitor (dcgmExporter.serviceMonitor.additionalLabels).`,
        },
      },
    ];
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: ALERTS_RULE_NAME,
        namespace: props.namespace,
        labels: { ...(props.labels ?? {}), ...(props.ruleLabels ?? {}) },
      },
      spec: { groups: [{ name: 'gpu-operator.rules', rules }] },
    });
  }
}
