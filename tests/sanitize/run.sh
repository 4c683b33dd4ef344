#!/usr/bin/env bash
# Builds the given unit test suites under AddressSanitizer and UndefinedBehaviorSanitizer (CMake
# option STACK_SANITIZE) in <build-dir> and runs each. Only those suites and the modules they link
# are compiled (tests/CMakeLists.txt gives each unit suite its own module), so that CI's budget
# holds. Exits non-zero on any failed test or sanitizer report: a leak, a use after free, an
# overflow, undefined behaviour (-fno-sanitize-recover makes UBSan abort).
#
#   tests/sanitize/run.sh <source-dir> <build-dir> <suite>...    e.g. unit_spec unit_net
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: $0 <source-dir> <build-dir> <suite>..." >&2; exit 2; }
source_dir=$1 build_dir=$2
shift 2

cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSTACK_SANITIZE=ON >/dev/null
cmake --build "$build_dir" -j"${SANITIZE_JOBS:-$(nproc)}" --target "$@"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for suite in "$@"; do
  echo "== $suite (ASan + UBSan)"
  if ! "$build_dir/tests/$suite" --gtest_brief=1; then
    failed+=("$suite")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed under the sanitizers: ${failed[*]}" >&2
  exit 1
fi
echo "every suite passed under ASan + UBSan: $*"
