import { GPU_OPERATOR_HELM_REPOSITORY, OperandImage } from './operator-images';
import { GPU_OPERATOR_VERSION, GpuOperatorRelease } from './releases';

/** How NVIDIA's `gpu-operator` chart is installed: version, repository and values. */
export interface OperatorChartOptions {
  /**
   * Exact chart version (no ranges: the operator must not change unless Git does). It picks
   * the release from GpuOperatorRelease's table, so the operator and every operand follow it;
   * a version outside the table is refused (describe it with GpuOperatorRelease.custom).
   * @default - the release's version (GPU_OPERATOR_VERSION)
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
   * Image of the operator Deployment (a mirror); its tag must be the release's version.
   * @default - the release's operator image
   */
  readonly operatorImage?: OperandImage;
  /**
   * More chart values, merged over the typed ones. `clusterPolicy.deployCR` stays false.
   * @default - none
   */
  readonly extraValues?: { [key: string]: any };
}

/** The images the operator Deployment itself refers to, beside its own. */
export interface OperatorChartImages {
  /**
   * The release the chart belongs to.
   * @default GpuOperatorRelease.PINNED
   */
  readonly release?: GpuOperatorRelease;
  /**
   * The validator image (the Deployment's `VALIDATOR_IMAGE`); the ClusterPolicy's.
   * @default - the release's validator
   */
  readonly validator?: OperandImage;
  /**
   * The driver manager image (the Deployment's `DRIVER_MANAGER_IMAGE`); the ClusterPolicy's.
   * @default - the release's driver manager
   */
  readonly driverManager?: OperandImage;
}

const VERSION_RE = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * The values the stack passes to NVIDIA's chart. The chart's own ClusterPolicy is always
 * off (`clusterPolicy.deployCR: false`): the stack emits the ClusterPolicy, so Git owns it,
 * and two owners of one ClusterPolicy fight (Helm refuses to adopt it, server-side apply
 * conflicts, `helm uninstall` deletes it). A release whose chart lacks that switch
 * (v25.10.1) is refused. The operator, validator and driver manager images are pinned to the
 * release: the chart would otherwise take the validator's tag from its appVersion.
 */
export class OperatorChartValues {
  /** The exact chart version. */
  public readonly version: string;
  /** The Helm repository URL. */
  public readonly repositoryUrl: string;
  /** The release the values are for. */
  public readonly release: GpuOperatorRelease;
  private readonly values: { [key: string]: any };

  constructor(options: OperatorChartOptions = {}, images: OperatorChartImages = {}) {
    const release = images.release ?? GpuOperatorRelease.PINNED;
    this.release = release;
    this.version = release.version;
    this.repositoryUrl = options.repositoryUrl ?? GPU_OPERATOR_HELM_REPOSITORY;
    if (options.version !== undefined) {
      if (!VERSION_RE.test(options.version)) {
        throw new Error(
          `chart.version must be an exact release like "${GPU_OPERATOR_VERSION}" (got "${options.version}"); a range would let the operator change without a commit`,
        );
      }
      const given = options.version.startsWith('v') ? options.version : `v${options.version}`;
      if (given !== release.version) {
        throw new Error(
          `chart.version "${options.version}" is not the release the stack is built for (${release.version}); the operator and its operands follow the release, so set release (or only chart.version) to one of ${GpuOperatorRelease.ALL.map((r) => r.version).join(', ')}`,
        );
      }
    }
    if (!release.features.chartDeployCrSwitch) {
      throw new Error(
        `GPU Operator ${release.version}'s chart has no clusterPolicy.deployCR switch: it always renders its own ClusterPolicy "cluster-policy", the object this stack emits from Git, and two owners of one object fight (Helm refuses to adopt it, server-side apply conflicts with manager "helm", helm uninstall deletes it). Use release ${GpuOperatorRelease.PINNED.version}, or install: GitOpsInstall.NONE with an operator installed without that chart's ClusterPolicy`,
      );
    }
    if (!/^https:\/\/[^\s]+$/.test(this.repositoryUrl)) {
      throw new Error(
        `chart.repositoryUrl must be the https:// URL of a Helm repository (got "${this.repositoryUrl}")`,
      );
    }
    const extra = options.extraValues ?? {};
    if (extra.clusterPolicy?.deployCR === true) {
      throw new Error(
        'chart.extraValues sets clusterPolicy.deployCR to true; the stack emits the ClusterPolicy itself so Git owns it (two would make the operator ignore one) — remove that key',
      );
    }
    for (const key of ['version', 'repository', 'image'] as const) {
      for (const block of ['operator', 'validator'] as const) {
        if (extra[block]?.[key] !== undefined) {
          throw new Error(
            `chart.extraValues sets ${block}.${key}; the ${block} image follows the release (${release.version}): use chart.operatorImage for a mirror of the operator, validator.image for the validator, or pick another release`,
          );
        }
      }
    }
    const image = options.operatorImage ?? release.operands.operator;
    if (!image.version.startsWith('sha256:') && image.version !== release.version) {
      throw new Error(
        `chart.operatorImage ${image.reference} is not the release's operator (${release.version}); a mirror must carry the same tag (or a digest), or the operator and its CRD and operands drift apart`,
      );
    }
    const validator = images.validator ?? release.operands.validator;
    const driverManager = images.driverManager ?? release.operands.driverManager;
    const typed = {
      clusterPolicy: { deployCR: false },
      nfd: { enabled: options.nfd ?? true },
      // The operator Deployment passes these two to the operands it starts itself
      // (VALIDATOR_IMAGE, DRIVER_MANAGER_IMAGE); the chart's validator tag would default to
      // its appVersion. Pinned to the ClusterPolicy's images so both say the same.
      validator: pinned(validator),
      driver: { manager: pinned(driverManager) },
      operator: {
        ...pinned(image),
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

function pinned(i: OperandImage): { repository: string; image: string; version: string } {
  return { repository: i.repository, image: i.image, version: i.version };
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
