# shellcheck shell=bash
# Helpers shared by the bench scripts (sourced, bash). Timing uses bash's own clock
# (EPOCHREALTIME): nothing runs between the two readings but the timed command.

# The median of numbers on stdin (the mean of the middle two for an even count).
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
median_of() { printf '%s\n' "$@" | median; }

elapsed_ms() { awk -v a="$2" -v b="$1" 'BEGIN { printf "%.1f\n", (a - b) * 1000 }'; }
ms_since() { awk -v a="$EPOCHREALTIME" -v b="$1" 'BEGIN { printf "%.1f\n", (a - b) * 1000 }'; }
# Milliseconds that a command takes, its output discarded.
timed() { local t0=$EPOCHREALTIME; "$@" >/dev/null 2>&1; local t1=$EPOCHREALTIME; elapsed_ms "$t0" "$t1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f\n", a / b }'; }

# ab_time RUNS WARMUP FN_A FN_B: runs the two functions in turn (A B A B ...) after WARMUP
# uncounted pairs, so that a change in the machine's load hits both alike. Prints
# "median_A_ms median_B_ms median_of_pairwise_A/B".
ab_time() {
  local runs=$1 warmup=$2 a=$3 b=$4 i ta tb
  local as=() bs=() rs=()
  for ((i = 0; i < warmup; i++)); do timed "$a" >/dev/null; timed "$b" >/dev/null; done
  for ((i = 0; i < runs; i++)); do
    ta=$(timed "$a"); tb=$(timed "$b")
    as+=("$ta"); bs+=("$tb"); rs+=("$(ratio "$ta" "$tb")")
  done
  echo "$(median_of "${as[@]}") $(median_of "${bs[@]}") $(median_of "${rs[@]}")"
}

# emit GROUP WHAT VALUE UNIT BASELINE_WHAT BASELINE_VALUE RATIO: one figure for bench/run.sh's
# table (tab-separated, appended to $BENCH_TSV when it is set; nothing otherwise).
emit() {
  [ -n "${BENCH_TSV:-}" ] || return 0
  local IFS=$'\t'
  echo "$*" >> "$BENCH_TSV"
}

# The proportional set size (KiB) of one process, 0 when it is gone.
pss_kib() { local v; v=$(awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null); echo "${v:-0}"; }
# A process and all its descendants, one pid a line.
pid_tree() {
  local p=$1 c
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do pid_tree "$c"; done
}

# A /24 that no address or route of the host overlaps (bench subnets: 10.231.160-199.0/24).
subnet_free() { ! ip -4 route show table all 2>/dev/null | grep -q "^\(local \|broadcast \)\{0,1\}${1%.0/24}\."; }

# bench_project PROJECT: $work, a temporary directory, and $root, a state root in it holding the
# busybox test image; `s ARGS` runs stack on PROJECT with $work/stack.yaml. On exit the project
# goes down and $work is removed. Needs $here and $stack.
bench_project() {
  project=$1
  work=$(mktemp -d "/tmp/stack-$project-XXXXXX")
  root=$work/root
  trap 's down -t 0 >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  "$here/scripts/make-test-image.sh" "$work/busybox.tar" >/dev/null 2>&1
  STACK_ROOT=$root "$stack" image load -i "$work/busybox.tar" >/dev/null
}
s() { STACK_ROOT=$root "$stack" -p "$project" -f "$work/stack.yaml" "$@"; }
