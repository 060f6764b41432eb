import { requireOneOf } from '../common/validation';
import { DcgmMetricType } from './vocabulary';

/** One metric the DCGM exporter collects: a DCGM field, its Prometheus type, and help text. */
export interface DcgmMetric {
  /** The DCGM field, e.g. `DCGM_FI_DEV_GPU_TEMP` (also the Prometheus metric name). */
  readonly field: string;
  /** Prometheus type. */
  readonly type: DcgmMetricType;
  /** Help text shown by Prometheus. */
  readonly help: string;
}

/**
 * Field names of the exporter's built-in list: the lines `/etc/dcp-metrics-included.csv` of
 * the pinned exporters (4.4.2-4.7.0 in v25.10.1, 4.6.0-4.8.3 in v26.7.0) leave uncommented.
 * That file comments out the volatile ECC counters and the retired-page counters
 * (DCGM_FI_DEV_RETIRED_SBE/DBE; NVIDIA/dcgm-exporter#646 asked for them, #666 was closed
 * unmerged), so the exporter collects none of them unless a ConfigMap lists them.
 */
const BUILT_IN_FIELDS = [
  'DCGM_FI_DEV_SM_CLOCK',
  'DCGM_FI_DEV_MEM_CLOCK',
  'DCGM_FI_DEV_MEMORY_TEMP',
  'DCGM_FI_DEV_GPU_TEMP',
  'DCGM_FI_DEV_POWER_USAGE',
  'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
  'DCGM_FI_DEV_PCIE_REPLAY_COUNTER',
  'DCGM_FI_DEV_GPU_UTIL',
  'DCGM_FI_DEV_MEM_COPY_UTIL',
  'DCGM_FI_DEV_ENC_UTIL',
  'DCGM_FI_DEV_DEC_UTIL',
  'DCGM_FI_DEV_XID_ERRORS',
  'DCGM_FI_DEV_FB_FREE',
  'DCGM_FI_DEV_FB_USED',
  'DCGM_FI_DEV_FB_RESERVED',
  'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL',
  'DCGM_FI_DEV_VGPU_LICENSE_STATUS',
  'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS',
  'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS',
  'DCGM_FI_DEV_ROW_REMAP_FAILURE',
  'DCGM_FI_DRIVER_VERSION',
  'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
  'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE',
  'DCGM_FI_PROF_DRAM_ACTIVE',
  'DCGM_FI_PROF_PCIE_TX_BYTES',
  'DCGM_FI_PROF_PCIE_RX_BYTES',
];

