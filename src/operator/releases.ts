import { OperandImage } from './operator-images';

/**
 * The GPU Operator release this library pins by default. The operand images and the
 * per-release facts below are read from that release's chart (`values.yaml`, `crds/`,
 * `templates/`); `test/constructs/operator/release-table.test.ts` checks them against the
 * real chart. Scripts (test/e2e/versions.sh) read this line, so keep it a plain literal.
 */
export const GPU_OPERATOR_VERSION = 'v26.7.0';

/** The operand images of one GPU Operator release, as its chart's `values.yaml` sets them. */
export interface ReleaseOperands {
  /** The operator Deployment (`operator.*`). */
  readonly operator: OperandImage;
  /** The validator (`validator.*`); also the node status exporter's image. */
  readonly validator: OperandImage;
  /** The driver container (`driver.*`); the operator appends the node's OS to the tag. */
  readonly driver: OperandImage;
  /** The driver manager init container (`driver.manager.*`). */
  readonly driverManager: OperandImage;
  /** The NVIDIA Container Toolkit (`toolkit.*`). */
  readonly toolkit: OperandImage;
  /** NVIDIA's device plugin (`devicePlugin.*`). */
  readonly devicePlugin: OperandImage;
  /** GPU Feature Discovery (`gfd.*`, the device plugin's image). */
  readonly gfd: OperandImage;
  /** The standalone DCGM host engine (`dcgm.*`). */
  readonly dcgm: OperandImage;
  /** The DCGM exporter (`dcgmExporter.*`). */
  readonly dcgmExporter: OperandImage;
  /** The MIG manager (`migManager.*`). */
  readonly migManager: OperandImage;
  /**
   * The operands' init container (`operator.initContainer`), for releases that still read it.
   * @default - none: the release ignores `spec.operator.initContainer`
   */
  readonly initContainer?: OperandImage;
}

/** Operand images that differ from the release a custom release is based on. */
export interface ReleaseOperandOverrides {
  /** @default - the base release's */
  readonly operator?: OperandImage;
  /** @default - the base release's */
  readonly validator?: OperandImage;
  /** @default - the base release's */
  readonly driver?: OperandImage;
  /** @default - the base release's */
  readonly driverManager?: OperandImage;
  /** @default - the base release's */
  readonly toolkit?: OperandImage;
  /** @default - the base release's */
  readonly devicePlugin?: OperandImage;
  /** @default - the base release's */
  readonly gfd?: OperandImage;
  /** @default - the base release's */
  readonly dcgm?: OperandImage;
  /** @default - the base release's */
  readonly dcgmExporter?: OperandImage;
  /** @default - the base release's */
  readonly migManager?: OperandImage;
  /** @default - the base release's */
  readonly initContainer?: OperandImage;
}

/** What differs between releases in the chart and the ClusterPolicy CRD. */
export interface ReleaseFeatures {
  /**
   * The chart has `clusterPolicy.deployCR`, so it can leave the ClusterPolicy to Git. Without
   * it the chart always renders its own `ClusterPolicy/cluster-policy` (v25.10.1).
   */
  readonly chartDeployCrSwitch: boolean;
  /**
   * The ClusterPolicy CRD requires `spec.operator.defaultRuntime` (v25.10.1); later releases
   * detect the runtime and mark the field deprecated.
   */
  readonly crdRequiresDefaultRuntime: boolean;
  /** The operator reads `spec.operator.initContainer` (deprecated and ignored from v26.7.0). */
  readonly initContainerHonored: boolean;
  /** `spec.hostPaths.kubeletRootDir` exists (v26.7.0+). */
  readonly kubeletRootDir: boolean;
  /** `spec.daemonsets.podSecurityContext` exists (v26.7.0+). */
  readonly daemonSetPodSecurityContext: boolean;
  /** `spec.dcgmExporter.enablePodLabels`, `enablePodUID`, `podLabelAllowlistRegex` exist (v26.7.0+). */
  readonly dcgmExporterPodLabels: boolean;
  /** `spec.dcgmExporter.serviceMonitor.scrapeTimeout` exists (v26.7.0+). */
  readonly serviceMonitorScrapeTimeout: boolean;
}

/** A release that is not in the table: a version, the release it follows, and its images. */
export interface CustomGpuOperatorReleaseProps {
  /** The exact chart and operator version, e.g. `v26.7.1`. */
  readonly version: string;
  /** The known release whose chart and CRD this one matches (features, defaults). */
  readonly basedOn: GpuOperatorRelease;
  /**
   * Operand images that differ from the base release. The operator and validator default to
   * the base release's images at `version`.
   * @default - the base release's operands, operator and validator at `version`
   */
  readonly operands?: ReleaseOperandOverrides;
}

