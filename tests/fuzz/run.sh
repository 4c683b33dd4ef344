#!/usr/bin/env bash
# Builds one libFuzzer target with clang (ASan + UBSan) into <out-dir> and runs it for a bounded
# time over tests/fuzz/corpus/<target>/. Exits non-zero if the fuzzer finds a crash, a leak, a
# sanitizer report, a violated invariant (the targets abort) or a timeout.
#
#   tests/fuzz/run.sh <target> <out-dir> [extra libFuzzer flags, e.g. -max_total_time=300]
#
# Targets (tests/fuzz/<target>_fuzz.cpp):
#   spec_loader      the stack file pipeline; every src/spec/*.cpp and src/util/*.cpp (glob), so it
#                    follows the module as it grows. STACK_FUZZ_LOAD=0 leaves spec::load out on
#                    purpose (to fuzz the front end while a known bug in a later pass is fixed).
#   dns_message      the DNS wire codec and the server's answer decision (src/net/dns)
#   image_reference  image reference parsing and formatting (src/image/reference, util/image_reference)
#   auth_challenge   WWW-Authenticate parsing (src/image/registry/auth_challenge)
#   layer_paths      tar entry names from layers: path safety and whiteouts, libarchive from memory
# The other targets compile only the files they list, so each costs seconds to build.
set -euo pipefail

usage() {
  echo "usage: $0 <spec_loader|dns_message|image_reference|auth_challenge|layer_paths>" \
       "<out-dir> [libFuzzer flags...]" >&2
  exit 2
}
[ $# -ge 2 ] || usage
name=$1
out=$(mkdir -p "$2" && cd "$2" && pwd)
shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cxx=${CXX_FUZZ:-clang++}
jobs=${FUZZ_JOBS:-2}

# Per target: the sources under src/, the libraries, the seconds of fuzzing and the longest input.
defines=()
case "$name" in
  spec_loader)
    sources=("$root"/src/spec/*.cpp "$root"/src/util/*.cpp)
    libs=(-lyaml-cpp -lcrypto -lmd -lspdlog -lfmt -pthread)
    seconds=20 max_len=4096
    if [ "${STACK_FUZZ_LOAD:-1}" = 1 ]; then defines=(-DSTACK_FUZZ_HAVE_LOAD=1); fi
    ;;
  dns_message)
    sources=(net/dns/message.cpp net/dns/answer.cpp util/ip.cpp util/ip6.cpp util/result.cpp)
    libs=()
    seconds=15 max_len=1500  # past kUdpMaxSize, so that truncation is reached
    ;;
  image_reference)
    sources=(image/reference.cpp util/image_reference.cpp image/digest.cpp util/sha256.cpp util/shared_library.cpp
             util/result.cpp)
    libs=(-ldl -lmd)
    seconds=15 max_len=512
    ;;
  auth_challenge)
    sources=(image/registry/auth_challenge.cpp util/result.cpp)
    libs=()
    seconds=15 max_len=1024
    ;;
  layer_paths)
    sources=(image/path_safety.cpp image/whiteout.cpp image/fs.cpp util/atomic_file.cpp
             util/dir.cpp util/fd.cpp util/result.cpp)
    libs=(-larchive)
    seconds=15 max_len=8192  # a few 512-byte tar headers
    ;;
  *) usage ;;
esac
for i in "${!sources[@]}"; do
  case "${sources[$i]}" in /*) ;; *) sources[$i]="$root/src/${sources[$i]}" ;; esac
done

flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
       -fno-sanitize-recover=undefined -I"$root/src" -isystem /usr/include/libnl3
       -DSPDLOG_FMT_EXTERNAL)

# An object is stale when it, or the dependency list the compiler wrote beside it (-MMD), is
# missing, or when any file in that list is newer: a second run starts fuzzing at once.
stale() {
  local obj=$1 dep
  [ -f "$obj" ] && [ -f "$obj.d" ] || return 0
  for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$obj.d"); do
    [ "$dep" -nt "$obj" ] && return 0
  done
  return 1
}

mkdir -p "$out/obj"
objs=()
pids=()
for src in "${sources[@]}"; do
  [ -e "$src" ] || { echo "$0: $src is missing" >&2; exit 2; }
  obj="$out/obj/$(basename "$(dirname "$src")")_$(basename "${src%.cpp}").o"
  objs+=("$obj")
  stale "$obj" || continue
  "$cxx" "${flags[@]}" -fsanitize=fuzzer-no-link -MMD -MF "$obj.d" -c "$src" -o "$obj" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}"
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid"; done

target="$out/${name}_fuzz"
"$cxx" "${flags[@]}" -fsanitize=fuzzer "${defines[@]}" "$here/${name}_fuzz.cpp" "${objs[@]}" \
  "${libs[@]}" -o "$target"

# The corpus in the source tree stays as written; new inputs go to a scratch copy. Artifacts are
# this run's findings only.
seeds="$here/corpus/$name"
work="$out/corpus"
mkdir -p "$work" "$out/artifacts"
rm -f "$out/artifacts"/*
cp -n "$seeds"/* "$work"/ 2>/dev/null || true

# detect_leaks stays on: a leak is a finding. The limits keep one run bounded on a 2-core machine.
# -timeout is wall time per input: 30 s still catches a hang, and a loaded CI machine (fuzzers and
# compilers side by side on two cores) does not pass for one.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
"$target" -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -timeout=30 \
  -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@" "$work" "$seeds" || status=$?
[ "$status" -eq 0 ] && exit 0

# A finding on a fresh CI machine survives only in the log: print each input that failed, whole,
# as hex, so that it can be replayed anywhere (bytes.fromhex in python3 turns it back).
echo "$0: $name: libFuzzer exited $status" >&2
for artifact in "$out/artifacts"/*; do
  [ -f "$artifact" ] || continue
  echo "$0: $name: $(basename "$artifact") ($(stat -c %s "$artifact") bytes), as hex:" >&2
  od -An -v -tx1 "$artifact" | tr -d ' \n' | fold -w 96 >&2
  echo >&2
done
exit "$status"
