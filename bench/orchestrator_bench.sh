#!/bin/bash
# Orchestrator benchmark (root): `up -d` of N independent sleeping services, a no-op `up` on the
# converged stack, `ps`, and `down -t 0`, each the median of RUNS runs, next to a baseline measured
# in the same run: N bare `sleep` processes started and killed by the shell (the floor that any
# orchestrator pays for N processes). Usage: bench/orchestrator_bench.sh [build dir] [runs] [N...]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-5}
shift 2 2>/dev/null || shift $#
sizes=${*:-10 30 50}
stack=$build/stack
work=$(mktemp -d /tmp/stack-bench-XXXXXX)
root=$work/root
trap 'STACK_ROOT=$root "$stack" -p bench -f "$work/stack.yaml" down -t 0 >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

"$here/scripts/make-test-image.sh" "$work/busybox.tar" >/dev/null 2>&1
STACK_ROOT=$root "$stack" image load -i "$work/busybox.tar" >/dev/null

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# bash's own clock (EPOCHREALTIME): nothing is started between the two readings but the command.
elapsed_ms() { awk -v a="$2" -v b="$1" 'BEGIN { printf "%.1f\n", (a - b) * 1000 }'; }
timed() { local t0=$EPOCHREALTIME; "$@" >/dev/null 2>&1; local t1=$EPOCHREALTIME; elapsed_ms "$t0" "$t1"; }

write_stack() {
  {
    echo "services:"
    for i in $(seq 1 "$1"); do
      printf '  s%d:\n    image: busybox\n    command: ["sleep", "600"]\n    init: true\n' "$i"
    done
    printf 'networks:\n  default:\n    ipam:\n      config:\n        - subnet: 10.231.120.0/24\n'
  } > "$work/stack.yaml"
}

baseline() {
  local pids=() i
  for i in $(seq 1 "$1"); do sleep 600 & pids+=($!); done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}

s() { STACK_ROOT=$root "$stack" -p bench -f "$work/stack.yaml" "$@"; }

# The floor under every timed command: bash starting a program that does nothing, the same way.
floor=()
for _ in $(seq 1 20); do floor+=("$(timed /bin/true)"); done
echo "exec of /bin/true through the same path: $(printf '%s\n' "${floor[@]}" | median) ms"
printf '%-6s %12s %12s %12s %12s %14s %8s\n' services "up -d ms" "no-op up ms" "ps ms" "down ms" "baseline ms" "up/base"
for n in $sizes; do
  write_stack "$n"
  up=() noop=() ps=() down=() base=()
  for _ in $(seq 1 "$runs"); do
    t0=$EPOCHREALTIME; baseline "$n"; t1=$EPOCHREALTIME
    base+=("$(elapsed_ms "$t0" "$t1")")
    up+=("$(timed s up -d)")
    noop+=("$(timed s up -d)")
    ps+=("$(timed s ps)")
    down+=("$(timed s down -t 0)")
  done
  m_up=$(printf '%s\n' "${up[@]}" | median); m_base=$(printf '%s\n' "${base[@]}" | median)
  printf '%-6s %12s %12s %12s %12s %14s %8.1f\n' "$n" "$m_up" "$(printf '%s\n' "${noop[@]}" | median)" \
    "$(printf '%s\n' "${ps[@]}" | median)" "$(printf '%s\n' "${down[@]}" | median)" "$m_base" \
    "$(awk -v a="$m_up" -v b="$m_base" 'BEGIN { print a / b }')"
done
