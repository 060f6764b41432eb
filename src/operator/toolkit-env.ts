// Builds the toolkit's environment. Internal (not exported from index.ts).
import { ToolkitSettings } from './toolkit-settings';
import { ContainerRuntime } from './vocabulary';

/** The toolkit's environment for the given settings, validated. Internal. */
export function resolveToolkitEnv(
  t: ToolkitSettings,
  runtime: ContainerRuntime,
  runtimeClass: string,
): { [key: string]: string } {
  const enabled = t.enabled ?? true;
  if (!enabled && (t.containerd || t.setAsDefaultRuntime !== undefined || t.image || t.installDir)) {
    throw new Error(
      'toolkit.containerd, setAsDefaultRuntime, image and installDir apply only to a toolkit the operator installs; set toolkit.enabled to true or remove them',
    );
  }
  const env: { [key: string]: string } = {};
  if (t.containerd && (t.containerd.configPath || t.containerd.socketPath)) {
    if (runtime !== ContainerRuntime.CONTAINERD) {
      throw new Error(
        `toolkit.containerd applies to containerd, but operator.defaultRuntime is "${runtime}"; set defaultRuntime to ContainerRuntime.CONTAINERD or remove toolkit.containerd`,
      );
    }
    if (t.containerd.configPath) env.CONTAINERD_CONFIG = t.containerd.configPath;
    if (t.containerd.socketPath) env.CONTAINERD_SOCKET = t.containerd.socketPath;
  }
  if (enabled && runtime === ContainerRuntime.CONTAINERD) {
    // The toolkit names containerd's runtime handler after this; the RuntimeClass's handler
    // is the same name, so pods asking for the RuntimeClass always find the runtime.
    env.CONTAINERD_RUNTIME_CLASS = runtimeClass;
  }
  if (t.setAsDefaultRuntime !== undefined) {
    if (runtime !== ContainerRuntime.CONTAINERD) {
      throw new Error(
        `toolkit.setAsDefaultRuntime sets CONTAINERD_SET_AS_DEFAULT, which only containerd reads, but operator.defaultRuntime is "${runtime}"; remove it`,
      );
    }
    env.CONTAINERD_SET_AS_DEFAULT = String(t.setAsDefaultRuntime);
  }
  return env;
}
