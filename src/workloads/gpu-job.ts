import { ApiObject, JsonPatch } from 'cdk8s';
import {
  Container,
  ContainerProps,
  EmptyDirMedium,
  EnvValue,
  ImagePullPolicy,
  Job,
  Node,
  NodeLabelQuery,
  NodeTaintQuery,
  RestartPolicy,
  TaintEffect,
  Volume,
} from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GpuResource } from '../common/gpu-resource';
import { LIBRARY_VERSION } from '../common/version';
import { standardLabels } from '../common/labels';
import {
  isLabelValue,
  requireDnsLabel,
  requireDnsSubdomain,
  requireEnvName,
  requireImage,
  requireLabelValue,
  requireOneOf,
  requireResources,
  requireWholeMebibytes,
  requireWholeNumber,
  requireWholeSeconds,
} from '../common/validation';
import { requireUniqueObjectNames } from '../common/unique-names';
import { advertisedResourceProblems } from './advertised';
import { GpuContainerProps, gpuResourcePatches, resolveGpuRequests } from './gpu-container';
import { GpuJobProps } from './gpu-job-props';
import { GpuRequest } from './gpu-request';
import { ResolvedSecurity, resolveSecurity } from './security';
import { WritableHome, writableHomeByDefault } from './writable-home';

/** Node label that GPU feature discovery sets to the GPU model, e.g. `NVIDIA-A100-SXM4-80GB`. */
const GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';
/** Node label that GPU feature discovery sets to the memory of one GPU in MiB. */
const GPU_MEMORY_LABEL = 'nvidia.com/gpu.memory';
/** Set in containers that request no GPU, so NVIDIA's runtime hides every GPU from them. */
const VISIBLE_DEVICES_ENV = 'NVIDIA_VISIBLE_DEVICES';

/** The tag of an image reference (`repo:tag` or `repo:tag@digest`), or undefined. */
function imageTag(image: string): string | undefined {
  const ref = image.split('@')[0];
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : undefined;
}

/**
 * A batch Job for GPU work: GPUs in `resources.limits`, the `nvidia.com/gpu` toleration,
 * optional GPU model and memory selection, and security defaults that pass the Pod
 * Security Standard `restricted` while still running images that start as root.
 */
export class GpuJob extends Job {
  /** The main container. */
  public readonly container: Container;
  /** What the main container requests, with defaults resolved. */
  public readonly gpuRequests: GpuRequest[];
  /** The memory-backed volume mounted at /dev/shm, when `sharedMemory` is on. */
  public readonly sharedMemoryVolume?: Volume;
  /** The disk-backed volume mounted at /home/gpu-job (and HOME), when `writableHome` is on. */
  public readonly writableHomeVolume?: Volume;
  /** The recommended labels on the Job and its pods. */
  public readonly labels: { [key: string]: string };

  private readonly security: ResolvedSecurity;
  private readonly home?: WritableHome;
  private readonly containerNames = new Set<string>();
  private readonly allGpuRequests: GpuRequest[] = [];

