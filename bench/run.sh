#!/bin/bash
# Every benchmark in one command (root): prints one table and rewrites the figures section of
# docs/performance.md (between its `bench/run.sh: begin` and `end` markers; the rest of the file is
# left as it is) with the machine they came from, and draws docs/bench-up.png and
# docs/bench-per-container.png with gnuplot (skipped, with a message, when gnuplot is absent).
# Every figure is a median of several runs, next to a baseline measured in the same run, and the
# ratio of the two:
#   start          `stack run --rm` of /bin/true against crun (Debian's package) on the same rootfs
#   orchestrator   `up -d`, no-op `up`, `ps`, `down -t 0` at 1, 10, 50, 100, 200 services; the
#                  ratio is per service against the 1-service case
#   memory         per running container: shim (and init) Pss, the network's DNS server, the
#                  kernel's unreclaimable memory; against the container's own processes (busybox)
#   proxy          the port proxy's throughput and connections/s against a direct connection
#   dns            the network DNS server's queries/s and p99 against a UDP echo on the same address
#   restart        kill -9 of a `restart: always` container until `ps` shows it running again,
#                  against `stack restart -t 0` timed the same way
# Usage: bench/run.sh [--quick] [build dir]   (default build dir: ./build; it builds the targets it
# needs there: stack stack-shim stack-dns proxy_bench dns_bench)
#   --quick   fewer runs and 1, 10, 50 services only: about 1 minute on the project's machine
#             (2 cores, shared with builds); the full run takes about 5 minutes.
# Networks: the benches' subnets are 10.231.160.0/24 to 10.231.199.0/24 (160 orchestrator,
# 161 start, 162 dns, 163 restart, 164 proxy, 165 build), all internal; traffic goes only to loopback and to
# the bridges and namespaces that the benches make; every project name starts with `bench`.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"

quick=0
build=
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench/run.sh: unknown option '$arg' (usage: bench/run.sh [--quick] [build dir])" >&2; exit 2 ;;
    *) [ -z "$build" ] || { echo "bench/run.sh: one build directory only (got '$build' and '$arg')" >&2; exit 2; }
       build=$arg ;;
  esac
done
build=${build:-$here/build}
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: run as root (the benchmarks make containers, bridges and namespaces)" >&2; exit 1; }
[ -f "$build/CMakeCache.txt" ] || { echo "bench/run.sh: '$build' is not a configured build directory (cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)" >&2; exit 1; }
build=$(cd "$build" && pwd)
for net in 160 161 162 163 164; do
  subnet_free "10.231.$net.0/24" || { echo "bench/run.sh: 10.231.$net.0/24 is in use on this host (a bench already running?)" >&2; exit 1; }
done

if [ "$quick" = 1 ]; then
  start_runs=10 orch_runs=3 sizes="1 10 50" dns_runs=3 dns_seconds=1 restart_runs=3 proxy_args="64 300 3"
else
  start_runs=25 orch_runs=9 sizes="1 10 50 100 200" dns_runs=7 dns_seconds=2 restart_runs=7 proxy_args="256 1000 7"
fi

echo "building stack stack-shim stack-dns proxy_bench dns_bench in $build"
nice -n 10 cmake --build "$build" --target stack stack-shim stack-dns proxy_bench dns_bench >/dev/null ||
  { echo "bench/run.sh: the build failed (cmake --build $build --target stack stack-shim stack-dns proxy_bench dns_bench)" >&2; exit 1; }

work=$(mktemp -d /tmp/stack-benchrun-XXXXXX)
trap 'rm -rf "$work"' EXIT
export BENCH_TSV=$work/figures.tsv BENCH_DAT=$work/services.dat
: > "$BENCH_TSV"; : > "$BENCH_DAT"
began=$EPOCHREALTIME
failed=()

