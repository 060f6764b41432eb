/**
 * The Go load client (bench/go, "dpload"): built once into .cache/tools/bin with the Go
 * toolchain from the module proxy, then run against a plugin socket. Both plugins are
 * driven by this same binary.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

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
