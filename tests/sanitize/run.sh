#!/usr/bin/env bash
# Builds the given unit test suites under AddressSanitizer and UndefinedBehaviorSanitizer (CMake
# option STACK_SANITIZE), or with --thread under ThreadSanitizer (STACK_SANITIZE_THREAD), in
# <build-dir> and runs each. Only those suites and the modules they link are compiled
# (tests/CMakeLists.txt gives each unit suite its own module), so that CI's budget holds. Exits
# non-zero on any failed test or sanitizer report: a leak, a use after free, an overflow,
# undefined behaviour (-fno-sanitize-recover makes UBSan abort), a data race or a lock-order
# inversion (halt_on_error makes TSan exit with the report).
#
#   tests/sanitize/run.sh [--thread] <source-dir> <build-dir> <suite>...    e.g. unit_spec unit_net
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
  option=-DSTACK_SANITIZE=ON name="ASan + UBSan"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$option" >/dev/null
cmake --build "$build_dir" -j"${SANITIZE_JOBS:-$(nproc)}" --target "$@"

failed=()
for suite in "$@"; do
  echo "== $suite ($name)"
  if ! "$build_dir/tests/$suite" --gtest_brief=1; then
    failed+=("$suite")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed under $name: ${failed[*]}" >&2
  exit 1
fi
echo "every suite passed under $name: $*"
