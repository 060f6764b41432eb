/**
 * The Go load client (bench/go, "dpload"): built once into .cache/tools/bin with the Go
 * toolchain from the module proxy, then run against a plugin socket. Both plugins are
 * driven by this same binary.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PreferredCase } from '../../test/parity/mock-capture';
import type { RunningPlugin } from '../../test/parity/plugin-process';

const repoRoot = path.resolve(__dirname, '..', '..');
const source = path.join(repoRoot, 'bench', 'go');
const binDir = path.join(repoRoot, '.cache', 'tools', 'bin');
let builtPath: string | undefined;

export interface LoadResult {
  requests: number;
  errors: number;
  firstError?: string;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  throughputPerS: number;
  wallMs: number;
  /** True when -max-seconds ended the run before the requests asked for were made. */
  capped: boolean;
  response?: unknown;
}

/**
 * Built once per content of bench/go (the binary's name carries a hash of its sources):
 * .cache is shared between git worktrees, and a binary keyed by mtime alone could be one
 * built from another worktree's sources.
 */
export function buildDpload(): string {
  if (builtPath !== undefined) return builtPath;
  const hash = createHash('sha256');
  for (const f of fs.readdirSync(source).sort()) hash.update(f).update(fs.readFileSync(path.join(source, f)));
  const binary = path.join(binDir, `dpload-${hash.digest('hex').slice(0, 16)}`);
  if (!fs.existsSync(binary)) {
    fs.mkdirSync(binDir, { recursive: true });
    const tmp = `${binary}.${process.pid}.tmp`;
    execFileSync('nice', ['-n', '10', 'go', 'build', '-p', '1', '-o', tmp, '.'], {
      cwd: source,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    fs.renameSync(tmp, binary);
  }
  builtPath = binary;
  return binary;
}

export function runDpload(args: string[]): LoadResult {
  const out = execFileSync(buildDpload(), args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const result = JSON.parse(out) as LoadResult;
  if (result.errors > 0)
    throw new Error(
      `dpload ${args[0]}: ${result.errors} of ${result.requests} requests failed, first: ${result.firstError}`,
    );
  return result;
}

/** The socket dpload dials: the endpoint the plugin registered for `resource` with the test kubelet. */
export function socketOf(plugin: RunningPlugin, resource = 'nvidia.com/gpu'): string {
  const state = plugin.stub.resources.get(resource)!;
  return `${plugin.stub.dir}/${state.registration.endpoint}`;
}

/** Allocate load: `clients` clients make `requests` Allocates of `ids` (comma list) after `warmup` each. */
export function allocateLoad(
  socket: string,
  ids: string,
  clients: number,
  requests: number,
  warmup: number,
): LoadResult {
  return runDpload([
    'allocate',
    '-socket',
    socket,
    '-ids',
    ids,
    '-clients',
    String(clients),
    '-requests',
    String(requests),
    '-warmup',
    String(warmup),
  ]);
}

/**
 * GetPreferredAllocation load for one case over `uuids`, bounded by `maxSeconds` for a slow
 * peer. Returns the result with the answer as indices into `uuids`; an answer of the wrong
 * size, with an unknown ID or without a must-include GPU is an error named by `what`.
 */
export function preferredLoad(
  what: string,
  socket: string,
  uuids: string[],
  c: PreferredCase,
  opts: { requests: number; warmup: number; maxSeconds: number },
): LoadResult & { picked: number[] } {
  const r = runDpload([
    'preferred',
    '-socket',
    socket,
    '-available',
    uuids.join(','),
    '-must',
    c.must.map((g) => uuids[g]).join(','),
    '-size',
    String(c.size),
    '-requests',
    String(opts.requests),
    '-warmup',
    String(opts.warmup),
    '-max-seconds',
    String(opts.maxSeconds),
    '-timeout-seconds',
    '120',
  ]);
  const answered =
    ((r.response as { container_responses?: Array<{ deviceIDs?: string[] }> }).container_responses ?? [])[0]
      ?.deviceIDs ?? [];
  const picked = answered.map((id) => uuids.indexOf(id));
  if (picked.length !== c.size || picked.some((g) => g < 0) || c.must.some((g) => !picked.includes(g))) {
    throw new Error(`${what} (size ${c.size}, must ${c.must}) answered ${answered.join(',')}`);
  }
  return { ...r, picked };
}
