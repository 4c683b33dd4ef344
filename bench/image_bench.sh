#!/usr/bin/env bash
# Image benchmark: time to load the busybox test image, and to pull it from a local registry
# (Debian's docker-registry on 127.0.0.1, started here and stopped by pid): cold (empty store) and
# re-pull (everything present: only the manifest is fetched). Median of N runs (default 5), each
# with a fresh state root. Needs docker-registry and skopeo (scripts/install-deps.sh); no root.
#   bench/image_bench.sh [build dir] [runs]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-5}
stack=$build/stack
work=$(mktemp -d)
registry_pid=
cleanup() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$here/scripts/make-test-image.sh" "$work/busybox.tar" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/storage
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do
  if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then break; fi
  sleep 0.1
done
ref=127.0.0.1:$port/bench/busybox:latest
skopeo --insecure-policy copy -q --dest-tls-verify=false "oci-archive:$work/busybox.tar" "docker://$ref"

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

load=() cold=() warm=() base=()
for i in $(seq "$runs"); do
  root=$work/root-$i
  t0=$(now); "$stack" --root "$root-base" images -q; t1=$(now)
  base+=("$(ms "$t0" "$t1")")
  t0=$(now); "$stack" --root "$root-load" image load -q -i "$work/busybox.tar"; t1=$(now)
  load+=("$(ms "$t0" "$t1")")
  t0=$(now); "$stack" --root "$root" image pull -q "$ref" >/dev/null; t1=$(now)
  cold+=("$(ms "$t0" "$t1")")
  t0=$(now); "$stack" --root "$root" image pull -q "$ref" >/dev/null; t1=$(now)
  warm+=("$(ms "$t0" "$t1")")
  rm -rf "$root" "$root-load" "$root-base"
done
size=$(stat -c %s "$work/busybox.tar")
echo "test image: $size bytes (OCI tarball), runs: $runs"
echo "baseline (stack images, empty store): median $(printf '%s\n' "${base[@]}" | median) ms  (${base[*]})"
echo "load:      median $(printf '%s\n' "${load[@]}" | median) ms  (${load[*]})"
echo "pull cold: median $(printf '%s\n' "${cold[@]}" | median) ms  (${cold[*]})"
echo "re-pull:   median $(printf '%s\n' "${warm[@]}" | median) ms  (${warm[*]})"
