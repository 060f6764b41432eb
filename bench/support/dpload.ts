/**
 * The Go load client (bench/go, "dpload"): built once into .cache/tools/bin with the Go
 * toolchain from the module proxy, then run against a plugin socket. Both plugins are
 * driven by this same binary.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');
const source = path.join(repoRoot, 'bench', 'go');
const binary = path.join(repoRoot, '.cache', 'tools', 'bin', 'dpload');

export interface LoadResult {
  requests: number;
  errors: number;
  firstError?: string;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  throughputPerS: number;
  wallMs: number;
  response?: unknown;
}

export function buildDpload(): string {
  const newest = Math.max(...fs.readdirSync(source).map((f) => fs.statSync(path.join(source, f)).mtimeMs));
  if (fs.existsSync(binary) && fs.statSync(binary).mtimeMs >= newest) return binary;
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  execFileSync('nice', ['-n', '10', 'go', 'build', '-p', '1', '-o', binary, '.'], { cwd: source, stdio: ['ignore', 'ignore', 'inherit'] });
  return binary;
}

export function runDpload(args: string[]): LoadResult {
  const out = execFileSync(buildDpload(), args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const result = JSON.parse(out) as LoadResult;
  if (result.errors > 0) throw new Error(`dpload ${args[0]}: ${result.errors} of ${result.requests} requests failed, first: ${result.firstError}`);
  return result;
}