const VERSION_RE = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * One GPU Operator release: its version, the operand images its chart pins, and what its
 * chart and CRD support. The ClusterPolicy, the chart values and the checks all follow the
 * chosen release, so changing the release changes every pin together.
 */
export class GpuOperatorRelease {
  /**
   * GPU Operator v25.10.1. Its chart has no `clusterPolicy.deployCR`: it always renders its
   * own ClusterPolicy, so a stack on this release cannot install the chart through Flux or
   * Argo CD (install NONE only); its CRD requires `spec.operator.defaultRuntime`.
   */
  public static readonly V25_10_1 = new GpuOperatorRelease(
    'v25.10.1',
    {
      operator: OperandImage.of('nvcr.io/nvidia', 'gpu-operator', 'v25.10.1'),
      validator: OperandImage.of('nvcr.io/nvidia', 'gpu-operator', 'v25.10.1'),
      driver: OperandImage.of('nvcr.io/nvidia', 'driver', '580.105.08'),
      driverManager: OperandImage.of('nvcr.io/nvidia/cloud-native', 'k8s-driver-manager', 'v0.9.1'),
      toolkit: OperandImage.of('nvcr.io/nvidia/k8s', 'container-toolkit', 'v1.18.1'),
      devicePlugin: OperandImage.of('nvcr.io/nvidia', 'k8s-device-plugin', 'v0.18.1'),
      gfd: OperandImage.of('nvcr.io/nvidia', 'k8s-device-plugin', 'v0.18.1'),
      dcgm: OperandImage.of('nvcr.io/nvidia/cloud-native', 'dcgm', '4.4.2-1-ubuntu22.04'),
      dcgmExporter: OperandImage.of('nvcr.io/nvidia/k8s', 'dcgm-exporter', '4.4.2-4.7.0-distroless'),
      migManager: OperandImage.of('nvcr.io/nvidia/cloud-native', 'k8s-mig-manager', 'v0.13.1'),
      initContainer: OperandImage.of('nvcr.io/nvidia', 'cuda', '13.0.1-base-ubi9'),
    },
    {
      chartDeployCrSwitch: false,
      crdRequiresDefaultRuntime: true,
      initContainerHonored: true,
      kubeletRootDir: false,
      daemonSetPodSecurityContext: false,
      dcgmExporterPodLabels: false,
      serviceMonitorScrapeTimeout: false,
    },
  );

  /** GPU Operator v26.7.0, the newest release: device plugin and GFD v0.20.0, `clusterPolicy.deployCR`. */
  public static readonly V26_7_0 = new GpuOperatorRelease(
    'v26.7.0',
    {
      operator: OperandImage.of('nvcr.io/nvidia', 'gpu-operator', 'v26.7.0'),
      validator: OperandImage.of('nvcr.io/nvidia', 'gpu-operator', 'v26.7.0'),
      driver: OperandImage.of('nvcr.io/nvidia', 'driver', '595.91.07'),
      driverManager: OperandImage.of('nvcr.io/nvidia/cloud-native', 'k8s-driver-manager', 'v0.12.0'),
      toolkit: OperandImage.of('nvcr.io/nvidia/k8s', 'container-toolkit', 'v1.20.0'),
      devicePlugin: OperandImage.of('nvcr.io/nvidia', 'k8s-device-plugin', 'v0.20.0'),
      gfd: OperandImage.of('nvcr.io/nvidia', 'k8s-device-plugin', 'v0.20.0'),
      dcgm: OperandImage.of('nvcr.io/nvidia/cloud-native', 'dcgm', '4.6.0-1-ubuntu24.04'),
      dcgmExporter: OperandImage.of('nvcr.io/nvidia/k8s', 'dcgm-exporter', '4.6.0-4.8.3-distroless'),
      migManager: OperandImage.of('nvcr.io/nvidia/cloud-native', 'k8s-mig-manager', 'v0.15.0'),
    },
    {
      chartDeployCrSwitch: true,
      crdRequiresDefaultRuntime: false,
      initContainerHonored: false,
      kubeletRootDir: true,
      daemonSetPodSecurityContext: true,
      dcgmExporterPodLabels: true,
      serviceMonitorScrapeTimeout: true,
    },
  );

  /** Every release in the table, oldest first. */
  public static readonly ALL: GpuOperatorRelease[] = [GpuOperatorRelease.V25_10_1, GpuOperatorRelease.V26_7_0];

  /** The release this library pins by default (GPU_OPERATOR_VERSION). */
  public static readonly PINNED: GpuOperatorRelease = GpuOperatorRelease.of(GPU_OPERATOR_VERSION);

