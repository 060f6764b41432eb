/**
 * The one way tests and the bench get a built tool or peer: run its script under test/tools
 * (each builds once into .cache, keyed by version, and prints the path last) and take the
 * last line. A tool that cannot be had fails the test with the build's own reason: a test
 * that needs a peer never skips.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The paths the scripts printed in this process, by command: each script runs once per process. */
const printedPaths = new Map<string, string>();

/**
 * Runs `test/tools/<script> [args]` (once per process) and returns the path it prints last.
 * @param neededFor what cannot be done without the tool, for the error ("nothing can be compared with it")
 */
export function toolPath(script: string, args: string[], what: string, neededFor: string, timeoutMs?: number): string {
  const command = ['test/tools/' + script, ...args].join(' ');
  const known = printedPaths.get(command);
  if (known !== undefined && fs.existsSync(known)) return known;
  let printed: string;
  try {
    printed = execFileSync('bash', [path.join(REPO_ROOT, 'test', 'tools', script), ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer | string }).stderr ?? '').trim();
    // The script's verdict last, after the build's own output (the proxy's refusal, a compiler error).
    const lines = stderr === '' ? [(err as Error).message] : stderr.split('\n');
    throw new Error(
      `${what} could not be built (${command}), so ${neededFor}: ${lines.pop()}\n` +
        lines
          .slice(-15)
          .map((l) => `  | ${l}`)
          .join('\n'),
    );
  }
  const result = printed.trim().split('\n').pop() ?? '';
  if (!fs.existsSync(result)) throw new Error(`${command} printed "${result}", which does not exist`);
  printedPaths.set(command, result);
  return result;
}

/** A peer from ../shared/peers, built by test/tools/peers.sh (e.g. `mock-nvml`, `config-manager`). */
export function peerPath(name: string, what: string, neededFor: string, timeoutMs?: number): string {
  return toolPath('peers.sh', [name], what, neededFor, timeoutMs);
}
