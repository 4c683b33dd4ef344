#!/bin/sh
# Runtime benchmark (root): builds bench/runtime_bench.cpp against a build dir's libraries and runs
# it. Usage: bench/shim_bench.sh [build dir] [runs]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-30}
out=$build/runtime_bench
c++ -std=c++20 -O2 -I"$here/src" -I"$here/tests" "$here/bench/runtime_bench.cpp" -o "$out" \
  "$build/src/libstack_runtime.a" "$build/src/libstack_util.a" \
  -lseccomp -lcap -lspdlog -lfmt -lcrypto -lpthread
"$out" "$build/stack" "$runs"
