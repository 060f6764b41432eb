import { DefaultOperandImages, GPU_OPERATOR_HELM_REPOSITORY, GPU_OPERATOR_VERSION, OperandImage } from './operator-images';

/** How NVIDIA's `gpu-operator` chart is installed: version, repository and values. */
export interface OperatorChartOptions {
  /**
   * Exact chart version (no ranges: the operator must not change unless Git does).
   * @default GPU_OPERATOR_VERSION
   */
  readonly version?: string;
  /**
   * https URL of the Helm repository (a mirror for air-gapped clusters).
   * @default GPU_OPERATOR_HELM_REPOSITORY
   */
  readonly repositoryUrl?: string;
  /**
   * Deploy Node Feature Discovery with the operator; false when NFD runs already.
   * @default true
   */
  readonly nfd?: boolean;
  /**
   * Image of the operator Deployment.
   * @default DefaultOperandImages.OPERATOR
   */
  readonly operatorImage?: OperandImage;
  /**
   * More chart values, merged over the typed ones. `clusterPolicy.deployCR` stays false.
   * @default - none
   */
  readonly extraValues?: { [key: string]: any };
}

const VERSION_RE = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * The values the stack passes to NVIDIA's chart. The chart's own ClusterPolicy is always
 * off (`clusterPolicy.deployCR: false`): the stack emits the ClusterPolicy, so Git owns it,
 * and two ClusterPolicies would leave the operator ignoring one of them.
 */
export class OperatorChartValues {
  /** The exact chart version. */
  public readonly version: string;
  /** The Helm repository URL. */
  public readonly repositoryUrl: string;
  private readonly values: { [key: string]: any };

  constructor(options: OperatorChartOptions = {}) {
    this.version = options.version ?? GPU_OPERATOR_VERSION;
    this.repositoryUrl = options.repositoryUrl ?? GPU_OPERATOR_HELM_REPOSITORY;
    if (!VERSION_RE.test(this.version)) {
      throw new Error(`chart.version must be an exact release like "${GPU_OPERATOR_VERSION}" (got "${this.version}"); a range would let the operator change without a commit`);
    }
    if (!/^https:\/\/[^\s]+$/.test(this.repositoryUrl)) {
      throw new Error(`chart.repositoryUrl must be the https:// URL of a Helm repository (got "${this.repositoryUrl}")`);
    }
    const extra = options.extraValues ?? {};
    if (extra.clusterPolicy?.deployCR === true) {
      throw new Error('chart.extraValues sets clusterPolicy.deployCR to true; the stack emits the ClusterPolicy itself so Git owns it (two would make the operator ignore one) — remove that key');
    }
    const image = options.operatorImage ?? DefaultOperandImages.OPERATOR;
    const typed = {
      clusterPolicy: { deployCR: false },
      nfd: { enabled: options.nfd ?? true },
      operator: {
        repository: image.repository,
        image: image.image,
        version: image.version,
        // Flux (crds: CreateReplace) and Argo CD (crds/ on every sync) upgrade the CRDs;
        // the chart's own pre-upgrade hook would only race them.
        upgradeCRD: false,
        // Uninstalling the chart must not delete the ClusterPolicy that Git still holds.
        cleanupCRD: false,
      },
    };
    this.values = deepMerge(typed, extra);
    this.values.clusterPolicy = { ...(this.values.clusterPolicy ?? {}), deployCR: false };
  }

  /** The values as a plain object, typed keys first. */
  public toJson(): { [key: string]: any } {
    return JSON.parse(JSON.stringify(this.values));
  }
}

function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges `over` into `base`: objects merge key by key, anything else replaces. */
function deepMerge(base: Record<string, any>, over: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k], v) : v;
  }
  return out;
}
