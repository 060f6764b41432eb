/**
 * A spawned process as the tests that run a plugin or a peer read it: its output so far and
 * whether it has exited, for a poll loop that waits for a file or a log line and fails with
 * the output when the process dies first.
 */
import type { ChildProcess } from 'node:child_process';

export interface WatchedChild {
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** The exit code once the process has exited (null after a signal); undefined while it runs. */
  exitCode(): number | null | undefined;
  /** Resolves with the exit code when the process exits. */
  readonly exited: Promise<number | null>;
}

/** Watches a process spawned with stdout and stderr piped. */
export function watchChild(child: ChildProcess): WatchedChild {
  let output = '';
  let exitCode: number | null | undefined;
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  return { output: () => output, exitCode: () => exitCode, exited };
}
