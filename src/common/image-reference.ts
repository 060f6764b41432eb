// The container image reference grammar, shared by PluginImage and GpuJob: a lower-case
// repository (optionally with a registry host and port), an optional tag and an optional
// sha256 digest. What containerd and the kubelet can pull; a space, an upper-case
// repository or an empty tag is refused at construction instead of at pull time.
// Not part of the public API.

// repository[:tag][@sha256:digest]
const IMAGE_RE =
  /^([a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;

/** The parts of an image reference. */
export interface ImageReferenceParts {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** The parts of `reference`, or undefined when it is not an image reference. */
export function parseImageReference(reference: unknown): ImageReferenceParts | undefined {
  if (typeof reference !== 'string') return undefined;
  const m = IMAGE_RE.exec(reference);
  if (!m) return undefined;
  return { repository: m[1], tag: m[2], digest: m[3] };
}

/**
 * The parts of `reference`; throws naming `prop` when it is not an image reference. `example`
 * is a valid reference shown in the message.
 */
export function requireImageReference(prop: string, reference: unknown, example: string): ImageReferenceParts {
  const parts = parseImageReference(reference);
  if (!parts) {
    const shown = typeof reference === 'string' ? `"${reference}"` : String(reference);
    throw new Error(
      `${prop} must be a container image reference "[registry/]repository[:tag][@sha256:digest]" in lower case without spaces, e.g. "${example}" (got ${shown})`,
    );
  }
  return parts;
}
