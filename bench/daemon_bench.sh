#!/bin/bash
# Daemon benchmark (root): `stack daemon` over P projects of S sleeping services each.
#  - idle: the daemon's CPU (% of one core, over IDLE seconds) and RSS once every project converged
#  - crash: a container whose shim and process are killed (restart: always), until it runs again
#  - edit: one service's environment edited in its file, until its new container runs
# each the median of RUNS, with a baseline in the same run: the same repair done by hand with
# `stack up -d` (what the daemon's pass costs without its event latency).
# Usage: bench/daemon_bench.sh [build dir] [runs] [projects] [services] [idle seconds]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-5}
projects=${3:-10}
[ "$projects" -le 30 ] || { echo "daemon_bench: at most 30 projects (subnets 10.231.170-199.0/24)" >&2; exit 2; }
services=${4:-5}
idle=${5:-20}
stack=$build/stack
work=$(mktemp -d /tmp/stack-dbench-XXXXXX)
root=$work/root
dir=$work/stacks.d
mkdir -p "$dir"
daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  for p in $(seq 1 "$projects"); do
    STACK_ROOT=$root "$stack" -p "benchd$p" down -t 0 >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

"$here/scripts/make-test-image.sh" "$work/busybox.tar" >/dev/null 2>&1
STACK_ROOT=$root "$stack" image load -i "$work/busybox.tar" >/dev/null
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ms_since() { awk -v a="$EPOCHREALTIME" -v b="$1" 'BEGIN { printf "%.0f\n", (a - b) * 1000 }'; }

write_project() {  # write_project N [extra env value]
  local p=$1 env=${2:-}
  {
    echo "services:"
    for i in $(seq 1 "$services"); do
      printf '  s%d:\n    image: busybox\n    command: ["sleep", "600"]\n    init: true\n    restart: always\n' "$i"
      [ -n "$env" ] && [ "$i" = 1 ] && printf '    environment: {EDIT: "%s"}\n' "$env"
    done
    printf 'networks:\n  default:\n    ipam:\n      config:\n        - subnet: 10.231.%d.0/24\n' $((169 + p))
  } > "$dir/.benchd$p.tmp"
  mv "$dir/.benchd$p.tmp" "$dir/benchd$p.yaml"
}
state() { cat "$root/containers/$1/state.json" 2>/dev/null; }
field() { state "$1" | sed -n "s/.*\"$2\": *\"\{0,1\}\([^\",]*\).*/\1/p" | head -1; }
# The shim's and the container's pids, once the state file has both (it is rewritten as the
# container starts).
pids_of() {
  local _
  for _ in $(seq 500); do
    shim=$(field "$1" shim_pid); pid=$(field "$1" pid)
    [ -n "$shim" ] && [ -n "$pid" ] && [ "$pid" != 0 ] && return 0
    sleep 0.01
  done
  echo "daemon_bench: no pids in the state of $1" >&2; return 1
}
running_count() { STACK_ROOT=$root "$stack" daemon status --format json 2>/dev/null | grep -o '"summary": *"[^"]*"' || true; }

for p in $(seq 1 "$projects"); do write_project "$p"; done
STACK_ROOT=$root "$stack" daemon --stacks-dir "$dir" --resync 30s 2>"$work/daemon.log" &
daemon_pid=$!
total=$((projects * services))
t0=$EPOCHREALTIME
until running_count | grep -q "$total/$total running"; do sleep 0.2; done
echo "first pass over $projects projects, $total containers: $(ms_since "$t0") ms"

sleep 2
ticks() { awk '{ print $14 + $15 }' "/proc/$daemon_pid/stat"; }
c0=$(ticks); sleep "$idle"; c1=$(ticks)
hz=$(getconf CLK_TCK)
cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v s="$idle" 'BEGIN { printf "%.2f", (b - a) / hz / s * 100 }')
rss=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$daemon_pid/status")
echo "idle: ${cpu}% of a core over ${idle}s, RSS ${rss} MiB"

crash=() crash_base=() edit=() edit_base=()
for r in $(seq 1 "$runs"); do
  c=benchd1-s2-1
  pids_of "$c"
  t0=$EPOCHREALTIME
  kill -KILL "$shim" "$pid"
  until [ "$(field "$c" status)" = running ] && [ "$(field "$c" shim_pid)" != "$shim" ]; do sleep 0.01; done
  crash+=("$(ms_since "$t0")")
  # By hand: the daemon is paused, the same kill repaired by `up -d`.
  kill -STOP "$daemon_pid"
  pids_of "$c"
  kill -KILL "$shim" "$pid"
  while kill -0 "$shim" 2>/dev/null; do sleep 0.01; done
  t0=$EPOCHREALTIME
  STACK_ROOT=$root "$stack" -p benchd1 -f "$dir/benchd1.yaml" up -d >/dev/null 2>&1
  crash_base+=("$(ms_since "$t0")")
  kill -CONT "$daemon_pid"

  c=benchd2-s1-1
  before=$(field "$c" started_at)
  t0=$EPOCHREALTIME
  write_project 2 "run$r"
  until s=$(field "$c" started_at) && [ -n "$s" ] && [ "$s" != "$before" ] && [ "$(field "$c" status)" = running ]; do sleep 0.01; done
  edit+=("$(ms_since "$t0")")
  kill -STOP "$daemon_pid"
  write_project 2 "base$r"
  t0=$EPOCHREALTIME
  STACK_ROOT=$root "$stack" -p benchd2 -f "$dir/benchd2.yaml" up -d >/dev/null 2>&1
  edit_base+=("$(ms_since "$t0")")
  kill -CONT "$daemon_pid"
  sleep 1
done
m() { printf '%s\n' "$@" | median; }
printf '%-28s %10s %16s %8s\n' "" "daemon ms" "by hand (up -d)" ratio
for row in crash edit; do
  eval "a=(\"\${${row}[@]}\")"; eval "b=(\"\${${row}_base[@]}\")"
  ma=$(m "${a[@]}"); mb=$(m "${b[@]}")
  printf '%-28s %10s %16s %8s\n' "$row (median of $runs)" "$ma" "$mb" "$(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.2f", a / b }')"
done
