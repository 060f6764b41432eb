import { parseImageReference } from '../common/image-reference';
import { requireOneOf } from '../common/validation';
import { LIBRARY_VERSION, NVIDIA_DEVICE_PLUGIN_VERSION } from '../common/version';

/** Which implementation an image runs: it decides the features the DaemonSet may use. */
export enum PluginImageKind {
  /** This project's TypeScript plugin: health endpoint, XID recovery, per-GPU sharing. */
  PROJECT = 'project',
  /** NVIDIA's Go plugin (`nvcr.io/nvidia/k8s-device-plugin`): same config file, no health endpoint. */
  NVIDIA = 'nvidia',
}

/** Registry and repository of this project's plugin image. */
export const PROJECT_IMAGE_REPOSITORY = 'ghcr.io/cdk8s-gpu/gpu-device-plugin';
/** Registry and repository of NVIDIA's plugin image. */
export const NVIDIA_IMAGE_REPOSITORY = 'nvcr.io/nvidia/k8s-device-plugin';

/**
 * The container image of the device plugin, always pinned to a tag or digest.
 */
export class PluginImage {
  /**
   * This project's plugin image.
   * @param tag image tag
   * @default - `v<library version>`
   */
  public static project(tag?: string): PluginImage {
    return PluginImage.parse(`${PROJECT_IMAGE_REPOSITORY}:${tag ?? `v${LIBRARY_VERSION}`}`, PluginImageKind.PROJECT);
  }

  /**
   * NVIDIA's upstream image, which reads the same config file.
   * @param tag image tag
   * @default - the NVIDIA release this library is compatible with
   */
  public static nvidia(tag?: string): PluginImage {
    return PluginImage.parse(
      `${NVIDIA_IMAGE_REPOSITORY}:${tag ?? NVIDIA_DEVICE_PLUGIN_VERSION}`,
      PluginImageKind.NVIDIA,
    );
  }

  /**
   * Any image reference, e.g. a mirror of this project's image in a private registry.
   * @param reference `repository:tag` or `repository@sha256:…`
   * @param kind which plugin the image runs
   * @default - inferred from the repository: `nvidia` for `nvcr.io/nvidia/k8s-device-plugin`, else `project`
   */
  public static fromReference(reference: string, kind?: PluginImageKind): PluginImage {
    const repository = parseImageReference(reference)?.repository;
    const inferred = PluginImage.kindOfRepository(repository);
    if (kind !== undefined && inferred !== undefined && kind !== inferred) {
      throw new Error(
        `image "${reference}" is ${inferred === PluginImageKind.NVIDIA ? "NVIDIA's plugin" : "this project's plugin"} but kind is "${kind}": ` +
          `leave kind out (it is inferred from the repository) or set kind "${inferred}"`,
      );
    }
    return PluginImage.parse(reference, kind ?? inferred ?? PluginImageKind.PROJECT);
  }

  /**
   * The kind of the two well-known repositories (this project's and NVIDIA's); undefined for any other, e.g. a mirror.
   * @param repository image repository without tag or digest
   */
  public static kindOfRepository(repository: string | undefined): PluginImageKind | undefined {
    if (repository === NVIDIA_IMAGE_REPOSITORY) return PluginImageKind.NVIDIA;
    if (repository === PROJECT_IMAGE_REPOSITORY) return PluginImageKind.PROJECT;
    return undefined;
  }

  // The grammar is src/common/image-reference.ts; a tag or a digest is required (no floating `latest`).
  private static parse(reference: string, kind: PluginImageKind): PluginImage {
    requireOneOf('kind', kind, PluginImageKind);
    const parts = parseImageReference(reference);
    if (!parts) {
      throw new Error(`image must be a container image reference like "registry/repo:tag" (got "${reference}")`);
    }
    const { repository, tag, digest } = parts;
    if (!tag && !digest) {
      throw new Error(`image "${reference}" must be pinned with a tag or a digest (for example "${reference}:v1.2.3")`);
    }
    if (tag === 'latest' && !digest) {
      throw new Error(
        `image "${reference}" uses the floating tag "latest"; pin a release tag or a digest so every node runs the same plugin`,
      );
    }
    return new PluginImage(reference, repository, tag ?? '', kind);
  }

  private constructor(
    /** The full reference. */
    public readonly reference: string,
    /** The repository part, without tag or digest. */
    public readonly repository: string,
    /** The tag ('' when pinned by digest only). */
    public readonly tag: string,
    /** Which plugin the image runs. */
    public readonly kind: PluginImageKind,
  ) {}
}
