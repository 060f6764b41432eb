/**
 * A fake `nvidia-cuda-mps-control` (bash) for tests that run real processes: `-d` forks a
 * background "daemon" process that lives while `$CUDA_MPS_PIPE_DIRECTORY/control` exists
 * and returns at once, as the real one does; without arguments it reads one command from
 * stdin and answers it, failing like the real client when no daemon runs for that pipe
 * directory. Every call appends a JSON line (args, the two MPS env vars, stdin, whether
 * PATH was set) to a record file baked into the script, since the caller passes only the
 * two MPS variables in the env, as NVIDIA's daemon does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FakeMpsCall {
  args: string[];
  pipeDir: string;
  logDir: string;
  input: string;
  /** Whether the caller passed a PATH (NVIDIA passes only the two MPS variables). */
  hadPath: boolean;
}

export interface FakeMpsControl {
  /** Directory to put first on PATH. */
  binDir: string;
  recordFile: string;
  calls(): FakeMpsCall[];
}

export function writeFakeMpsControl(dir: string): FakeMpsControl {
  const binDir = path.join(dir, 'fake-mps-bin');
  fs.mkdirSync(binDir, { recursive: true });
  const recordFile = path.join(dir, 'fake-mps-calls.jsonl');
  fs.writeFileSync(recordFile, '');
  const script = `#!/bin/bash
# Fake nvidia-cuda-mps-control; see test/plugin/helpers/fake-mps-control.ts.
RECORD=${JSON.stringify(recordFile)}
had_path=false; tr '\\0' '\\n' < /proc/$$/environ | grep -q '^PATH=' && had_path=true
PATH=/usr/bin:/bin
pipe="\${CUDA_MPS_PIPE_DIRECTORY:-/tmp/nvidia-mps}"
logd="\${CUDA_MPS_LOG_DIRECTORY:-/var/log/nvidia-mps}"
input=""
if [ "$#" -eq 0 ]; then input="$(cat)"; fi
json() { printf '%s' "$1" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/"/\\\\"/g'; }
args=""; for a in "$@"; do args="$args\${args:+,}\\"$(json "$a")\\""; done
printf '{"args":[%s],"pipeDir":"%s","logDir":"%s","input":"%s","hadPath":%s}\\n' "$args" "$(json "$pipe")" "$(json "$logd")" "$(json "$input")" "$had_path" >> "$RECORD"
alive() { [ -f "$pipe/fake-daemon.pid" ] && kill -0 "$(cat "$pipe/fake-daemon.pid")" 2>/dev/null; }
if [ "$1" = "-d" ]; then
  if alive; then echo "An instance of this daemon is already running" >&2; exit 1; fi
  mkdir -p "$pipe" "$logd"
  : > "$pipe/control"
  setsid bash -c 'while [ -e "$1/control" ]; do sleep 0.1; done' fake-mps-daemon "$pipe" </dev/null >/dev/null 2>&1 &
  echo $! > "$pipe/fake-daemon.pid"
  echo "[fake] Starting control daemon" >> "$logd/control.log"
  exit 0
fi
if ! alive; then echo "Cannot find MPS control daemon process" >&2; exit 1; fi
set -- $input
case "$1" in
  quit) rm -f "$pipe/control"; pid="$(cat "$pipe/fake-daemon.pid")"; rm -f "$pipe/fake-daemon.pid"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done ;;
  set_default_active_thread_percentage) echo "$2" > "$pipe/fake-thread-percentage"; echo "$2" ;;
  get_default_active_thread_percentage) cat "$pipe/fake-thread-percentage" 2>/dev/null || echo "100.0" ;;
  set_default_device_pinned_mem_limit) echo "$2 $3" >> "$pipe/fake-pinned-limits" ;;
  *) echo "Unknown command $1" >&2; exit 1 ;;
esac
`;
  const bin = path.join(binDir, 'nvidia-cuda-mps-control');
  fs.writeFileSync(bin, script, { mode: 0o755 });
  return {
    binDir,
    recordFile,
    calls: () =>
      fs
        .readFileSync(recordFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as FakeMpsCall),
  };
}

/** Whether the fake daemon for `pipeDir` is running. */
export function fakeDaemonRunning(pipeDir: string): boolean {
  try {
    process.kill(Number(fs.readFileSync(path.join(pipeDir, 'fake-daemon.pid'), 'utf8').trim()), 0);
    return true;
  } catch {
    return false;
  }
}
