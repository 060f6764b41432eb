/**
 * The plugin's side of NVIDIA's readiness convention: MPS replicas are advertised only
 * once the control daemon (ours or NVIDIA's) has written `/mps/.ready` and the resource's
 * `/mps/<resource>/.started`, and, when `nvidia-cuda-mps-control` is on PATH, the daemon
 * answers `get_default_active_thread_percentage` (NVIDIA's AssertHealthy, which its
 * plugin runs before serving). Until then the plugin logs what it is waiting for.
 */
import * as fs from 'node:fs';
import type { Logger } from '../observability/logger.js';
import { findControlBinary, sendControlCommand } from './control.js';
import { readyFile, resourceLayout } from './layout.js';

export interface WaitOptions {
  root: string;
  resources: readonly string[];
  log: Logger;
  signal: AbortSignal;
  /** PATH to look up nvidia-cuda-mps-control on. */
  searchPath: string | undefined;
  pollMs?: number;
  /** How often the "still waiting" line repeats. */
  logEveryMs?: number;
}

/** What is still missing, or undefined when the daemon is ready. */
async function missing(opts: WaitOptions, binary: string | undefined): Promise<string | undefined> {
  const ready = readyFile(opts.root);
  if (!fs.existsSync(ready)) return `${ready} does not exist`;
  for (const resource of opts.resources) {
    const layout = resourceLayout(opts.root, resource);
    if (!fs.existsSync(layout.startedFile)) return `${layout.startedFile} does not exist`;
    if (binary) {
      try {
        await sendControlCommand(binary, layout, 'get_default_active_thread_percentage', 10000);
      } catch (err) {
        return `the daemon for ${resource} does not answer: ${(err as Error).message}`;
      }
    }
  }
  return undefined;
}

/** Resolves when ready; rejects with an AbortError-like error when `signal` aborts first. */
export async function waitForMpsDaemon(opts: WaitOptions): Promise<void> {
  const pollMs = opts.pollMs ?? 1000;
  const logEveryMs = opts.logEveryMs ?? 30000;
  const binary = findControlBinary(opts.searchPath);
  if (!binary) {
    opts.log.info(
      "nvidia-cuda-mps-control is not on PATH: trusting the MPS daemon's .ready/.started markers without a health query",
    );
  }
  const startedAt = Date.now();
  let lastLog = 0;
  for (;;) {
    if (opts.signal.aborted) throw new Error('stopped while waiting for the MPS control daemon');
    const reason = await missing(opts, binary);
    if (reason === undefined) {
      opts.log.info({ resources: opts.resources, waitedMs: Date.now() - startedAt }, 'MPS control daemon is ready');
      return;
    }
    if (lastLog === 0 || Date.now() - lastLog >= logEveryMs) {
      lastLog = Date.now();
      opts.log.warn(
        { resources: opts.resources, root: opts.root, missing: reason, waitedMs: lastLog - startedAt },
        'waiting for the MPS control daemon before advertising MPS replicas (is the mps-control-daemon DaemonSet running on this node, with the MPS root mounted at /mps?)',
      );
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, pollMs);
      opts.signal.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', done);
        resolve();
      }
    });
  }
}