const g = DcgmMetricType.GAUGE;
const c = DcgmMetricType.COUNTER;
// What platform teams watch, plus the error counters the alerts need. The exporter's
// built-in list leaves volatile ECC counters and retired pages commented out, so a
// double-bit ECC alert on it would never fire: this list adds the three fields that
// DcgmMetrics.beyondExporterDefaults() reports, on purpose.
const RECOMMENDED: DcgmMetric[] = [
  { field: 'DCGM_FI_DEV_SM_CLOCK', type: g, help: 'SM clock (MHz).' },
  { field: 'DCGM_FI_DEV_MEM_CLOCK', type: g, help: 'Memory clock (MHz).' },
  { field: 'DCGM_FI_DEV_GPU_TEMP', type: g, help: 'GPU temperature (C).' },
  { field: 'DCGM_FI_DEV_MEMORY_TEMP', type: g, help: 'Memory temperature (C).' },
  { field: 'DCGM_FI_DEV_POWER_USAGE', type: g, help: 'Power draw (W).' },
  { field: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', type: c, help: 'Energy used since boot (mJ).' },
  { field: 'DCGM_FI_DEV_GPU_UTIL', type: g, help: 'GPU utilization (%).' },
  { field: 'DCGM_FI_DEV_MEM_COPY_UTIL', type: g, help: 'Memory utilization (%).' },
  { field: 'DCGM_FI_DEV_FB_FREE', type: g, help: 'Framebuffer memory free (MiB).' },
  { field: 'DCGM_FI_DEV_FB_USED', type: g, help: 'Framebuffer memory used (MiB).' },
  { field: 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER', type: c, help: 'PCIe retries.' },
  { field: 'DCGM_FI_DEV_XID_ERRORS', type: g, help: 'Number of the last XID error seen on the GPU.' },
  { field: 'DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', type: c, help: 'Single-bit ECC errors since the driver loaded.' },
  { field: 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', type: c, help: 'Double-bit ECC errors since the driver loaded.' },
  { field: 'DCGM_FI_DEV_RETIRED_DBE', type: c, help: 'Pages retired after double-bit errors.' },
  { field: 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', type: c, help: 'Rows remapped after uncorrectable errors.' },
  { field: 'DCGM_FI_DEV_ROW_REMAP_FAILURE', type: g, help: '1 when row remapping failed (the GPU needs service).' },
  { field: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', type: g, help: 'Fraction of time the graphics engine is active.' },
  { field: 'DCGM_FI_PROF_DRAM_ACTIVE', type: g, help: 'Fraction of cycles the memory interface is busy.' },
  { field: 'DCGM_FI_DRIVER_VERSION', type: DcgmMetricType.LABEL, help: 'Driver version.' },
];

const FIELD_RE = /^DCGM_FI_[A-Z0-9_]+$/;

/**
 * Which metrics the DCGM exporter collects: its built-in list, this library's recommended
 * list, or your own. Anything but the built-in list becomes a ConfigMap (`dcgm-metrics.csv`)
 * that the ClusterPolicy names in `dcgmExporter.config`.
 */
export class DcgmMetrics {
  /** The recommended list: utilization, memory, power, temperature, XID and ECC counters. */
  public static recommended(): DcgmMetrics {
    return new DcgmMetrics(RECOMMENDED, false);
  }

  /** The exporter's built-in list (no ConfigMap); it collects no ECC or retired-page counters. */
  public static builtIn(): DcgmMetrics {
    return new DcgmMetrics(
      BUILT_IN_FIELDS.map((field) => ({ field, type: g, help: '' })),
      true,
    );
  }

  /**
   * Your own list.
   * @param metrics the metrics, in file order
   */
  public static custom(metrics: DcgmMetric[]): DcgmMetrics {
    return new DcgmMetrics(metrics, false);
  }

  private constructor(
    /** The metrics collected. */
    public readonly metrics: DcgmMetric[],
    /** True for the exporter's built-in list (no ConfigMap). */
    public readonly isBuiltIn: boolean,
  ) {
    if (metrics.length === 0) {
      throw new Error(
        "DcgmMetrics.custom needs at least one metric (use DcgmMetrics.builtIn() for the exporter's own list)",
      );
    }
    const seen = new Set<string>();
    metrics.forEach((m, i) => {
      if (!FIELD_RE.test(m.field)) {
        throw new Error(
          `dcgm metric [${i}] field must be a DCGM field name like "DCGM_FI_DEV_GPU_TEMP" (got "${m.field}")`,
        );
      }
      requireOneOf(`dcgm metric ${m.field} type`, m.type, DcgmMetricType);
      if (m.help.includes(',') || m.help.includes('\n')) {
        throw new Error(
          `dcgm metric ${m.field} help must not contain commas or line breaks (it is a CSV column) (got "${m.help}")`,
        );
      }
      if (seen.has(m.field)) {
        throw new Error(`dcgm metric ${m.field} is listed twice; list each field once`);
      }
      seen.add(m.field);
    });
  }

  /**
   * True when the list collects `field`.
   * @param field a DCGM field name
   */
  public includes(field: string): boolean {
    return this.metrics.some((m) => m.field === field);
  }

  /**
   * The fields this list collects that the exporter's built-in list leaves out (commented
   * out in its default CSV): collected only because the ConfigMap lists them.
   */
  public beyondExporterDefaults(): string[] {
    const builtIn = new Set(BUILT_IN_FIELDS);
    return this.metrics.map((m) => m.field).filter((f) => !builtIn.has(f));
  }

  /** The exporter's CSV format: `FIELD, type, help` per line. */
  public toCsv(): string {
    const header = '# DCGM field, Prometheus type, help (generated by cdk8s-gpu)\n';
    return header + this.metrics.map((m) => `${m.field}, ${m.type}, ${m.help}`).join('\n') + '\n';
  }
}
