#!/usr/bin/env bash
# CTest kube_schema_validation: `stack kube generate` for every stack in examples/stacks/ and the
# kube test stacks, as single files and as kustomize directories, checked by validate.mjs against
# the Kubernetes API's schemas (npm kubernetes-models, pinned by package-lock.json, installed with
# `npm ci` into WORK_DIR on first use). Any failure to run, install or validate fails the test.
# Usage: validate.sh STACK_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail

stack=$1 src=$2 work=$3
here=$src/tests/unit/kube/schema

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "kube schema: '$tool' not found (scripts/install-deps.sh installs nodejs and npm)" >&2
    exit 1
  fi
done

mkdir -p "$work"
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" ||
   [ ! -d "$work/node_modules/kubernetes-models" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  if ! (cd "$work" && npm ci --no-audit --no-fund --loglevel=error); then
    rm -f "$work/package-lock.json"  # so that the next run tries again
    echo "kube schema: npm ci of kubernetes-models failed" >&2
    exit 1
  fi
fi
cp "$here/validate.mjs" "$work/validate.mjs"

out=$work/out
rm -rf "$out"
mkdir -p "$out"
targets=()

# generate NAME ARGS...: one file and one kustomize directory; the warnings are kept beside them.
generate() {
  local name=$1
  shift
  # webapp takes its password from the environment (${DB_PASSWORD:?}).
  if ! DB_PASSWORD=schema-test "$stack" "$@" kube generate --allow-hostpath \
      -o "$out/$name.yaml" 2>"$out/$name.warnings" ||
     ! DB_PASSWORD=schema-test "$stack" "$@" kube generate --allow-hostpath \
      --namespace schema-test --service-type NodePort -o "$out/$name/" 2>"$out/$name.dir.warnings"; then
    echo "kube schema: stack kube generate failed for $name:" >&2
    cat "$out/$name.warnings" "$out/$name.dir.warnings" >&2 2>/dev/null || true
    exit 1
  fi
  targets+=("$out/$name.yaml" "$out/$name")
}

count=0
for dir in "$src"/examples/stacks/*/; do
  name=$(basename "$dir")
  args=(-f "$dir/stack.yaml")
  [ -f "$dir/stack.override.yaml" ] && args+=(-f "$dir/stack.override.yaml")
  generate "example-$name" "${args[@]}"
  count=$((count + 1))
done
if [ "$count" -eq 0 ]; then
  echo "kube schema: no stacks under $src/examples/stacks" >&2
  exit 1
fi
for file in "$src"/tests/unit/kube/data/*/stack.yaml; do
  generate "test-$(basename "$(dirname "$file")")" -f "$file"
done

cd "$work"
# Self-check: a known-bad object must fail, with each of its three problems found.
if bad=$(node validate.mjs "$here/invalid.yaml" 2>&1); then
  echo "kube schema: the validator accepted invalid.yaml: it checks nothing" >&2
  exit 1
fi
for problem in "imagePullPolcy: unknown field" "containerPort must be integer" "env is empty"; do
  if ! grep -q "$problem" <<<"$bad"; then
    echo "kube schema: the validator missed '$problem' in invalid.yaml:" >&2
    echo "$bad" >&2
    exit 1
  fi
done
node validate.mjs "${targets[@]}"
