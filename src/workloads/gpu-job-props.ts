import { Duration, Size } from 'cdk8s';
import {
  ContainerResources,
  EnvValue,
  ImagePullPolicy,
  IServiceAccount,
  RestartPolicy,
  VolumeMount,
} from 'cdk8s-plus-28';
import { GpuRequest } from './gpu-request';
import { GpuSecurityOptions } from './security';

/**
 * Properties of a `GpuJob`.
 */
export interface GpuJobProps extends GpuSecurityOptions {
  /**
   * The Job's `metadata.name`, used as is (no hash suffix).
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * The namespace of the Job.
   * @default - none (the namespace of the kubectl context or of the GitOps target)
   */
  readonly namespace?: string;

  /**
   * The image of the main container.
   */
  readonly image: string;

  /**
   * The name of the main container.
   * @default 'trainer'
   */
  readonly containerName?: string;

  /**
   * The entrypoint of the main container.
   * @default - the image's ENTRYPOINT
   */
  readonly command?: string[];

  /**
   * The arguments of the main container.
   * @default - the image's CMD
   */
  readonly args?: string[];

  /**
   * The working directory of the main container.
   * @default - the image's WORKDIR
   */
  readonly workingDir?: string;

  /**
   * Environment variables of the main container.
   * @default - none
   */
  readonly envVariables?: { [name: string]: EnvValue };

  /**
   * Volumes mounted into the main container.
   * @default - none (besides /dev/shm when `sharedMemory` is on and the home when `writableHome` is on)
   */
  readonly volumeMounts?: VolumeMount[];

  /**
   * CPU, memory and ephemeral-storage requests and limits of the main container.
   * @default - none: GPU jobs size themselves by GPUs, not by cdk8s-plus's 1 CPU / 512Mi default
   */
  readonly resources?: ContainerResources;

  /**
   * When the kubelet pulls the main container's image.
   * @default ImagePullPolicy.IF_NOT_PRESENT (GPU images are many gigabytes)
   */
  readonly imagePullPolicy?: ImagePullPolicy;

  /**
   * Whole GPUs (`nvidia.com/gpu`) for the main container.
   * @default - 1 when `gpuRequests` is empty, else none
   */
  readonly gpus?: number;

  /**
   * MIG slices, shared replicas or other extended resources for the main container.
   * @default - none
   */
  readonly gpuRequests?: GpuRequest[];

  /**
   * GPU models the pod may run on, as in the node label `nvidia.com/gpu.product`
   * (e.g. `NVIDIA-A100-SXM4-80GB`: the NVML name with spaces as `-`; `-SHARED` is appended
   * on time-sliced or MPS nodes).
   *
   * The label is set by GPU Feature Discovery through node-feature-discovery: with
   * `GpuDevicePlugin`'s `gpuFeatureDiscovery: true` (plus NFD) or by the GPU Operator's GFD.
   * On a cluster where nothing sets it, the pod stays Pending.
   * @default - any model
   */
  readonly gpuProducts?: string[];

  /**
   * The least memory per GPU, matched against the node label `nvidia.com/gpu.memory` (MiB as GPU feature discovery reports it).
   *
   * Like `gpuProducts`, this needs GPU Feature Discovery labels on the nodes
   * (`GpuDevicePlugin`'s `gpuFeatureDiscovery: true` plus NFD, or the GPU Operator); without
   * them the pod stays Pending.
   * @default - any amount
   */
  readonly minGpuMemory?: Size;

  /**
   * The RuntimeClass of the pod, e.g. `nvidia` where containerd's default runtime is not NVIDIA's.
   * @default - the cluster's default runtime
   */
  readonly runtimeClassName?: string;

  /**
   * Mount a memory-backed emptyDir at /dev/shm in every container (PyTorch data loaders outgrow the runtime's 64 MiB).
   * @default - true when `sharedMemorySizeLimit` is set, else false
   */
  readonly sharedMemory?: boolean;

  /**
   * The size limit of the /dev/shm volume; it counts against the containers' memory limits.
   * @default - no limit beyond the pod's memory
   */
  readonly sharedMemorySizeLimit?: Size;

  /**
   * Give every container a writable home: a disk-backed emptyDir at /home/gpu-job, and `HOME` set to it.
   *
   * NGC images have no passwd entry for uid 1000, so `HOME` would be `/`, which that uid
   * cannot write, and torch, Triton, pip and Hugging Face caches under `~` fail. An emptyDir
   * works for any uid and with `readOnlyRootFilesystem` too. A container that sets `HOME`
   * itself, or mounts a volume of its own at /home/gpu-job, keeps its own. Turn this off for
   * an image whose user (`runAsUser`) already has a writable home.
   * @default - true, except when `runAsUser` is 0 and the root filesystem is writable (root's /root is then writable)
   */
  readonly writableHome?: boolean;

  /**
   * Retries before the Job is marked failed.
   * @default - Kubernetes' default (6)
   */
  readonly backoffLimit?: number;

  /**
   * How long the Job may run before Kubernetes stops it.
   * @default - no deadline
   */
  readonly activeDeadline?: Duration;

  /**
   * How long a finished Job is kept before Kubernetes deletes it.
   * @default - kept until deleted
   */
  readonly ttlAfterFinished?: Duration;

  /**
   * What the kubelet does when a container exits; a Job allows only Never and OnFailure.
   * @default RestartPolicy.NEVER
   */
  readonly restartPolicy?: RestartPolicy;

  /**
   * The ServiceAccount the pod runs as.
   * @default - the namespace's default ServiceAccount
   */
  readonly serviceAccount?: IServiceAccount;

  /**
   * Mount the ServiceAccount's API token into the pod.
   * @default false (training code rarely talks to the API server)
   */
  readonly automountServiceAccountToken?: boolean;

  /**
   * The value of the `app.kubernetes.io/component` label.
   * @default 'gpu-job'
   */
  readonly component?: string;

  /**
   * The value of the `app.kubernetes.io/version` label.
   * @default - the image tag when it is a valid label value, else this library's version
   */
  readonly version?: string;
}
