/**
 * A fake NVIDIA driver root on the e2e node (a host directory the plugin's DaemonSets mount
 * at /driver-root through `nvidiaDriverRoot`), for the CDI and MPS tests:
 *   - character device nodes /dev/nvidia0…7, nvidiactl, nvidia-modeset, nvidia-uvm(-tools)
 *     (real nodes made with mknod; no driver answers them, which nothing here needs);
 *   - driver libraries of the fake NVML's driver version with real ELF sonames (libcuda is
 *     what the plugin's CDI generator requires) and nvidia-smi;
 *   - the CDI hook binary `usr/bin/nvidia-cdi-hook`, a shell script runc runs on the host for
 *     each hook of the spec: it appends its arguments to `hook.log` in the root;
 *   - optionally a fake `nvidia-cuda-mps-control` (see FAKE_MPS_CONTROL).
 * No libnvidia-ml.so.1 is put there: the plugin keeps loading the image's fake NVML.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { charDevice, elfStub, exists } from '../../helpers/driver-files';
import { CLUSTER } from './kube';

/** The fake NVML's driver version (test/plugin/helpers/fake-nvml.ts). */
export const FAKE_DRIVER_VERSION = '550.54.15';
const LIB = 'usr/lib/x86_64-linux-gnu';
/** The e2e cluster's working directory ($E2E_WORK), removed by `cluster.sh down --purge`. */
export const E2E_WORK = path.dirname(CLUSTER.pidsDir);

/** Where the MPS control daemon DaemonSet mounts the driver root (CONTAINER_DRIVER_ROOT). */
const CONTAINER_DRIVER_ROOT = '/driver-root';

/**
 * The fake `nvidia-cuda-mps-control`, run inside the MPS daemon container (which has no shell
 * of its own: it runs busybox, copied next to it). As NVIDIA's: `-d` creates the control FIFO
 * in CUDA_MPS_PIPE_DIRECTORY and writes control.log in CUDA_MPS_LOG_DIRECTORY; without
 * arguments it reads one command from stdin. Every call is appended to
 * `<pipe dir>/../fake-mps-control.calls` (argv, the two variables, the command), which the
 * daemon manager does not remove on stop. While `<pipe dir>/../hold` exists, `-d` waits (at
 * most 25 s), so a test can keep the daemon from becoming ready.
 */
export const FAKE_MPS_CONTROL = `#!${CONTAINER_DRIVER_ROOT}/usr/bin/busybox sh
bb=${CONTAINER_DRIVER_ROOT}/usr/bin/busybox
calls="$CUDA_MPS_PIPE_DIRECTORY/../fake-mps-control.calls"
cmd=""
[ "$#" -eq 0 ] && cmd=$($bb cat)
echo "argv=[$*] CUDA_MPS_PIPE_DIRECTORY=$CUDA_MPS_PIPE_DIRECTORY CUDA_MPS_LOG_DIRECTORY=$CUDA_MPS_LOG_DIRECTORY stdin=[$cmd]" >> "$calls"
if [ "$1" = "-d" ]; then
  # A test holds the start back while <pipe dir>/../hold exists (25 s at most: the daemon
  # manager gives -d 30 s).
  n=0
  while [ -e "$CUDA_MPS_PIPE_DIRECTORY/../hold" ] && [ "$n" -lt 125 ]; do $bb sleep 0.2; n=$((n + 1)); done
  [ -d "$CUDA_MPS_PIPE_DIRECTORY" ] || { echo "pipe directory $CUDA_MPS_PIPE_DIRECTORY is missing" >&2; exit 1; }
  [ -p "$CUDA_MPS_PIPE_DIRECTORY/control" ] || $bb mkfifo -m 0666 "$CUDA_MPS_PIPE_DIRECTORY/control"
  echo "[$($bb date -u)] fake control daemon started" >> "$CUDA_MPS_LOG_DIRECTORY/control.log"
fi
exit 0
`;

export interface FakeDriverRoot {
  root: string;
  /** The CDI hook's path on the host (what the spec names, NVIDIA_CDI_HOOK_PATH). */
  hookPath: string;
  /** Lines the hook wrote so far, one per hook run. */
  hookCalls(): string[];
  remove(): void;
}

/** Makes (or remakes) the fake driver root `<E2E_WORK>/<name>` for `gpus` GPUs. */
export function createFakeDriverRoot(name: string, opts: { gpus?: number; mpsControl?: boolean } = {}): FakeDriverRoot {
  const root = path.join(E2E_WORK, name);
  fs.rmSync(root, { recursive: true, force: true });
  const dev = path.join(root, 'dev');
  for (let i = 0; i < (opts.gpus ?? 8); i++) charDevice(path.join(dev, `nvidia${i}`), 195, i);
  charDevice(path.join(dev, 'nvidiactl'), 195, 255);
  charDevice(path.join(dev, 'nvidia-modeset'), 195, 254);
  charDevice(path.join(dev, 'nvidia-uvm'), 510, 0);
  charDevice(path.join(dev, 'nvidia-uvm-tools'), 510, 1);

  const lib = path.join(root, LIB);
  fs.mkdirSync(lib, { recursive: true });
  for (const base of ['libcuda', 'libnvidia-ptxjitcompiler']) {
    elfStub(path.join(lib, `${base}.so.${FAKE_DRIVER_VERSION}`), `${base}.so.1`);
    fs.symlinkSync(`${base}.so.${FAKE_DRIVER_VERSION}`, path.join(lib, `${base}.so.1`));
  }
  fs.symlinkSync('libcuda.so.1', path.join(lib, 'libcuda.so'));

  const bin = path.join(root, 'usr', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'nvidia-smi'), '#!/bin/sh\necho "fake nvidia-smi"\n', { mode: 0o755 });
  const hookLog = path.join(root, 'hook.log');
  const hookPath = path.join(bin, 'nvidia-cdi-hook');
  // runc passes the container state on stdin; the hook only records that it ran, and how.
  fs.writeFileSync(hookPath, `#!/bin/sh\necho "$*" >> '${hookLog}'\nexit 0\n`, { mode: 0o755 });
  if (opts.mpsControl) {
    fs.copyFileSync('/bin/busybox', path.join(bin, 'busybox'));
    fs.chmodSync(path.join(bin, 'busybox'), 0o755);
    fs.writeFileSync(path.join(bin, 'nvidia-cuda-mps-control'), FAKE_MPS_CONTROL, { mode: 0o755 });
  }
  return {
    root,
    hookPath,
    hookCalls: () => (exists(hookLog) ? fs.readFileSync(hookLog, 'utf8').split('\n').filter(Boolean) : []),
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
