// A writable home directory for GPU containers. GpuJob runs images as uid 1000, but NGC
// images (nvcr.io/nvidia/pytorch, tensorflow, …) start as root and have no passwd entry
// for that uid, so the runtime sets HOME=/, which uid 1000 cannot write: torch, Triton,
// pip and Hugging Face caches under ~ then fail with "Permission denied: '/.cache'".
// An emptyDir mounted at a fixed path, with HOME pointing at it, works for any uid and
// with a read-only root filesystem too (an emptyDir is writable by all).
import { Container, EnvValue, Volume, VolumeMount } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ResolvedSecurity } from './security';

/** Where the home volume is mounted and what HOME is set to. */
export const WRITABLE_HOME_PATH = '/home/gpu-job';
/** The pod volume's name; prefixed so that it does not meet a volume of the user's. */
const VOLUME_NAME = 'gpu-job-home';
const HOME_ENV = 'HOME';

/**
 * Whether the job gets a writable home when `writableHome` is not given: not for root
 * (its passwd entry points at /root, which it can write, and moving HOME would hide what
 * the image keeps there), unless the root filesystem is read-only and /root is not writable.
 */
export function writableHomeByDefault(security: ResolvedSecurity): boolean {
  return security.pod.user !== 0 || security.container.readOnlyRootFilesystem === true;
}

/** The home volume of one job and how each of its containers gets it. */
export class WritableHome {
  public readonly volume: Volume;

  constructor(scope: Construct) {
    // Disk-backed (the default medium) and without a size limit: model caches (the Hugging
    // Face hub's) reach tens of GiB, RAM is the GPU job's, and an emptyDir over its limit
    // gets the pod evicted. It draws on the node's ephemeral storage like the container's
    // writable layer does, so `resources.ephemeralStorage` bounds it.
    this.volume = Volume.fromEmptyDir(scope, 'WritableHome', VOLUME_NAME);
  }

  /** `env` with HOME set to the home volume, unless the container sets HOME itself. */
  public withHome(env: { [key: string]: EnvValue }): { [key: string]: EnvValue } {
    return HOME_ENV in env ? env : { ...env, [HOME_ENV]: EnvValue.fromValue(WRITABLE_HOME_PATH) };
  }

  /** Mounts the home volume, unless the container mounts its own volume there (that one wins). */
  public mountInto(container: Container, ownMounts: VolumeMount[] | undefined): void {
    if (!(ownMounts ?? []).some((m) => m.path === WRITABLE_HOME_PATH)) {
      container.mount(WRITABLE_HOME_PATH, this.volume);
    }
  }

  /**
   * Containers that got a volume of the caller's at the home path after the home volume
   * (with `container.mount()`): the API server refuses two mounts at one path.
   */
  public problems(containers: Container[]): string[] {
    return containers
      .filter((c) => {
        const atHome = c.mounts.filter((m) => m.path === WRITABLE_HOME_PATH);
        return atHome.length > 1 && atHome.some((m) => m.volume === this.volume);
      })
      .map(
        (c) =>
          `container "${c.name}" mounts a second volume at ${WRITABLE_HOME_PATH}, where writableHome mounts the job's home; ` +
          'set writableHome: false to use your own volume there, or mount it elsewhere',
      );
  }
}
