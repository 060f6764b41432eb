import { requireAbsolutePath } from '../common/validation';

/** The node's container runtime, which the toolkit configures (`operator.defaultRuntime`). */
export enum ContainerRuntime {
  /** containerd (kubeadm, k3s, RKE2, EKS, GKE, AKS). */
  CONTAINERD = 'containerd',
  /** CRI-O (OpenShift). */
  CRIO = 'crio',
  /** Docker Engine through cri-dockerd. */
  DOCKER = 'docker',
}

/** Which NVIDIA kernel modules the driver container loads (`driver.kernelModuleType`). */
export enum KernelModuleType {
  /** Let the driver container pick from the GPUs and the driver branch. */
  AUTO = 'auto',
  /** The open GPU kernel modules (required for Blackwell and newer). */
  OPEN = 'open',
  /** The proprietary modules (required for Maxwell, Pascal and Volta). */
  PROPRIETARY = 'proprietary',
}

/** How the GPU Operator itself gets installed. */
export enum GitOpsInstall {
  /** A Flux `HelmRepository` and `HelmRelease` install NVIDIA's chart. */
  FLUX = 'flux',
  /** An Argo CD `Application` installs NVIDIA's chart. */
  ARGO_CD = 'argocd',
  /** The operator is installed already; the stack manages only its configuration. */
  NONE = 'none',
}

/** Which device plugin serves `nvidia.com/gpu` on the operator's nodes. */
export enum DevicePluginProvider {
  /** The operator's own operand (NVIDIA's plugin). */
  OPERATOR = 'operator',
  /** This project's plugin (a GpuDevicePlugin), with the operator's plugin turned off. */
  PROJECT = 'project',
}

/** Prometheus type of a DCGM exporter metric (second column of its CSV). */
export enum DcgmMetricType {
  /** A value that goes up and down. */
  GAUGE = 'gauge',
  /** A value that only goes up. */
  COUNTER = 'counter',
  /** Static information added as a label to the other metrics. */
  LABEL = 'label',
}

/**
 * Where the toolkit finds containerd's config file and socket. Distributions that embed
 * containerd keep them elsewhere; the toolkit gets them as `CONTAINERD_CONFIG` and
 * `CONTAINERD_SOCKET`.
 */
export class ContainerdConfig {
  /** containerd as packaged by the OS: the toolkit's defaults, nothing to set. */
  public static readonly SYSTEM = new ContainerdConfig();
  /**
   * k3s: the toolkit edits the generated `config.toml` (NVIDIA/gpu-operator#374); k3s reads
   * the nvidia runtime it adds.
   */
  public static readonly K3S = new ContainerdConfig(
    '/var/lib/rancher/k3s/agent/etc/containerd/config.toml',
    '/run/k3s/containerd/containerd.sock',
  );
  /**
   * RKE2: the toolkit must edit the template, or RKE2 overwrites its change on restart
   * (NVIDIA/gpu-operator#473). RKE2's socket lives under /run/k3s.
   */
  public static readonly RKE2 = new ContainerdConfig(
    '/var/lib/rancher/rke2/agent/etc/containerd/config.toml.tmpl',
    '/run/k3s/containerd/containerd.sock',
  );

  /**
   * Any other location.
   * @param configPath absolute path of containerd's config file (or template) on the host
   * @param socketPath absolute path of containerd's socket on the host
   */
  public static custom(configPath: string, socketPath: string): ContainerdConfig {
    for (const [what, p] of [
      ['configPath', configPath],
      ['socketPath', socketPath],
    ] as const) {
      requireAbsolutePath(`ContainerdConfig.custom ${what}`, p);
    }
    return new ContainerdConfig(configPath, socketPath);
  }

  private constructor(
    /** containerd's config file on the host; undefined keeps the toolkit's default. */
    public readonly configPath?: string,
    /** containerd's socket on the host; undefined keeps the toolkit's default. */
    public readonly socketPath?: string,
  ) {}
}
