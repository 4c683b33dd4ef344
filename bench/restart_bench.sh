#!/bin/bash
# Restart latency (root): project `benchrestart`, RUNS sleeping services with `restart: always` on
# an internal network (10.231.163.0/24). Each service in turn: kill -9 of its container's process,
# then `ps` polled until it shows the service running again with one more restart. The shim's
# backoff starts at 100 ms and starts over after 10 s of running, so each service is killed once,
# after all have run 10 s. Baseline in the same run: `stack restart -t 0` of the same service, then
# `ps` until it shows it running (a deliberate restart, timed the same way).
# Usage: bench/restart_bench.sh [build dir] [runs]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
build=${1:-$here/build}
runs=${2:-5}
stack=$build/stack
bench_project benchrestart
{
  echo "services:"
  for i in $(seq 1 "$runs"); do
    printf '  s%d:\n    image: busybox\n    command: ["sleep", "600"]\n    restart: always\n' "$i"
  done
  printf 'networks:\n  default:\n    internal: true\n    ipam:\n      config:\n        - subnet: 10.231.163.0/24\n'
} > "$work/stack.yaml"
s up -d >/dev/null
sleep 10.5

container_pid() { sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$root/containers/benchrestart-$1-1/state.json" | head -1; }
# Polls ps until service $1 is up with restart count $2 ("" for none shown); gives up after 20 s.
wait_up() {
  local t0=$EPOCHREALTIME line
  while :; do
    line=$(s ps "$1" 2>/dev/null | grep "benchrestart-$1-1" || true)
    case $line in *" Up "*) if [ -z "$2" ] || [[ $line == *"(restarts: $2)"* ]]; then return 0; fi ;; esac
    [ "$(ms_since "$t0" | cut -d. -f1)" -lt 20000 ] || { echo "restart_bench: $1 did not come back" >&2; return 1; }
  done
}
crash=() base=()
for i in $(seq 1 "$runs"); do
  pid=$(container_pid "s$i")
  t0=$EPOCHREALTIME
  kill -KILL "$pid"
  wait_up "s$i" 1
  crash+=("$(ms_since "$t0")")
  t0=$EPOCHREALTIME
  s restart -t 0 "s$i" >/dev/null 2>&1
  wait_up "s$i" ""
  base+=("$(ms_since "$t0")")
done
c=$(median_of "${crash[@]}"); b=$(median_of "${base[@]}")
echo "kill -9 until ps shows it running: $c ms (${crash[*]})"
echo "restart -t 0 until ps shows it running: $b ms (${base[*]})"
emit restart "kill -9 -> running in ps (restart: always)" "$c" ms "stack restart -t 0" "$b" "$(ratio "$c" "$b")"
