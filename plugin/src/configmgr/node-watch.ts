/**
 * Follows one label of this node's own Node object: list with
 * fieldSelector=metadata.name=<node>, then watch from the list's resourceVersion with
 * bookmarks; a watch that ends (the server's timeout, a dropped connection, an API server
 * restart) resumes from the last resourceVersion seen, with backoff on errors; 410 Gone
 * (the version is too old) lists again. RBAC needed: get, list, watch on nodes.
 *
 * client-go's informer does the same for NVIDIA's config-manager; this is the part of it
 * one label needs (no cache of other objects, no resync).
 */
import type { IncomingMessage } from 'node:http';
import { KubeApiError, kubeGet, kubeGetJson, type KubeConnection } from './kube-client.js';

export interface NodeWatchEvents {
  /** The label's value (undefined = unset or no such Node), on the first list and on every change. */
  onLabel(value: string | undefined): void;
  /** A list or watch failed; it is retried after `retryInMs`. */
  onError?(err: Error, retryInMs: number): void;
  /** Debug detail: relists, reconnects, bookmarks. */
  onTrace?(message: string, detail?: Record<string, unknown>): void;
}

export interface NodeWatchOptions {
  connection: KubeConnection;
  nodeName: string;
  label: string;
  events: NodeWatchEvents;
  /** How long the server keeps one watch open (timeoutSeconds); it is then resumed. Default 300. */
  watchTimeoutSeconds?: number;
  /** Backoff after errors: from minBackoffMs doubling to maxBackoffMs. Defaults 500 and 30000. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

interface NodeObject {
  metadata?: { name?: string; resourceVersion?: string; labels?: Record<string, string> };
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: NodeObject & { code?: number; message?: string; reason?: string };
}

/** The watch saw 410 Gone: the resourceVersion it resumes from is no longer kept. */
class Gone extends Error {}

export class NodeLabelWatch {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private resourceVersion = '';
  private current: { value: string | undefined } | undefined;
  private firstList!: () => void;
  /** Resolves after the first successful list (the label is then known). */
  readonly synced: Promise<void> = new Promise((resolve) => (this.firstList = resolve));
  /** Counters for tests and the log. */
  readonly stats = { lists: 0, watches: 0, bookmarks: 0, gone: 0, errors: 0 };

  constructor(private readonly opts: NodeWatchOptions) {}

  get label(): string | undefined {
    return this.current?.value;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private get selector(): string {
    return `fieldSelector=${encodeURIComponent(`metadata.name=${this.opts.nodeName}`)}`;
  }

  private publish(node: NodeObject | undefined): void {
    const value = node?.metadata?.labels?.[this.opts.label];
    if (this.current && this.current.value === value) return;
    this.current = { value };
    this.opts.events.onLabel(value);
  }

  private async run(): Promise<void> {
    const min = this.opts.minBackoffMs ?? 500;
    const max = this.opts.maxBackoffMs ?? 30000;
    let backoff = min;
    let needList = true;
    while (!this.abort.signal.aborted) {
      try {
        if (needList) {
          await this.list();
          needList = false;
        }
        const sawEvents = await this.watch();
        backoff = min;
        if (!sawEvents) this.opts.events.onTrace?.('watch ended; resuming', { resourceVersion: this.resourceVersion });
      } catch (err) {
        if (this.abort.signal.aborted) break;
        if (err instanceof Gone || (err instanceof KubeApiError && err.statusCode === 410)) {
          this.stats.gone++;
          this.opts.events.onTrace?.('resourceVersion expired (410 Gone): listing again', {
            resourceVersion: this.resourceVersion,
          });
          needList = true;
          continue;
        }
        this.stats.errors++;
        // An error mid-watch resumes from the last version; a failed list is retried as a list.
        const jittered = Math.round(backoff * (0.8 + Math.random() * 0.4));
        this.opts.events.onError?.(err as Error, jittered);
        await sleep(jittered, this.abort.signal);
        backoff = Math.min(max, backoff * 2);
      }
    }
  }

  private async list(): Promise<void> {
    const list = await kubeGetJson<{ metadata?: { resourceVersion?: string }; items?: NodeObject[] }>(
      this.opts.connection,
      `/api/v1/nodes?${this.selector}`,
      this.abort.signal,
    );
    this.stats.lists++;
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.publish(list.items?.[0]);
    this.firstList();
  }

  /** One watch request until the server ends it; true when it delivered any event. */
  private async watch(): Promise<boolean> {
    const timeout = this.opts.watchTimeoutSeconds ?? 300;
    const path =
      `/api/v1/nodes?${this.selector}&watch=1&allowWatchBookmarks=true` +
      `&resourceVersion=${encodeURIComponent(this.resourceVersion)}&timeoutSeconds=${timeout}`;
    // The server ends the watch after `timeout` s (bookmarks may be the only data until then).
    const res = await kubeGet(this.opts.connection, path, this.abort.signal, (timeout + 60) * 1000);
    this.stats.watches++;
    let any = false;
    for await (const event of jsonLines(res)) {
      any = true;
      const e = event as WatchEvent;
      if (e.type === 'ERROR') {
        if (e.object?.code === 410) throw new Gone(e.object.message ?? 'Gone');
        throw new Error(`watch error from the API server: ${e.object?.message ?? JSON.stringify(e.object)}`);
      }
      const rv = e.object?.metadata?.resourceVersion;
      if (rv) this.resourceVersion = rv;
      if (e.type === 'BOOKMARK') {
        this.stats.bookmarks++;
        continue;
      }
      this.publish(e.type === 'DELETED' ? undefined : e.object);
    }
    return any;
  }
}

/** Newline-delimited JSON objects of a watch response. */
async function* jsonLines(res: IncomingMessage): AsyncGenerator<unknown> {
  let buffered = '';
  res.setEncoding('utf8');
  for await (const chunk of res) {
    buffered += chunk as string;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) yield JSON.parse(line);
    }
  }
  if (buffered.trim()) yield JSON.parse(buffered);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
