/**
 * The config manager, inside the plugin process: follows this node's config label
 * (node-watch.ts) and the named-config directory, selects a config (select.ts) and asks the
 * runtime to reload when the selected name or the selected file's content changes. The
 * runtime reload is the SIGHUP path (rebuild resources, re-register with the kubelet): no
 * pod restart, no second process, no symlink and no signal between containers.
 */
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { ConfigManagerOptions } from '../config/types.js';
import type { Logger } from '../observability/logger.js';
import type { KubeConnection } from './kube-client.js';
import { NodeLabelWatch } from './node-watch.js';
import { listConfigNames, NoConfigError, selectConfig, type Selection } from './select.js';

export interface ConfigManagerDeps {
  options: ConfigManagerOptions;
  connection: KubeConnection;
  logger: Logger;
  /** Called (serialised by the caller) when the selection or its file's content changed. */
  onChange: () => void;
  /** Quiet time before a change is applied: label flaps and a ConfigMap update's file swaps coalesce. Default 300 ms. */
  debounceMs?: number;
  /** Safety-net poll of the directory (a missed fs.watch event). Default 10 s. */
  pollMs?: number;
  /** How long start() waits for the first list of the Node before going on with the label unset. Default 10 s. */
  firstListTimeoutMs?: number;
  watchTimeoutSeconds?: number;
}

/** What the runtime loads: the path of the selected file, or null for built-in defaults. */
export interface Applied {
  name: string | null;
  file: string | null;
  hash: string;
}

export class ConfigManager {
  private readonly watch: NodeLabelWatch;
  private readonly log: Logger;
  private dirWatcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private applied: Applied | undefined;
  private lastWarning = '';
  private stopped = false;

  constructor(private readonly deps: ConfigManagerDeps) {
    this.log = deps.logger.child({ part: 'config-manager' });
    const { options } = deps;
    this.watch = new NodeLabelWatch({
      connection: deps.connection,
      nodeName: options.nodeName,
      label: options.nodeLabel,
      watchTimeoutSeconds: deps.watchTimeoutSeconds,
      events: {
        onLabel: (value) => {
          this.log.info(
            { node: options.nodeName, label: options.nodeLabel, value: value ?? null },
            'node config label',
          );
          this.schedule();
        },
        onError: (err, retryInMs) =>
          this.log.warn(
            { err: err.message, retryInMs, api: deps.connection.source },
            'reading the node label failed; keeping the current config and retrying',
          ),
        onTrace: (message, detail) => this.log.debug(detail ?? {}, message),
      },
    });
  }

  /** The config applied now (after start()). */
  get current(): Applied | undefined {
    return this.applied;
  }

  /** The label value last seen. */
  get label(): string | undefined {
    return this.watch.label;
  }

  /**
   * Starts the watch and waits for the first list of the Node (up to firstListTimeoutMs; the
   * API may be briefly unreachable at boot: the label-unset choice is used meanwhile and the
   * labelled one is applied as soon as the list succeeds). Returns the initial choice.
   * Throws NoConfigError when no config can be chosen at all.
   */
  async start(): Promise<Applied> {
    this.watch.start();
    const timeoutMs = this.deps.firstListTimeoutMs ?? 10000;
    let timer: NodeJS.Timeout | undefined;
    const synced = await Promise.race([
      this.watch.synced.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!synced) {
      this.log.warn(
        { node: this.deps.options.nodeName, api: this.deps.connection.source, waitedMs: timeoutMs },
        'the node label could not be read yet: starting with the config for an unset label; the labelled config follows once the API answers',
      );
    }
    this.applied = this.evaluate();
    this.watchDir();
    this.log.info({ config: this.applied.name, file: this.applied.file }, 'selected config');
    return this.applied;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.debounce);
    clearInterval(this.poll);
    this.dirWatcher?.close();
    await this.watch.stop();
  }

  /**
   * Re-evaluates now (what the debounce timer calls). Returns true when the runtime was asked
   * to reload. A directory without any usable config keeps the current config (logged).
   */
  recheck(): boolean {
    if (this.stopped || !this.applied) return false;
    let next: Applied;
    try {
      next = this.evaluate();
    } catch (err) {
      this.log.error(
        { err: (err as Error).message },
        'no config can be selected now: keeping the current config; fix the config directory or the node label',
      );
      return false;
    }
    if (next.name === this.applied.name && next.hash === this.applied.hash) return false;
    const why = next.name === this.applied.name ? 'content of the selected config changed' : 'selected config changed';
    this.log.info({ from: this.applied.name, to: next.name, file: next.file }, `${why}: reloading`);
    this.applied = next;
    this.deps.onChange();
    return true;
  }

  private schedule(): void {
    if (this.stopped || !this.applied) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.recheck(), this.deps.debounceMs ?? 300);
  }

  private evaluate(): Applied {
    const { options } = this.deps;
    let available: string[];
    try {
      available = listConfigNames(options.dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new NoConfigError(
        `config directory ${options.dir} cannot be read (${code}); check --config-dir and that the ConfigMap is mounted there`,
      );
    }
    const selection: Selection = selectConfig({
      label: this.watch.label,
      available,
      defaultConfig: options.defaultConfig,
      fallbackStrategies: options.fallbackStrategies,
      labelKey: options.nodeLabel,
    });
    const warning = selection.warnings.join(' | ');
    if (warning && warning !== this.lastWarning) {
      for (const w of selection.warnings) this.log.warn({ label: this.watch.label ?? null, available }, w);
    }
    this.lastWarning = warning;
    if (selection.name === null) return { name: null, file: null, hash: '' };
    const file = join(options.dir, selection.name);
    let hash: string;
    try {
      hash = createHash('sha256').update(readFileSync(file)).digest('hex');
    } catch (err) {
      throw new NoConfigError(`config ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
    return { name: selection.name, file, hash };
  }

  private watchDir(): void {
    try {
      // A ConfigMap update swaps the ..data symlink: one rename event in the directory.
      this.dirWatcher = watch(this.deps.options.dir, { persistent: false }, () => this.schedule());
      this.dirWatcher.on('error', (err) => this.log.warn({ err: err.message }, 'watching the config directory failed'));
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot watch the config directory; polling it only');
    }
    this.poll = setInterval(() => this.schedule(), this.deps.pollMs ?? 10000);
    this.poll.unref();
  }
}

export { NoConfigError };