  /**
   * The release of the table with this exact version (`v26.7.0` or `26.7.0`).
   * @param version an exact release version
   */
  public static of(version: string): GpuOperatorRelease {
    const v = version.startsWith('v') ? version : `v${version}`;
    const found = GpuOperatorRelease.ALL.find((r) => r.version === v);
    if (!found) {
      throw new Error(
        `GPU Operator ${version} is not in this library's release table (${GpuOperatorRelease.ALL.map((r) => r.version).join(', ')}), so its operand images are unknown and the operator would run with the wrong ones; pick one of those, or describe it with GpuOperatorRelease.custom({ version: '${v}', basedOn: GpuOperatorRelease.V26_7_0, operands: { ... } }) after reading its chart's values.yaml`,
      );
    }
    return found;
  }

  /**
   * A release outside the table (a patch release, a mirror build): its version, the known
   * release whose chart and CRD it matches, and the operand images that differ.
   * @param props version, base release and operand overrides
   */
  public static custom(props: CustomGpuOperatorReleaseProps): GpuOperatorRelease {
    if (!VERSION_RE.test(props.version)) {
      throw new Error(
        `GpuOperatorRelease.custom version must be an exact release like "v26.7.1" (got "${props.version}"); a range would let the operator change without a commit`,
      );
    }
    const base = props.basedOn.operands;
    const o = props.operands ?? {};
    const operands: ReleaseOperands = {
      operator: o.operator ?? base.operator.withVersion(props.version),
      validator: o.validator ?? base.validator.withVersion(props.version),
      driver: o.driver ?? base.driver,
      driverManager: o.driverManager ?? base.driverManager,
      toolkit: o.toolkit ?? base.toolkit,
      devicePlugin: o.devicePlugin ?? base.devicePlugin,
      gfd: o.gfd ?? base.gfd,
      dcgm: o.dcgm ?? base.dcgm,
      dcgmExporter: o.dcgmExporter ?? base.dcgmExporter,
      migManager: o.migManager ?? base.migManager,
      initContainer: o.initContainer ?? base.initContainer,
    };
    if (o.initContainer && !props.basedOn.features.initContainerHonored) {
      throw new Error(
        `GpuOperatorRelease.custom sets operands.initContainer, but ${props.basedOn.version} (the base release) ignores spec.operator.initContainer; remove it`,
      );
    }
    return new GpuOperatorRelease(props.version, operands, props.basedOn.features);
  }

  private constructor(
    /** The exact chart and operator version, e.g. `v26.7.0`. */
    public readonly version: string,
    /** The operand images the release's chart pins. */
    public readonly operands: ReleaseOperands,
    /** What the release's chart and CRD support. */
    public readonly features: ReleaseFeatures,
  ) {}

  /** The driver branch of the release's driver (for precompiled drivers), e.g. `595`. */
  public get driverBranch(): string {
    return this.operands.driver.version.split('.')[0];
  }
}

/** The operand images of the pinned release (GpuOperatorRelease.PINNED.operands). */
export class DefaultOperandImages {
  /** The operator itself. */
  public static readonly OPERATOR = GpuOperatorRelease.PINNED.operands.operator;
  /** The validator (the operator's image); also the node status exporter's. */
  public static readonly VALIDATOR = GpuOperatorRelease.PINNED.operands.validator;
  /** Driver container; the operator appends the node's OS to the tag (e.g. `-ubuntu22.04`). */
  public static readonly DRIVER = GpuOperatorRelease.PINNED.operands.driver;
  /** Driver manager (drains GPU pods before a driver reload). */
  public static readonly DRIVER_MANAGER = GpuOperatorRelease.PINNED.operands.driverManager;
  /** NVIDIA Container Toolkit. */
  public static readonly TOOLKIT = GpuOperatorRelease.PINNED.operands.toolkit;
  /** NVIDIA's device plugin. */
  public static readonly DEVICE_PLUGIN = GpuOperatorRelease.PINNED.operands.devicePlugin;
  /** GPU Feature Discovery (the device plugin's image). */
  public static readonly GFD = GpuOperatorRelease.PINNED.operands.gfd;
  /** Standalone DCGM host engine. */
  public static readonly DCGM = GpuOperatorRelease.PINNED.operands.dcgm;
  /** DCGM exporter (Prometheus metrics). */
  public static readonly DCGM_EXPORTER = GpuOperatorRelease.PINNED.operands.dcgmExporter;
  /** MIG manager (applies mig-parted layouts). */
  public static readonly MIG_MANAGER = GpuOperatorRelease.PINNED.operands.migManager;

  private constructor() {}
}
