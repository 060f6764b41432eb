import { OperandImage } from './operator-images';
import { ContainerdConfig } from './vocabulary';

/** The NVIDIA Container Toolkit (`spec.toolkit`). */
export interface ToolkitSettings {
  /**
   * Let the operator install the toolkit; false when nodes come with one.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The toolkit image.
   * @default - the release's toolkit
   */
  readonly image?: OperandImage;
  /**
   * Where containerd's config and socket are (k3s and RKE2 keep them elsewhere).
   * @default ContainerdConfig.SYSTEM
   */
  readonly containerd?: ContainerdConfig;
  /**
   * Make nvidia containerd's default runtime (`CONTAINERD_SET_AS_DEFAULT`).
   * @default - the toolkit's own default
   */
  readonly setAsDefaultRuntime?: boolean;
  /**
   * Where the toolkit installs itself on the host.
   * @default '/usr/local/nvidia'
   */
  readonly installDir?: string;
}
