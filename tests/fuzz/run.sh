#!/usr/bin/env bash
# Builds the spec loader libFuzzer target with clang (ASan + UBSan) into <out-dir> and runs it for
# a bounded time over tests/fuzz/corpus. Exits non-zero if the fuzzer finds a crash, a leak, a
# sanitizer report or a timeout.
#
#   tests/fuzz/run.sh <out-dir> [extra libFuzzer flags, e.g. -max_total_time=300]
#
# Every src/spec/*.cpp and src/util/*.cpp is compiled (glob), so the target follows the module as
# it grows. The target drives the full spec::load pipeline (STACK_FUZZ_HAVE_LOAD); STACK_FUZZ_LOAD=0
# leaves load out on purpose (to fuzz the front end while a known bug in a later pass is fixed).
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 <out-dir> [libFuzzer flags...]" >&2
  exit 2
fi
out=$(mkdir -p "$1" && cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cxx=${CXX_FUZZ:-clang++}
jobs=${FUZZ_JOBS:-2}

flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
       -fno-sanitize-recover=undefined -I"$root/src")
libs=(-lyaml-cpp -lcrypto -lspdlog -lfmt -pthread)

# Objects are rebuilt only when their source or a header of the module is newer, so that a
# second run starts fuzzing at once.
newest_header=$(ls -t "$root"/src/spec/*.hpp "$root"/src/util/*.hpp 2>/dev/null | head -n1)
objs=()
pids=()
for src in "$root"/src/spec/*.cpp "$root"/src/util/*.cpp; do
  [ -e "$src" ] || continue
  obj="$out/obj/$(basename "$(dirname "$src")")_$(basename "${src%.cpp}").o"
  objs+=("$obj")
  if [ -f "$obj" ] && [ "$obj" -nt "$src" ] && [ "$obj" -nt "$newest_header" ]; then
    continue
  fi
  mkdir -p "$out/obj"
  "$cxx" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}"
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid"; done

target="$out/spec_loader_fuzz"
link() {
  "$cxx" "${flags[@]}" -fsanitize=fuzzer "$@" "$here/spec_loader_fuzz.cpp" "${objs[@]}" \
    "${libs[@]}" -o "$target"
}
if [ "${STACK_FUZZ_LOAD:-1}" = 1 ]; then
  link -DSTACK_FUZZ_HAVE_LOAD=1
else
  link
fi

# The corpus in the source tree stays as written; new inputs go to a scratch copy.
work="$out/corpus"
mkdir -p "$work" "$out/artifacts"
cp -n "$here"/corpus/* "$work"/ 2>/dev/null || true

# detect_leaks stays on: a leak is a finding. The limits keep one run bounded on a 2-core machine.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$target" -max_total_time=20 -max_len=4096 -rss_limit_mb=2048 -timeout=5 \
  -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@" "$work" "$here/corpus"
