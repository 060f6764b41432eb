/**
 * Watches the device-plugins directory the way NVIDIA's plugin and the kubelet's stub
 * do (inotify through fs.watch): a re-created kubelet.sock means the kubelet restarted
 * and every resource must register again; a deleted plugin socket means that server
 * must be restarted. Events are debounced (100 ms; 5 ms after kubelet.sock appears, which
 * the kubelet creates last). A directory that is deleted or re-created is watched again
 * (its event tells us); while a directory cannot be watched (not there yet, or the watch
 * failed) a poll re-checks the same state every 2 s. While inotify works nothing polls: an
 * idle plugin has no timer of its own here.
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

interface DirWatch {
  dir: string;
  watcher: fs.FSWatcher;
  /** The directory watched: a new one by that name (inode, creation time) needs a new watch. */
  identity: FileIdentity | undefined;
}

/** The same directory, not one re-created by that name (its change time moves with every entry). */
function sameDirectory(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  if (!a || !b) return false;
  return a.ino === b.ino && a.birthtimeNs === b.birthtimeNs;
}

export class KubeletWatcher {
  private watchers: DirWatch[] = [];
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
    this.updatePolling();
  }

  stop(): void {
    this.stopped = true;
    this.closeWatchers();
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

  private closeWatchers(): void {
    for (const w of this.watchers) w.watcher.close();
    this.watchers = [];
  }

  /** Polls while some directory is not watched, and only then. */
  private updatePolling(): void {
    const needed = !this.stopped && this.watchers.length < this.dirs().length;
    if (needed && this.pollTimer === undefined) {
      this.pollTimer = setInterval(() => this.poll(), this.opts.pollMs ?? 2000);
      this.pollTimer.unref();
    } else if (!needed && this.pollTimer !== undefined) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }

  private openWatchers(): void {
    for (const dir of this.dirs()) {
      try {
        const identity = fileIdentity(dir);
        // Any event only triggers a check of the directory's state: an event can arrive
        // after the check it caused already saw its effect, so events are not counted.
        const watcher = fs.watch(dir, { persistent: false }, (_event, filename) => this.onEvent(dir, filename));
        watcher.on('error', (err) => {
          this.opts.logger.warn(
            { err, dir },
            'watching the device-plugins directory failed; relying on polling until it can be watched again',
          );
          watcher.close();
          this.watchers = this.watchers.filter((w) => w.watcher !== watcher);
          this.updatePolling();
        });
        this.watchers.push({ dir, watcher, identity });
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
      this.closeWatchers();
      this.openWatchers();
    }
    this.flush();
  }

  /**
   * A watched directory deleted or re-created by that name (a kubelet that wipes its
   * device-plugins directory) sends its last event to the old watch: watch again, or poll
   * until it is back.
   */
  private rewatchMovedDirectories(): void {
    if (this.watchers.every((w) => sameDirectory(w.identity, fileIdentity(w.dir)))) return;
    this.opts.logger.info({ dirs: this.dirs() }, 'the device-plugins directory was re-created; watching it again');
    this.closeWatchers();
    this.openWatchers();
  }

  private flush(): void {
    if (this.stopped) return;
    this.debounceTimer = undefined;
    this.rewatchMovedDirectories();
    this.updatePolling();
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