  constructor(scope: Construct, id: string, props: GpuJobProps) {
    const name = props.name ?? id;
    requireDnsLabel(
      props.name === undefined ? 'name (from the construct id)' : 'name',
      name,
      props.name === undefined ? '; pass a name prop' : '',
    );
    if (props.namespace !== undefined) {
      requireDnsLabel('namespace', props.namespace);
    }
    // The main container's image and pull policy, under the props the caller set.
    requireImage('image', props.image);
    requireOneOf('imagePullPolicy', props.imagePullPolicy, ImagePullPolicy);
    const restartPolicy = props.restartPolicy ?? RestartPolicy.NEVER;
    requireOneOf('restartPolicy', restartPolicy, RestartPolicy);
    if (restartPolicy !== RestartPolicy.NEVER && restartPolicy !== RestartPolicy.ON_FAILURE) {
      throw new Error(`restartPolicy must be Never or OnFailure for a Job (got ${restartPolicy})`);
    }
    requireWholeNumber('backoffLimit', props.backoffLimit, 0);
    requireWholeSeconds('activeDeadline', props.activeDeadline, 1);
    requireWholeSeconds('ttlAfterFinished', props.ttlAfterFinished, 0);
    const security = resolveSecurity(props);
    const tag = imageTag(props.image);
    const version = props.version ?? (tag && isLabelValue(tag) ? tag : LIBRARY_VERSION);
    requireLabelValue('version', version);
    const component = props.component ?? 'gpu-job';
    requireLabelValue('component', component);
    const labels = standardLabels({ name, instance: name, component, version });

    super(scope, id, {
      // The construct id, not a hashed path: GitOps diffs and `kubectl logs job/<name>` need a stable name.
      metadata: { name, namespace: props.namespace, labels },
      podMetadata: { labels },
      restartPolicy,
      backoffLimit: props.backoffLimit,
      activeDeadline: props.activeDeadline,
      ttlAfterFinished: props.ttlAfterFinished,
      serviceAccount: props.serviceAccount,
      automountServiceAccountToken: props.automountServiceAccountToken ?? false,
      securityContext: security.pod,
    });
    this.security = security;
    this.labels = labels;

    // GPU nodes are commonly tainted so that only GPU work lands on them.
    this.scheduling.tolerate(
      Node.tainted(NodeTaintQuery.exists(GpuResource.NVIDIA_GPU.name, { effect: TaintEffect.NO_SCHEDULE })),
    );
    this.selectGpuNodes(props);

    if (props.runtimeClassName !== undefined) {
      requireDnsSubdomain('runtimeClassName', props.runtimeClassName);
      ApiObject.of(this).addJsonPatch(JsonPatch.add('/spec/template/spec/runtimeClassName', props.runtimeClassName));
    }

    const shmLimit = requireWholeMebibytes('sharedMemorySizeLimit', props.sharedMemorySizeLimit);
    if (props.sharedMemory ?? shmLimit !== undefined) {
      this.sharedMemoryVolume = Volume.fromEmptyDir(this, 'SharedMemory', 'dshm', {
        medium: EmptyDirMedium.MEMORY,
        sizeLimit: props.sharedMemorySizeLimit,
      });
    }

    if (props.writableHome ?? writableHomeByDefault(security)) {
      const home = new WritableHome(this);
      this.home = home;
      this.writableHomeVolume = home.volume;
      this.node.addValidation({ validate: () => home.problems([...this.containers, ...this.initContainers]) });
    }

    const containerName = props.containerName ?? 'trainer';
    this.gpuRequests = resolveGpuRequests(containerName, props.gpus, props.gpuRequests);
    this.container = this.addGpuContainer({
      name: containerName,
      image: props.image,
      command: props.command,
      args: props.args,
      workingDir: props.workingDir,
      envVariables: props.envVariables,
      volumeMounts: props.volumeMounts,
      resources: props.resources,
      imagePullPolicy: props.imagePullPolicy,
      gpuRequests: this.gpuRequests,
    });
    requireUniqueObjectNames(this, 'GpuJob', () => 'set name (or namespace) to another value on one of them');
    // At synth, when the whole app exists: a resource no device plugin of the app advertises.
    this.node.addValidation({ validate: () => advertisedResourceProblems(this, this.allGpuRequests) });
  }

  /**
   * Adds a container that uses GPUs; it gets this job's security defaults, /dev/shm and the writable home.
   */
  public addGpuContainer(props: GpuContainerProps): Container {
    const name = props.name ?? 'main';
    const requests = resolveGpuRequests(name, props.gpus, props.gpuRequests);
    this.allGpuRequests.push(...requests);
    const { gpus: _gpus, gpuRequests: _requests, ...rest } = props;
    const index = this.containers.length;
    const container = super.addContainer(this.withDefaults(rest, name, false));
    ApiObject.of(this).addJsonPatch(
      ...gpuResourcePatches(`/spec/template/spec/containers/${index}`, container.resources, requests),
    );
    this.mountSharedMemory(container);
    this.home?.mountInto(container, props.volumeMounts);
    return container;
  }

  /**
   * Adds a container that uses no GPU (a sidecar, a log shipper): it gets this job's
   * security defaults, /dev/shm, the writable home and `NVIDIA_VISIBLE_DEVICES=void`, so it
   * does not see the node's GPUs.
   */
  public addContainer(cont: ContainerProps): Container {
    const name = cont.name ?? 'main';
    const container = super.addContainer(this.withDefaults(cont, name, true));
    this.mountSharedMemory(container);
    this.home?.mountInto(container, cont.volumeMounts);
    return container;
  }

