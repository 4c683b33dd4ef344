#!/bin/bash
# Orchestrator benchmark (root): `up -d` of N independent sleeping services, a no-op `up` on the
# converged stack, `ps`, and `down -t 0`, each the median of RUNS runs; and, while the N containers
# run, the memory that the project adds, from /proc/<pid>/smaps_rollup (Pss, so that pages shared
# between shims are counted once in the sum):
#   shims      every container's `stack-shim` (its supervisor, log pump, restart policy) and the
#              container's init (`init: true`: a fork of the shim that stays PID 1)
#   dns        the network's DNS server (`stack-dns`, one per network)
#   workload   the container's own processes (busybox sleep under `init: true`): what the
#              containers themselves use, the same under any runtime, shown for scale
#   kernel     the growth of the kernel's unreclaimable memory (SUnreclaim, Percpu, KernelStack,
#              PageTables in /proc/meminfo) across `up -d`, per container: namespaces, veths,
#              cgroups, mounts, the processes' stacks and page tables; noisy on a shared machine,
#              meaningful at the largest N only
# The ratio of each time is per service against the 1-service case of the same run:
# (t_N / N) / t_1; under 1 means that a service costs less in a bigger project.
# Each line "n up noop ps down shims_kib dns_kib workload_kib kernel_kib" is written to $BENCH_DAT
# when it is set (bench/run.sh plots it). Usage: bench/orchestrator_bench.sh [build dir] [runs] [N...]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
build=${1:-$here/build}
runs=${2:-5}
shift 2 2>/dev/null || shift $#
sizes=${*:-1 10 50}
stack=$build/stack
bench_project bench

write_stack() {
  {
    echo "services:"
    for i in $(seq 1 "$1"); do
      printf '  s%d:\n    image: busybox\n    command: ["sleep", "600"]\n    init: true\n' "$i"
    done
    printf 'networks:\n  default:\n    internal: true\n    ipam:\n      config:\n        - subnet: 10.231.160.0/24\n'
  } > "$work/stack.yaml"
}
field() { sed -n "s/.*\"$2\": *\"\{0,1\}\([^\",]*\).*/\1/p" "$1" | head -1; }
# The kernel's unreclaimable memory: slab that cannot be dropped, per-CPU areas, kernel stacks,
# page tables. What namespaces, veths, cgroups, mounts and processes cost the kernel; a compiler
# running beside the bench moves it much less than MemAvailable.
kernel_kib() { awk '/^(SUnreclaim|Percpu|KernelStack|PageTables):/ { k += $2 } END { print k }' /proc/meminfo; }

# Sets shims, dns, workload (KiB, summed Pss) for the running project.
measure_memory() {
  local f shim pid pidfile
  shims=0 dns=0 workload=0
  for f in "$root"/containers/*/state.json; do
    shim=$(field "$f" shim_pid); pid=$(field "$f" pid)
    [ -n "$shim" ] && [ "$shim" != 0 ] || continue
    shims=$((shims + $(pss_kib "$shim")))
    # Under the shim: the container's init (`init: true`: the shim's own fork, the project's) and
    # the command (busybox: the workload's).
    for p in $(pid_tree "$shim" | tail -n +2); do
      case $(readlink "/proc/$p/exe") in
        */stack-shim|*/stack) shims=$((shims + $(pss_kib "$p"))) ;;
        *) workload=$((workload + $(pss_kib "$p"))) ;;
      esac
    done
  done
  for pidfile in "$root"/run/dns/*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(head -c 20 "$pidfile" | tr -dc 0-9)
    [ -n "$pid" ] && dns=$((dns + $(pss_kib "$pid")))
  done
}

printf '%-8s %10s %12s %9s %10s %11s %10s %12s %12s\n' services "up -d ms" "no-op up ms" "ps ms" "down ms" \
  "shim+init KiB" "dns KiB" "workload KiB" "kernel KiB"
t1_up='' t1_noop='' t1_ps='' t1_down=''
for n in $sizes; do
  write_stack "$n"
  up=() noop=() ps=() down=() mem_s=() mem_d=() mem_w=() mem_h=()
  for _ in $(seq 1 "$runs"); do
    a0=$(kernel_kib)
    up+=("$(timed s up -d)")
    sleep 1
    running=$(s ps -q | wc -l)
    [ "$running" = "$n" ] || { echo "orchestrator_bench: $running of $n containers run after up -d" >&2; s up -d >&2 || true; exit 1; }
    measure_memory; a1=$(kernel_kib)
    mem_s+=("$((shims / n))"); mem_d+=("$dns"); mem_w+=("$((workload / n))"); mem_h+=("$(( (a1 - a0) / n ))")
    noop+=("$(timed s up -d)")
    ps+=("$(timed s ps)")
    down+=("$(timed s down -t 0)")
  done
  m_up=$(median_of "${up[@]}"); m_noop=$(median_of "${noop[@]}"); m_ps=$(median_of "${ps[@]}"); m_down=$(median_of "${down[@]}")
  m_s=$(median_of "${mem_s[@]}"); m_d=$(median_of "${mem_d[@]}"); m_w=$(median_of "${mem_w[@]}"); m_h=$(median_of "${mem_h[@]}")
  printf '%-8s %10s %12s %9s %10s %11s %10s %12s %12s\n' "$n" "$m_up" "$m_noop" "$m_ps" "$m_down" "$m_s" "$m_d" "$m_w" "$m_h"
  [ -n "${BENCH_DAT:-}" ] && echo "$n $m_up $m_noop $m_ps $m_down $m_s $m_d $m_w $m_h" >> "$BENCH_DAT"
  if [ -z "$t1_up" ]; then t1_up=$m_up t1_noop=$m_noop t1_ps=$m_ps t1_down=$m_down t1_n=$n; fi
  per() { awk -v t="$1" -v n="$n" -v b="$2" -v bn="$t1_n" 'BEGIN { printf "%.2f\n", (t / n) / (b / bn) }'; }
  against="per service, against $t1_n service$([ "$t1_n" = 1 ] || echo s)"
  svc="$n service$([ "$n" = 1 ] || echo s)"
  emit orchestrator "up -d, $svc" "$m_up" ms "$against" "$t1_up" "$(per "$m_up" "$t1_up")"
  emit orchestrator "no-op up, $svc" "$m_noop" ms "$against" "$t1_noop" "$(per "$m_noop" "$t1_noop")"
  emit orchestrator "ps, $svc" "$m_ps" ms "$against" "$t1_ps" "$(per "$m_ps" "$t1_ps")"
  emit orchestrator "down -t 0, $svc" "$m_down" ms "$against" "$t1_down" "$(per "$m_down" "$t1_down")"
  emit memory "per container at $n: shim + init Pss" "$m_s" KiB "workload Pss (busybox sleep)" "$m_w" "$(ratio "$m_s" "$m_w")"
  emit memory "DNS server, one per network, at $n" "$m_d" KiB "workload Pss (busybox sleep)" "$m_w" "$(ratio "$m_d" "$m_w")"
  if [ "$n" = "${sizes##* }" ]; then
    emit memory "kernel memory per container at $n (noisy)" "$m_h" KiB "workload Pss (busybox sleep)" "$m_w" "$(ratio "$m_h" "$m_w")"
  fi
done