# step NAME COMMAND...: runs one bench, its output shown and kept; a failing bench is reported at
# the end and the others still run.
step() {
  local name=$1; shift
  echo "== $name"
  "$@" 2>&1 | tee "$work/$name.log"
  [ "${PIPESTATUS[0]}" = 0 ] || failed+=("$name")
}
step start "$here/bench/run_bench.sh" "$build" "$start_runs"
# shellcheck disable=SC2086  # sizes are words
step orchestrator "$here/bench/orchestrator_bench.sh" "$build" "$orch_runs" $sizes
step dns "$here/bench/dns_bench.sh" "$build" "$dns_runs" "$dns_seconds"
step restart "$here/bench/restart_bench.sh" "$build" "$restart_runs"
# With SIGINT and SIGTERM ignored: an interrupted proxy_bench would leave its bridge and namespace;
# it finishes its runs (seconds) and removes them, then run.sh stops.
# shellcheck disable=SC2086,SC2016
step proxy bash -c 'trap "" INT TERM; exec "$0" "$@"' "$build/bench/proxy_bench" $proxy_args 10.231.164.0/24
if r=$(sed -n 's/^result //p' "$work/proxy.log") && [ -n "$r" ]; then
  val() { echo "$r" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
  emit proxy "throughput through the proxy" "$(val proxied_mib)" "MiB/s" "direct to the container" "$(val direct_mib)" \
    "$(ratio "$(val proxied_mib)" "$(val direct_mib)")"
  emit proxy "connections/s through the proxy" "$(val proxied_cps)" "conn/s" "direct to the container" "$(val direct_cps)" \
    "$(ratio "$(val proxied_cps)" "$(val direct_cps)")"
fi
minutes=$(awk -v a="$EPOCHREALTIME" -v b="$began" 'BEGIN { printf "%.1f", (a - b) / 60 }')

# The machine.
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then cgroup="v2 (unified)"
elif mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then cgroup="v1 (hybrid: controllers on v1, cgroup2 at /sys/fs/cgroup/unified)"
else cgroup="v1"; fi
commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$here" diff --quiet HEAD -- src bench 2>/dev/null || commit="$commit (with local changes)"
mode=$([ "$quick" = 1 ] && echo "--quick" || echo "full")
machine="$cpu, $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r), cgroup $cgroup"

# The table: on the terminal, then as markdown.
echo
echo "bench/run.sh $mode, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit, $minutes min"
echo "$machine"
# The figures grouped, in the order of the header above; within a group, as measured.
for g in start orchestrator memory proxy dns restart; do awk -F'\t' -v g="$g" '$1 == g' "$BENCH_TSV"; done > "$work/sorted.tsv"
mv "$work/sorted.tsv" "$BENCH_TSV"
awk -F'\t' 'BEGIN { printf "%-13s %-48s %12s %-7s %10s  %-6s %s\n", "group", "figure", "median", "", "baseline", "ratio", "baseline is" }
  { printf "%-13s %-48s %12s %-7s %10s  %-6s %s\n", $1, $2, $3, $4, $6, $7, $5 }' "$BENCH_TSV"
[ ${#failed[@]} = 0 ] || echo "failed: ${failed[*]} (their output is above)"

section=$work/section.md
{
  echo "Measured by \`bench/run.sh$( [ "$quick" = 1 ] && echo " --quick" )\` on $(date -u '+%Y-%m-%d') in $minutes minutes, commit $commit."
  echo "Machine: $machine; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| group | figure | median | baseline (same run) | baseline median | ratio |"
  echo "|---|---|---|---|---|---|"
  awk -F'\t' '{ printf "| %s | %s | %s %s | %s | %s %s | %s |\n", $1, $2, $3, $4, $5, $6, $4, $7 }' "$BENCH_TSV"
  [ ${#failed[@]} = 0 ] || { echo; echo "Failed in this run: ${failed[*]}."; }
} > "$section"

plots=0
if ! command -v gnuplot >/dev/null; then
  echo "bench/run.sh: gnuplot is not installed: no plots drawn (apt-get install gnuplot-nox)" >&2
elif [ ! -s "$BENCH_DAT" ]; then
  echo "bench/run.sh: no orchestrator figures: no plots drawn" >&2
else
  # Columns: n up noop ps down shim_kib dns_kib workload_kib host_kib
  gnuplot <<GP && plots=1
set terminal pngcairo size 900,520 font ",10"
set datafile separator " "
set key top left
set grid
set xlabel "services in the project"
set output "$here/docs/bench-up.png"
set title "up -d time and the project's memory against the number of services ($mode run)"
set ylabel "up -d (ms)"
set y2label "memory (MiB)"
set y2tics
set ytics nomirror
plot "$BENCH_DAT" using 1:2 with linespoints lw 2 title "up -d (ms)", \
     "" using 1:((\$6 * \$1 + \$7) / 1024) axes x1y2 with linespoints lw 2 title "shims + DNS server, Pss (MiB)", \
     "" using 1:((\$6 * \$1 + \$7 + \$8 * \$1) / 1024) axes x1y2 with linespoints lw 2 title "... + the containers' own processes (MiB)"
set output "$here/docs/bench-per-container.png"
set title "cost per container against the number of services ($mode run)"
set ylabel "ms per service"
set y2label "KiB per container"
set logscale x
set xrange [0.8:*]
set yrange [0:*]
set y2range [0:*]
plot "$BENCH_DAT" using 1:(\$2 / \$1) with linespoints lw 2 title "up -d (ms per service)", \
     "" using 1:(\$5 / \$1) with linespoints lw 2 title "down -t 0 (ms per service)", \
     "" using 1:(\$3 / \$1) with linespoints lw 2 title "no-op up (ms per service)", \
     "" using 1:(\$6 + \$7 / \$1) axes x1y2 with linespoints lw 2 title "shim + init + share of DNS server, Pss (KiB)", \
     "" using 1:(\$6 + \$7 / \$1 + \$9) axes x1y2 with linespoints lw 2 title "... + kernel, unreclaimable (KiB; noisy)"
GP
fi
if [ "$plots" = 1 ]; then
  {
    echo
    echo "![up -d time and memory against services](bench-up.png)"
    echo "![cost per container against services](bench-per-container.png)"
  } >> "$section"
fi

doc=$here/docs/performance.md
begin='<!-- bench/run.sh: begin -->' end='<!-- bench/run.sh: end -->'
if grep -qxF "$begin" "$doc" && grep -qxF "$end" "$doc"; then
  awk -v b="$begin" -v e="$end" -v f="$section" '
    $0 == b { print; while ((getline line < f) > 0) print line; skip = 1; next }
    $0 == e { skip = 0 }
    !skip { print }' "$doc" > "$work/performance.md"
  cat "$work/performance.md" > "$doc"
  echo "rewrote the figures section of docs/performance.md$([ "$plots" = 1 ] && echo ", docs/bench-up.png and docs/bench-per-container.png")"
else
  echo "bench/run.sh: docs/performance.md has no '$begin' / '$end' lines: the section is not written" >&2
fi
[ ${#failed[@]} = 0 ]
