// Security defaults of GPU workloads: they pass the Pod Security Standard `restricted`
// and still run the common GPU images that start as root (NGC PyTorch, TensorFlow):
// an explicit non-zero uid makes `runAsNonRoot` satisfiable for an image whose USER is
// root, and the root filesystem stays writable because ML code writes caches (Triton,
// torch.compile, pip) all over it.
import {
  Capability,
  ContainerSecurityContextProps,
  ContainerSecutiryContextCapabilities,
  FsGroupChangePolicy,
  PodSecurityContextProps,
  SeccompProfile,
  SeccompProfileType,
} from 'cdk8s-plus-28';
import { requireOneOf, requireWholeNumber } from '../common/validation';

/**
 * Security settings of a GPU workload; each has a default that passes the `restricted` standard.
 */
export interface GpuSecurityOptions {
  /**
   * Refuse to start a container whose user is root.
   * @default true
   */
  readonly runAsNonRoot?: boolean;

  /**
   * The uid every container runs as; non-zero so that images built to start as root pass `runAsNonRoot`.
   * @default 1000
   */
  readonly runAsUser?: number;

  /**
   * The primary gid every container runs as.
   * @default 1000
   */
  readonly runAsGroup?: number;

  /**
   * The gid that owns mounted volumes, so the non-root user can write to them.
   * @default 1000
   */
  readonly fsGroup?: number;

  /**
   * When the kubelet changes the ownership of volumes to `fsGroup`.
   * @default FsGroupChangePolicy.ON_ROOT_MISMATCH (a large dataset volume is not walked on every start)
   */
  readonly fsGroupChangePolicy?: FsGroupChangePolicy;

  /**
   * Let a process gain more privileges than its parent (setuid binaries).
   * @default false
   */
  readonly allowPrivilegeEscalation?: boolean;

  /**
   * Mount each container's root filesystem read-only.
   * @default false (ML frameworks write caches under the root filesystem)
   */
  readonly readOnlyRootFilesystem?: boolean;

  /**
   * Linux capabilities added to or dropped from each container.
   * @default - drop ALL
   */
  readonly capabilities?: ContainerSecutiryContextCapabilities;

  /**
   * The seccomp profile of each container.
   * @default - RuntimeDefault
   */
  readonly seccompProfile?: SeccompProfile;
}

/** Security settings with every default resolved. */
export interface ResolvedSecurity {
  readonly pod: PodSecurityContextProps;
  readonly container: ContainerSecurityContextProps;
}

/** Resolves the defaults once and checks the ids. */
export function resolveSecurity(options: GpuSecurityOptions): ResolvedSecurity {
  const runAsNonRoot = options.runAsNonRoot ?? true;
  const runAsUser = options.runAsUser ?? 1000;
  requireWholeNumber('runAsUser', runAsUser, 0);
  requireWholeNumber('runAsGroup', options.runAsGroup, 0);
  requireWholeNumber('fsGroup', options.fsGroup, 0);
  requireOneOf('fsGroupChangePolicy', options.fsGroupChangePolicy, FsGroupChangePolicy);
  requireOneOf('seccompProfile.type', options.seccompProfile?.type, SeccompProfileType);
  if (runAsNonRoot && runAsUser === 0) {
    throw new Error(
      'runAsUser must not be 0 (root) while runAsNonRoot is true (got runAsUser 0); pick a non-zero uid or set runAsNonRoot: false',
    );
  }
  return {
    pod: {
      ensureNonRoot: runAsNonRoot,
      user: runAsUser,
      group: options.runAsGroup ?? 1000,
      fsGroup: options.fsGroup ?? 1000,
      fsGroupChangePolicy: options.fsGroupChangePolicy ?? FsGroupChangePolicy.ON_ROOT_MISMATCH,
    },
    container: {
      // uid and gid come from the pod; containers only repeat what `restricted` checks per container.
      ensureNonRoot: runAsNonRoot,
      privileged: false,
      allowPrivilegeEscalation: options.allowPrivilegeEscalation ?? false,
      readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? false,
      capabilities: options.capabilities ?? { drop: [Capability.ALL] },
      seccompProfile: options.seccompProfile ?? { type: SeccompProfileType.RUNTIME_DEFAULT },
    },
  };
}
