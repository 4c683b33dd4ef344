#!/usr/bin/env bash
# The Quick start: installs missing dependencies, builds build/stack, loads the embedded busybox
# image (made from Debian's busybox-static, no registry needed), brings the demo stack up, prints
# `stack ps` and fetches the page through the published port. State lives in STACK_ROOT
# (default /var/lib/stack); `./build/stack -f examples/stacks/demo/stack.yaml down -v` removes it all.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
# The same build type and directory as scripts/test.sh, but only what the demo runs: no test suite.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target stack stack-shim stack-dns

stack=./build/stack
file=examples/stacks/demo/stack.yaml
image_dir=$(mktemp -d)
trap 'rm -rf "$image_dir"' EXIT
./scripts/make-test-image.sh "$image_dir/busybox.tar" >/dev/null
"$stack" image load -i "$image_dir/busybox.tar"

"$stack" -f "$file" up -d --wait --wait-timeout 60
echo
"$stack" -f "$file" ps
echo
echo "\$ curl http://127.0.0.1:8080/"
curl -fsS --retry 5 --retry-connrefused --retry-delay 1 http://127.0.0.1:8080/
echo
echo "The demo runs. Follow it with: $stack -f $file logs -f"
echo "Remove it (containers, network, volume) with: $stack -f $file down -v"
