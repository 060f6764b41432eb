/**
 * NVIDIA's MPS layout (cmd/mps-control-daemon/mps/root.go), shared by the control daemon
 * (`gpu-device-plugin mps-control-daemon`) and the plugin that waits for it. Both pods
 * mount the host's MPS root (`--mps-root`, default /run/nvidia/mps in the chart) at
 * /mps, as NVIDIA's chart does, so our daemon and NVIDIA's are interchangeable:
 *
 *   /mps/.ready                      every daemon started (removed on stop)
 *   /mps/<resource>/.started         this resource's daemon started
 *   /mps/<resource>/pipe             CUDA_MPS_PIPE_DIRECTORY (mounted into MPS pods)
 *   /mps/<resource>/log              CUDA_MPS_LOG_DIRECTORY (control.log, server.log)
 *   /mps/shm                         /dev/shm of the daemon and of MPS pods
 *
 * `<resource>` is the full resource name, e.g. `nvidia.com/gpu` → /mps/nvidia.com/gpu/pipe.
 */
import * as path from 'node:path';

/** Where both pods see the MPS root (NVIDIA's mps.ContainerRoot). */
export const MPS_CONTAINER_ROOT = '/mps';

/** NVIDIA's control binary, looked up on PATH (the driver's, injected by the container toolkit). */
export const MPS_CONTROL_BIN = 'nvidia-cuda-mps-control';

/**
 * Where this process sees the MPS root: /mps, or GPU_DEVICE_PLUGIN_MPS_CONTAINER_ROOT (a
 * test hook, like GPU_DEVICE_PLUGIN_SYSFS_ROOT: tests run without a /mps mount).
 */
export function mpsContainerRoot(env: NodeJS.ProcessEnv): string {
  return env.GPU_DEVICE_PLUGIN_MPS_CONTAINER_ROOT || MPS_CONTAINER_ROOT;
}

export interface MpsResourceLayout {
  pipeDir: string;
  logDir: string;
  startedFile: string;
}

export function readyFile(root: string): string {
  return path.join(root, '.ready');
}

export function resourceLayout(root: string, resourceName: string): MpsResourceLayout {
  return {
    pipeDir: path.join(root, resourceName, 'pipe'),
    logDir: path.join(root, resourceName, 'log'),
    startedFile: path.join(root, resourceName, '.started'),
  };
}

/** The env NVIDIA passes to every `nvidia-cuda-mps-control` call: these two variables only. */
export function controlEnv(layout: MpsResourceLayout): Record<string, string> {
  return { CUDA_MPS_PIPE_DIRECTORY: layout.pipeDir, CUDA_MPS_LOG_DIRECTORY: layout.logDir };
}
