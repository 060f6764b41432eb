/**
 * Watches the device-plugins directory the way NVIDIA's plugin and the kubelet's stub
 * do (inotify through fs.watch): a re-created kubelet.sock means the kubelet restarted
 * and every resource must register again; a deleted plugin socket means that server
 * must be restarted. Events are debounced (100 ms; 5 ms after kubelet.sock appears, which
 * the kubelet creates last), and a slow poll re-checks the same state in
 * case an event was lost (inotify queue overflow, directory re-created).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../observability/logger.js';
import { fileIdentity, sameIdentity, type FileIdentity } from './socket-file.js';

/** Debounce after an event on kubelet.sock itself (see onEvent). */
export const KUBELET_SOCKET_DEBOUNCE_MS = 5;

export interface WatchEvent {
  /** kubelet.sock was (re)created since the last event: register everything again. */
  kubeletRestarted: boolean;
  /** kubelet.sock exists right now. */
  kubeletPresent: boolean;
}

export interface KubeletWatcherOptions {
  /** The device-plugins directory (our sockets live here). */
  devicePluginPath: string;
  /** Path of kubelet.sock. */
  kubeletSocket: string;
  /** Called after each debounced batch of events and on every poll; must not throw. */
  onChange: (event: WatchEvent) => void;
  logger: Logger;
  debounceMs?: number;
  pollMs?: number;
}

export class KubeletWatcher {
  private watchers: fs.FSWatcher[] = [];
  private debounceTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private kubeletIdentity: FileIdentity | undefined;
  private stopped = true;

  constructor(private readonly opts: KubeletWatcherOptions) {}

  /** Starts watching. The kubelet.sock present now counts as known (no restart event for it). */
  start(): void {
    this.stopped = false;
    this.kubeletIdentity = fileIdentity(this.opts.kubeletSocket);
    this.openWatchers();
    const pollMs = this.opts.pollMs ?? 2000;
    this.pollTimer = setInterval(() => this.poll(), pollMs);
    this.pollTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.debounceTimer = undefined;
    this.pollTimer = undefined;
  }

  private dirs(): string[] {
    return [
      ...new Set([path.resolve(this.opts.devicePluginPath), path.dirname(path.resolve(this.opts.kubeletSocket))]),
    ];
  }

  private openWatchers(): void {
    for (const dir of this.dirs()) {
      try {
        // Any event only triggers a check of the directory's state: an event can arrive
        // after the check it caused already saw its effect, so events are not counted.
        const watcher = fs.watch(dir, { persistent: false }, (_event, filename) => this.onEvent(dir, filename));
        watcher.on('error', (err) => {
          this.opts.logger.warn(
            { err, dir },
            'watching the device-plugins directory failed; relying on polling until it can be watched again',
          );
          watcher.close();
          this.watchers = this.watchers.filter((w) => w !== watcher);
        });
        this.watchers.push(watcher);
      } catch (err) {
        this.opts.logger.warn({ err, dir }, 'cannot watch the device-plugins directory yet; polling instead');
      }
    }
  }

  private onEvent(dir: string, filename: string | Buffer | null): void {
    const kubelet = path.resolve(this.opts.kubeletSocket);
    const isKubelet = filename !== null && dir === path.dirname(kubelet) && String(filename) === path.basename(kubelet);
    // kubelet.sock is created last, after the kubelet deleted every other socket, so once it
    // exists a short wait suffices to take a restart in as one batch; the usual 100 ms
    // debounce made every re-registration wait that long (NVIDIA's plugin reacts at once).
    // Its deletion is no reason to hurry: the batch is not complete yet.
    this.schedule(isKubelet && fs.existsSync(kubelet) ? KUBELET_SOCKET_DEBOUNCE_MS : undefined);
  }

  private schedule(delayMs = this.opts.debounceMs ?? 100): void {
    if (this.stopped) return;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    // The kubelet deletes every socket, then creates kubelet.sock: one batch, one reaction.
    this.debounceTimer = setTimeout(() => this.flush(), Math.min(delayMs, this.opts.debounceMs ?? 100));
  }

  private poll(): void {
    if (this.stopped) return;
    if (this.watchers.length < this.dirs().length) {
      for (const w of this.watchers) w.close();
      this.watchers = [];
      this.openWatchers();
    }
    this.flush();
  }

  private flush(): void {
    if (this.stopped) return;
    this.debounceTimer = undefined;
    const current = fileIdentity(this.opts.kubeletSocket);
    const kubeletPresent = current !== undefined;
    // A different file than at the last check (by inode and creation time) is a new kubelet.
    const kubeletRestarted = kubeletPresent && !sameIdentity(current, this.kubeletIdentity);
    this.kubeletIdentity = current;
    if (kubeletRestarted)
      this.opts.logger.info(
        { kubeletSocket: this.opts.kubeletSocket },
        'kubelet.sock was re-created: the kubelet restarted',
      );
    this.opts.onChange({ kubeletRestarted, kubeletPresent });
  }
}