  /**
   * Adds an init container that uses no GPU, with the same defaults as `addContainer` (and the
   * writable home, but not /dev/shm).
   */
  public addInitContainer(cont: ContainerProps): Container {
    const name = cont.name ?? `init-${this.initContainers.length}`;
    const container = super.addInitContainer(this.withDefaults(cont, name, true));
    this.home?.mountInto(container, cont.volumeMounts);
    return container;
  }

  private selectGpuNodes(props: GpuJobProps): void {
    const queries: NodeLabelQuery[] = [];
    if (props.gpuProducts !== undefined) {
      if (props.gpuProducts.length === 0) {
        throw new Error('gpuProducts must list at least one GPU model, e.g. ["NVIDIA-A100-SXM4-80GB"] (got [])');
      }
      props.gpuProducts.forEach((p, i) => {
        // GFD writes the NVML name with spaces as '-' and other characters dropped.
        const asLabel = p
          .replace(/[^A-Za-z0-9\-_. ]/g, '')
          .split(/\s+/)
          .filter((w) => w !== '')
          .join('-');
        if (asLabel !== p) {
          throw new Error(
            `gpuProducts[${i}] "${p}" can never match: GPU Feature Discovery writes nvidia.com/gpu.product as "${asLabel}" ` +
              '(spaces become "-", other characters are dropped); use that form. The label comes from GpuDevicePlugin\'s ' +
              'gpuFeatureDiscovery (with NFD) or the GPU Operator; without it the pod stays Pending.',
          );
        }
        requireLabelValue(`gpuProducts[${i}]`, p);
      });
      queries.push(NodeLabelQuery.in(GPU_PRODUCT_LABEL, props.gpuProducts));
    }
    const minMib = requireWholeMebibytes('minGpuMemory', props.minGpuMemory);
    if (minMib !== undefined) {
      // Node affinity has Gt but no Ge: "at least N" is "greater than N-1".
      queries.push(NodeLabelQuery.gt(GPU_MEMORY_LABEL, [String(minMib - 1)]));
    }
    if (queries.length > 0) {
      this.scheduling.attract(Node.labeled(...queries));
    }
  }

  // cdk8s-plus's container defaults suit web services, not GPU work: it adds 1 CPU / 512Mi
  // requests, a read-only root filesystem and imagePullPolicy Always. Choose each here.
  private withDefaults(cont: ContainerProps, name: string, hideGpus: boolean): ContainerProps {
    if (this.containerNames.has(name)) {
      throw new Error(
        `container name "${name}" is already used in GpuJob "${this.node.path}"; give each container its own name`,
      );
    }
    this.containerNames.add(name);
    // cdk8s-plus checks none of these; the API server would refuse the whole Job.
    requireDnsLabel('container name', name);
    requireImage(`image of container "${name}"`, cont.image);
    requireOneOf(`imagePullPolicy of container "${name}"`, cont.imagePullPolicy, ImagePullPolicy);
    requireResources(`resources of container "${name}"`, cont.resources);
    const env: { [key: string]: EnvValue } = { ...cont.envVariables };
    Object.keys(env).forEach((key) => requireEnvName(`envVariables of container "${name}"`, key));
    if (hideGpus && !(VISIBLE_DEVICES_ENV in env)) {
      // Images like NGC's set NVIDIA_VISIBLE_DEVICES=all, which exposes every GPU of the node.
      env[VISIBLE_DEVICES_ENV] = EnvValue.fromValue('void');
    }
    return {
      ...cont,
      name,
      imagePullPolicy: cont.imagePullPolicy ?? ImagePullPolicy.IF_NOT_PRESENT,
      resources: cont.resources ?? {},
      envVariables: this.home ? this.home.withHome(env) : env,
      securityContext: { ...this.security.container, ...cont.securityContext },
    };
  }

  private mountSharedMemory(container: Container): void {
    if (this.sharedMemoryVolume) {
      container.mount('/dev/shm', this.sharedMemoryVolume);
    }
  }
}
