/** NVIDIA's Helm repository that serves the `gpu-operator` chart. */
export const GPU_OPERATOR_HELM_REPOSITORY = 'https://helm.ngc.nvidia.com/nvidia';

/** Name of NVIDIA's chart in that repository. */
export const GPU_OPERATOR_CHART = 'gpu-operator';

const REPOSITORY_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
// The ClusterPolicy CRD's own pattern for image names, anchored.
const IMAGE_NAME_RE = /^[a-zA-Z0-9-]+$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

/**
 * The image of one operand, as the ClusterPolicy spells it: `repository`, `image` and
 * `version` (a tag, or a `sha256:` digest). Always pinned: no empty version, no `latest`.
 */
export class OperandImage {
  /**
   * An operand image from its three parts.
   * @param repository registry and path, e.g. `nvcr.io/nvidia/k8s`
   * @param image image name, e.g. `container-toolkit`
   * @param version tag (e.g. `v1.18.1`) or digest (`sha256:…`)
   */
  public static of(repository: string, image: string, version: string): OperandImage {
    const ref = `${repository}/${image}:${version}`;
    if (!REPOSITORY_RE.test(repository)) {
      throw new Error(
        `image repository must look like "nvcr.io/nvidia" (lower case, no trailing "/") (got "${repository}" in ${ref})`,
      );
    }
    if (!IMAGE_NAME_RE.test(image)) {
      throw new Error(`image name must be letters, digits and '-' only, e.g. "driver" (got "${image}" in ${ref})`);
    }
    if (!TAG_RE.test(version) && !DIGEST_RE.test(version)) {
      throw new Error(
        `image version must be a tag like "v1.18.1" or a digest "sha256:<64 hex>" (got "${version}" in ${ref})`,
      );
    }
    if (version === 'latest') {
      throw new Error(
        `image ${repository}/${image} uses the floating tag "latest"; pin a release tag or digest so every node runs the same operand`,
      );
    }
    return new OperandImage(repository, image, version);
  }

  private constructor(
    /** Registry and path. */
    public readonly repository: string,
    /** Image name. */
    public readonly image: string,
    /** Tag or digest. */
    public readonly version: string,
  ) {}

  /** The full reference, `repository/image:tag` or `repository/image@sha256:…`. */
  public get reference(): string {
    const sep = this.version.startsWith('sha256:') ? '@' : ':';
    return `${this.repository}/${this.image}${sep}${this.version}`;
  }

  /**
   * The same image with another version.
   * @param version tag or digest
   */
  public withVersion(version: string): OperandImage {
    return OperandImage.of(this.repository, this.image, version);
  }
}
