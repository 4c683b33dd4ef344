#!/usr/bin/env bash
# Build benchmark (docs/build.md): on the busybox test image, in a fresh state root,
#   cached: a fully cached rebuild of a 10-step Dockerfile (target: under 100 ms);
#   copy:   a COPY-only image of a 50 MiB context (random data, so gzip cannot shrink it), rebuilt
#           with --no-cache (the file unchanged: the layer's digest remembered, the step run) and
#           after an edit of the file (a new layer, its blob synced); against "disk speed", a cp
#           of the file and its fsync in the same run;
#   run:    one `RUN true` step with --no-cache, against the same build without the RUN step.
# Median of N runs (default 5). Needs root (RUN steps are containers).
#   bench/build_bench.sh [build dir] [runs]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-5}
stack=$build/stack
work=$(mktemp -d /tmp/stack-build-bench-XXXXXX)
# The first build of the 10-step Dockerfile runs its RUN steps on the build network: on the
# benches' range (10.231.165.0/24, build), without masquerading, so ip_forward is never touched.
export STACK_BUILD_POOL=10.231.165.0/24 STACK_IP_MASQ=false
trap 'rm -rf "$work"' EXIT

"$here/scripts/make-test-image.sh" "$work/busybox.tar" >/dev/null
root=$work/root
"$stack" --root "$root" image load -i "$work/busybox.tar" -q >/dev/null

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

mkdir -p "$work/ten" "$work/copy" "$work/run" "$work/norun"
printf 'x\n' > "$work/ten/a.txt"
cat > "$work/ten/Dockerfile" <<'DF'
FROM busybox
ARG V=1
ENV A=1
WORKDIR /app
COPY a.txt .
RUN echo one > /one
RUN echo two > /two
LABEL k=v
EXPOSE 80
CMD ["sh"]
DF
"$stack" --root "$root" image build -t bench-ten "$work/ten" >/dev/null 2>&1
cached=$(for _ in $(seq "$runs"); do ms "$stack" --root "$root" image build -t bench-ten "$work/ten"; done | median)

head -c $((50 << 20)) /dev/urandom > "$work/copy/data.bin"
printf 'FROM busybox\nCOPY data.bin /data.bin\n' > "$work/copy/Dockerfile"
# Each run's new 50 MiB layer is removed after it, so that the next one writes into memory used
# before, as on a machine that has run a while: on this VM a page of memory never touched before
# costs a fault in the host, and keeping every layer doubled the figure (150 instead of 70 ms).
edited=$(for _ in $(seq "$runs"); do
  head -c 8 /dev/urandom | dd of="$work/copy/data.bin" conv=notrunc status=none
  sync
  ms "$stack" --root "$root" image build --no-cache -t bench-copy "$work/copy"
  "$stack" --root "$root" image rm bench-copy >/dev/null 2>&1
  "$stack" --root "$root" image prune -f >/dev/null 2>&1
done | median)
# A layer's digest is remembered once its sources' ctimes are 2 s old (src/build/layer_memo.hpp).
sleep 2.1
"$stack" --root "$root" image build --no-cache -t bench-copy "$work/copy" >/dev/null 2>&1
copy=$(for _ in $(seq "$runs"); do ms "$stack" --root "$root" image build --no-cache -t bench-copy "$work/copy"; done | median)
disk=$(for _ in $(seq "$runs"); do
  rm -f "$work/disk.bin"
  ms sh -c 'cp "$1" "$2" && sync "$2"' sh "$work/copy/data.bin" "$work/disk.bin"
done | median)

printf 'FROM busybox\nRUN true\n' > "$work/run/Dockerfile"
printf 'FROM busybox\nENV X=1\n' > "$work/norun/Dockerfile"
run=$(for _ in $(seq "$runs"); do ms "$stack" --root "$root" image build --no-cache --network none -t bench-run "$work/run"; done | median)
norun=$(for _ in $(seq "$runs"); do ms "$stack" --root "$root" image build --no-cache -t bench-norun "$work/norun"; done | median)

echo "cached rebuild, 10 steps:      ${cached} ms"
echo "COPY of a 50 MiB context:      ${copy} ms (after an edit of the file: ${edited} ms; cp + fsync: ${disk} ms)"
echo "build with one RUN true:       ${run} ms (without the RUN: ${norun} ms; the RUN step: $((run - norun)) ms)"
