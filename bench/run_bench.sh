#!/bin/bash
# `stack run --rm` of /bin/true against crun running the same busybox /bin/true, timed by farm-bench
# (A and B in turn, medians, the A/B ratio pair by pair). Root. crun is not installed: Debian's
# package is downloaded and unpacked into the work directory for the baseline only.
# Two rows: a service with `network_mode: none` (crun's bundle also gets a new, empty network
# namespace), and one on the project's default bridge network (stack adds the namespace file,
# an address, a veth and the etc files; crun has no network at all).
# crun 1.8 refuses a cgroup v1 hybrid host ("cgroups in hybrid mode not supported"), even with
# its cgroup manager disabled. On such a host it runs in a private mount namespace where the
# cgroup2 mount (holding only hugetlb) is unmounted, so that it sees plain v1 and makes its cgroup,
# /stack/runbench-crun, as stack makes its own; the host's mounts are untouched. The wrapper's own
# cost (unshare, umount, exec) is timed as a third row, to be subtracted from crun's.
# Usage: bench/run_bench.sh [build dir] [runs]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-20}
stack=$build/stack
work=$(mktemp -d /tmp/stack-runbench-XXXXXX)
root=$work/root
trap 'STACK_ROOT=$root "$stack" -p runbench -f "$work/stack.yaml" down -t 0 >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

(cd "$work" && apt-get download crun libyajl2 >/dev/null 2>&1) || { echo "run_bench: apt-get download crun failed" >&2; exit 1; }
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/crun-pkg"; done
# crun with its library from the package, through a wrapper: stack's environment stays as it is.
printf '#!/bin/sh\nLD_LIBRARY_PATH=%s exec %s "$@"\n' "$work/crun-pkg/usr/lib/x86_64-linux-gnu" \
  "$work/crun-pkg/usr/bin/crun" > "$work/crun"
chmod +x "$work/crun"
crun=$work/crun
baseline="$crun --root $work/crun-state run -b $work/bundle runbench"
wrapper=/bin/true
if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] && mountpoint -q /sys/fs/cgroup/unified; then
  hide='umount /sys/fs/cgroup/unified && exec'
  baseline="unshare -m --propagation private sh -c '$hide $baseline'"
  wrapper="unshare -m --propagation private sh -c '$hide /bin/true'"
fi

"$here/scripts/make-test-image.sh" "$work/busybox.tar" >/dev/null 2>&1
STACK_ROOT=$root "$stack" image load -i "$work/busybox.tar" >/dev/null
cat > "$work/stack.yaml" <<'YAML'
services:
  none:
    image: busybox
    network_mode: none
  bridge:
    image: busybox
networks:
  default:
    ipam:
      config:
        - subnet: 10.231.121.0/24
YAML

# crun's bundle: the same busybox, as a plain directory (crun mounts no overlay).
mkdir -p "$work/bundle/rootfs/bin" "$work/bundle/rootfs/proc" "$work/bundle/rootfs/dev" "$work/bundle/rootfs/sys"
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
ln -s busybox "$work/bundle/rootfs/bin/true"
(cd "$work/bundle" && "$crun" spec)
python3 - "$work/bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
c["linux"]["cgroupsPath"] = "/stack/runbench-crun"
json.dump(c, open(p, "w"))
PY

export STACK_ROOT=$root
echo "== network_mode: none (both: a new empty network namespace)"
farm-bench -n "$runs" --vs "$baseline" -- "$stack" -p runbench -f "$work/stack.yaml" run --rm none /bin/true
echo "== the default bridge network (stack: namespace, address, veth, etc files; crun: none)"
farm-bench -n "$runs" --vs "$baseline" -- "$stack" -p runbench -f "$work/stack.yaml" run --rm bridge /bin/true
echo "== the baseline's wrapper alone (to subtract from crun's figures)"
farm-bench -n "$runs" -- sh -c "$wrapper"
