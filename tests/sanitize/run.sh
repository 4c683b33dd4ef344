#!/usr/bin/env bash
# Builds the given test suites under AddressSanitizer and UndefinedBehaviorSanitizer (CMake
# option STACK_SANITIZE), or with --thread under ThreadSanitizer (STACK_SANITIZE_THREAD), in
# <build-dir> and runs each. Root suites (integration_*) run the sanitized `stack` and a
# dynamically linked `stack-shim` (ASan cannot link -static) on e2e subnets of their own
# (STACK_E2E_NET=10.233), so that they can run beside the plain build's tests. Only those suites and the modules they link are compiled
# (tests/CMakeLists.txt gives each unit suite its own module), so that CI's budget holds. Exits
# non-zero on any failed test or sanitizer report: a leak, a use after free, an overflow,
# undefined behaviour (-fno-sanitize-recover makes UBSan abort), a data race or a lock-order
# inversion (halt_on_error makes TSan exit with the report).
#
#   tests/sanitize/run.sh [--thread] <source-dir> <build-dir> <suite>...    e.g. unit_spec unit_net
#   tests/sanitize/run.sh <source-dir> <build-dir> integration_shim integration_orchestrator
set -euo pipefail

mode=address
if [ "${1:-}" = --thread ]; then
  mode=thread
  shift
fi
[ $# -ge 3 ] || { echo "usage: $0 [--thread] <source-dir> <build-dir> <suite>..." >&2; exit 2; }
source_dir=$1 build_dir=$2
shift 2

if [ $mode = thread ]; then
  option=-DSTACK_SANITIZE_THREAD=ON name="ThreadSanitizer"
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:exitcode=66
else
  option="-DSTACK_SANITIZE=ON -DSTACK_STATIC_SHIM=OFF" name="ASan + UBSan"
  export STACK_E2E_NET=10.233
  # Reports go to files, one per process: the shims and DNS servers run detached with stdio on
  # /dev/null, and the CLI's stderr is what the root tests compare. ASan's warning about a stack it
  # does not know (the helpers' vfork-style spawn runs on a small stack of its own) is not a finding.
  logs=$build_dir/sanitizer-logs
  rm -rf "$logs"
  mkdir -p "$logs"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:log_path=$logs/asan
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan
fi
# shellcheck disable=SC2086 # option holds one or two flags
# -O1, as the sanitizers' authors advise: a third less compile time than -O2, reports as exact.
cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" $option >/dev/null
cmake --build "$build_dir" -j"${SANITIZE_JOBS:-$(nproc)}" --target "$@"

failed=()
for suite in "$@"; do
  echo "== $suite ($name)"
  if ! "$build_dir/tests/$suite" --gtest_brief=1; then
    failed+=("$suite")
  fi
done
if [ $mode = address ]; then
  # Any process's report fails the run, also one whose exit no test saw (a detached helper's).
  reports=$(grep -l -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$logs"/* 2>/dev/null || true)
  for report in $reports; do
    echo "== $report" >&2
    head -40 "$report" >&2
    failed+=("$(basename "$report")")
  done
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed under $name: ${failed[*]}" >&2
  exit 1
fi
echo "every suite passed under $name: $*"
