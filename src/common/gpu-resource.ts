import { RESOURCE_PREFIX } from './plugin-constants';
import { extendedResourceNameProblem } from './validation';

/** Domain of every NVIDIA extended resource. */
/** The domain of NVIDIA's resources (the plugin's RESOURCE_PREFIX). */
export const NVIDIA_DOMAIN = RESOURCE_PREFIX;

// NVIDIA's MIG profile names: `1g.10gb`, `1c.2g.20gb`, `1g.10gb+me`, `7g.80gb`.
const MIG_PROFILE_RE = /^(?:[1-9]\d*c\.)?[1-9]\d*g\.[1-9]\d*gb(?:\+[a-z]+(?:\.[a-z0-9]+)*)?$/;

/**
 * A MIG profile such as `1g.10gb` (NVIDIA's names, as printed by `nvidia-smi mig -lgip`).
 */
export class MigProfile {
  /**
   * A MIG profile from its name, e.g. `MigProfile.of('1g.10gb')`.
   * @param name profile name: `<g>g.<mem>gb`, optionally `<c>c.` in front and `+<attr>` after
   */
  public static of(name: string): MigProfile {
    if (!MIG_PROFILE_RE.test(name)) {
      throw new Error(`MIG profile must look like "1g.10gb", "1c.2g.20gb" or "1g.10gb+me" (got "${name}")`);
    }
    return new MigProfile(name);
  }

  /** 1 GPU slice, 5 GB (A100 40GB). */
  public static readonly PROFILE_1_G_5_GB = new MigProfile('1g.5gb');
  /** 1 GPU slice, 10 GB (A100 80GB, H100 80GB). */
  public static readonly PROFILE_1_G_10_GB = new MigProfile('1g.10gb');
  /** 2 GPU slices, 20 GB (A100 80GB, H100 80GB). */
  public static readonly PROFILE_2_G_20_GB = new MigProfile('2g.20gb');
  /** 3 GPU slices, 40 GB (A100 80GB, H100 80GB). */
  public static readonly PROFILE_3_G_40_GB = new MigProfile('3g.40gb');
  /** 7 GPU slices, 80 GB (A100 80GB, H100 80GB). */
  public static readonly PROFILE_7_G_80_GB = new MigProfile('7g.80gb');

  private constructor(
    /** The profile name, e.g. `1g.10gb`. */
    public readonly name: string,
  ) {}

  /** The resource the device plugin advertises for this profile with the `mixed` strategy. */
  public get resourceName(): string {
    // NVIDIA's plugin turns '+' into '.': 1g.10gb+me → nvidia.com/mig-1g.10gb.me
    return `${NVIDIA_DOMAIN}/mig-${this.name.replace(/\+/g, '.')}`;
  }
}

/**
 * An extended resource that a container can request, e.g. `nvidia.com/gpu`.
 */
export class GpuResource {
  /** Whole GPUs (and MIG devices with the `single` strategy). */
  public static readonly NVIDIA_GPU = new GpuResource(`${NVIDIA_DOMAIN}/gpu`);
  /** Time-sliced or MPS replicas of whole GPUs when `renameByDefault` is on. */
  public static readonly NVIDIA_GPU_SHARED = new GpuResource(`${NVIDIA_DOMAIN}/gpu.shared`);

  /** The resource of a MIG profile with the `mixed` strategy, e.g. `nvidia.com/mig-1g.10gb`. */
  public static mig(profile: MigProfile): GpuResource {
    return new GpuResource(profile.resourceName);
  }

  /**
   * Any extended resource by name, checked against Kubernetes' rules.
   * @param name e.g. `nvidia.com/gpu` or `nvidia.com/a100-shared`
   */
  public static of(name: string): GpuResource {
    const problem = extendedResourceNameProblem(name);
    if (problem) {
      throw new Error(`invalid resource name "${name}": ${problem}`);
    }
    return new GpuResource(name);
  }

  private constructor(
    /** The full resource name. */
    public readonly name: string,
  ) {}

  /** True for MIG resources (`nvidia.com/mig-…`). */
  public get isMig(): boolean {
    return this.name.startsWith(`${NVIDIA_DOMAIN}/mig-`);
  }
}
