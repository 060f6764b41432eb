/**
 * Talking to `nvidia-cuda-mps-control` as NVIDIA's daemon.go does: `-d` starts the control
 * daemon (it forks and the command returns), and a command line written to the stdin of
 * a plain `nvidia-cuda-mps-control` is sent to the daemon whose pipe directory is in the
 * env. Each call gets NVIDIA's two variables and nothing else.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';
import { MPS_CONTROL_BIN, controlEnv, type MpsResourceLayout } from './layout.js';

/** The binary on `searchPath` (a PATH value), or undefined. */
export function findControlBinary(searchPath: string | undefined): string | undefined {
  for (const dir of (searchPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, MPS_CONTROL_BIN);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export class MpsControlError extends Error {}

function run(
  binary: string,
  args: string[],
  layout: MpsResourceLayout,
  input: string | undefined,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: controlEnv(layout), stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => reject(new MpsControlError(`cannot run ${binary}: ${e.message}`)));
    child.on('close', (code, signal) => {
      const what = `${binary} ${args.join(' ')}${input !== undefined ? ` <<< "${input}"` : ''} (CUDA_MPS_PIPE_DIRECTORY=${layout.pipeDir})`;
      if (code === 0) resolve(out);
      else
        reject(
          new MpsControlError(
            `${what} failed (${signal ? `killed by ${signal}` : `exit code ${code}`})${err || out ? `: ${(err || out).trim()}` : ''}`,
          ),
        );
    });
    child.stdin.end(input ?? '');
  });
}

/** `nvidia-cuda-mps-control -d`: starts the control daemon, which detaches. */
export function startControlDaemon(binary: string, layout: MpsResourceLayout, timeoutMs = 30000): Promise<string> {
  return run(binary, ['-d'], layout, undefined, timeoutMs);
}

/** Sends one command (`quit`, `set_default_active_thread_percentage 50`, …) to the daemon. */
export function sendControlCommand(
  binary: string,
  layout: MpsResourceLayout,
  command: string,
  timeoutMs = 30000,
): Promise<string> {
  return run(binary, [], layout, command, timeoutMs);
}
