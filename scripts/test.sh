#!/usr/bin/env bash
# Sets up and runs every test: installs missing dependencies, builds, runs ctest (unit + root).
# Root-labelled tests need root; CI runs this as root.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
build_dir=${STACK_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${STACK_BUILD_TYPE:-RelWithDebInfo} >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
cd "$build_dir"
ctest --output-on-failure --timeout 600 -j"$(nproc)" "$@"
