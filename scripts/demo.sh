#!/usr/bin/env bash
# The Quick start's main job: installs missing dependencies, builds build/stack and shows the demo
# stack. Until the orchestrator lands this prints the resolved model (`stack config`) of the demo.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build -j"$(nproc)"
./build/stack -f examples/stacks/demo/stack.yaml config
