# shellcheck shell=bash
# Starting, waiting for and stopping the cluster's daemons by pid file. Sourced by
# cluster.sh. Each daemon runs in its own session so a test runner's Ctrl-C does not reach
# it, and `cluster.sh down` is the one place that stops it.

# running NAME: whether the daemon recorded in NAME.pid is alive and still that program
# (a recycled pid must not count).
running() {
  local pid
  pid=$(cat "$PIDS/$1.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -- "$(cat "$PIDS/$1.cmd" 2>/dev/null || echo '^$')" >/dev/null
}

# start NAME PROGRAM ARGS...: starts it in the background unless it already runs.
start() {
  local name=$1; shift
  if running "$name"; then echo "  $name already running (pid $(cat "$PIDS/$name.pid"))"; return 0; fi
  mkdir -p "$PIDS" "$LOGS"
  echo "--- start $(date -u +%FT%TZ): $*" >> "$LOGS/$name.log"
  setsid "$@" >> "$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$PIDS/$name.pid"
  basename "$1" > "$PIDS/$name.cmd"
  echo "  $name started (pid $!), log $LOGS/$name.log"
}

# stop NAME: SIGTERM, then SIGKILL after 15 s; removes the pid file.
stop() {
  local name=$1 pid i
  if running "$name"; then
    pid=$(cat "$PIDS/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 150); do running "$name" || break; sleep 0.1; done
    if running "$name"; then echo "  $name ignored SIGTERM, killing"; kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; fi
    echo "  $name stopped"
  fi
  rm -f "$PIDS/$name.pid" "$PIDS/$name.cmd"
}

# wait_for WHAT SECONDS COMMAND...: retries COMMAND until it succeeds; on timeout prints the
# log tail of WHAT so the failure says why.
wait_for() {
  local what=$1 secs=$2; shift 2
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "cluster: $what not ready after ${secs}s; last lines of $LOGS/$what.log:" >&2
      tail -n 30 "$LOGS/$what.log" >&2 2>/dev/null || true
      return 1
    fi
    if [ -f "$PIDS/$what.pid" ] && ! running "$what"; then
      echo "cluster: $what exited; last lines of $LOGS/$what.log:" >&2
      tail -n 30 "$LOGS/$what.log" >&2
      return 1
    fi
    sleep 0.5
  done
}
