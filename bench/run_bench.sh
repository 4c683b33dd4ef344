#!/bin/bash
# `stack run --rm` of /bin/true against crun running the same busybox /bin/true, A and B in turn
# (bench/lib.sh ab_time: medians and the median of the pairwise A/B ratios). Root. crun is not
# installed: Debian's package is downloaded (apt-get download) and unpacked into the work
# directory for the baseline only.
# Three rows: `exec` of /bin/true in a running container against `crun exec`; and `run --rm` of a
# service with `network_mode: none` (crun's bundle also gets a new, empty network
# namespace), and one on the project's default bridge network (stack adds the namespace file,
# an address, a veth and the etc files; crun has no network at all).
# crun 1.8 refuses a cgroup v1 hybrid host ("cgroups in hybrid mode not supported"), even with
# its cgroup manager disabled. On such a host it runs in a private mount namespace where the
# cgroup2 mount (holding only hugetlb) is unmounted, so that it sees plain v1 and makes its cgroup,
# /stack/bench-crun, as stack makes its own; the host's mounts are untouched. The wrapper's own
# cost (unshare, umount, exec) is timed on its own and subtracted from crun's.
# Usage: bench/run_bench.sh [build dir] [runs]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
build=${1:-$here/build}
runs=${2:-20}
stack=$build/stack
bench_project benchrun

(cd "$work" && apt-get download crun libyajl2 >/dev/null 2>&1) || { echo "run_bench: apt-get download crun failed" >&2; exit 1; }
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/crun-pkg"; done
crun_bin=$work/crun-pkg/usr/bin/crun
crun_lib=$work/crun-pkg/usr/lib/x86_64-linux-gnu
hybrid=0
if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] && mountpoint -q /sys/fs/cgroup/unified; then hybrid=1; fi
# crun with its library from the package: stack's environment stays as it is.
crun_cmd() {
  if [ "$hybrid" = 1 ]; then
    LD_LIBRARY_PATH=$crun_lib unshare -m --propagation private sh -c \
      "umount /sys/fs/cgroup/unified && exec $crun_bin --root $work/crun-state $*"
  else
    LD_LIBRARY_PATH=$crun_lib "$crun_bin" --root "$work/crun-state" "$@"
  fi
}
crun_run() { crun_cmd run -b "$work/bundle" bench-crun; }
wrapper() {
  if [ "$hybrid" = 1 ]; then unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified && exec /bin/true'
  else /bin/true; fi
}

cat > "$work/stack.yaml" <<'YAML'
services:
  none:
    image: busybox
    network_mode: none
  bridge:
    image: busybox
  long:
    image: busybox
    network_mode: none
    command: ["sleep", "600"]
networks:
  default:
    internal: true
    ipam:
      config:
        - subnet: 10.231.161.0/24
YAML

# crun's bundle: the same busybox, as a plain directory (crun mounts no overlay).
mkdir -p "$work/bundle/rootfs/bin" "$work/bundle/rootfs/proc" "$work/bundle/rootfs/dev" "$work/bundle/rootfs/sys"
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
ln -s busybox "$work/bundle/rootfs/bin/true"
(cd "$work/bundle" && LD_LIBRARY_PATH=$crun_lib "$crun_bin" spec)
python3 - "$work/bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
c["linux"]["cgroupsPath"] = "/stack/bench-crun"
json.dump(c, open(p, "w"))
PY

# exec: /bin/true in a running container, `stack exec` against `crun exec` (its own process joins
# the container's namespaces and cgroups in both).
cp -a "$work/bundle" "$work/bundle-long"
python3 - "$work/bundle-long/config.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["process"]["args"] = ["/bin/busybox", "sleep", "600"]
c["linux"]["cgroupsPath"] = "/stack/bench-crun-long"
json.dump(c, open(p, "w"))
PY
trap 'crun_cmd delete -f bench-crun-long >/dev/null 2>&1; s down -t 0 >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
crun_cmd run -d -b "$work/bundle-long" bench-crun-long </dev/null >/dev/null 2>&1 || { echo "run_bench: crun run -d failed" >&2; exit 1; }
s up -d long >/dev/null 2>&1 || { echo "run_bench: stack up -d failed" >&2; exit 1; }
exec_stack() { s exec -T long /bin/true; }
exec_crun() { crun_cmd exec bench-crun-long /bin/true; }

run_none() { s run --rm none /bin/true; }
run_bridge() { s run --rm bridge /bin/true; }
# Once each with their errors shown: a failing command must not be timed as a fast one.
for check in run_none run_bridge crun_run exec_stack exec_crun; do
  out=$("$check" 2>&1) || { echo "$out" >&2; echo "run_bench: $check failed" >&2; exit 1; }
done
read -r none crun1 none_r <<<"$(ab_time "$runs" 2 run_none crun_run)"
read -r bridge crun2 bridge_r <<<"$(ab_time "$runs" 2 run_bridge crun_run)"
read -r wrap _ _ <<<"$(ab_time "$runs" 1 wrapper wrapper)"
read -r sexec cexec exec_r <<<"$(ab_time "$runs" 2 exec_stack exec_crun)"
# crun's figure is from the rows' first pairing only: after stack's bridge runs (veths and network
# namespaces made and removed) the kernel's RCU work slows crun's cgroup.procs write, whose first
# use waits for a grace period (20 ms against 11-17 ms measured), which would flatter stack.
crun=$(awk -v a="$crun1" -v w="$wrap" 'BEGIN { printf "%.1f\n", a - w }')
echo "crun run /bin/true: $crun ms (median $crun1 ms, less the wrapper's $wrap ms; $crun2 ms beside the bridge runs), $runs runs each"
echo "stack run --rm, network_mode none: $none ms, $(ratio "$none" "$crun")x crun (pairwise against crun with its wrapper: $none_r)"
echo "stack run --rm, bridge network:    $bridge ms, $(ratio "$bridge" "$crun")x crun (pairwise against crun with its wrapper: $bridge_r)"
cexec_net=$(awk -v a="$cexec" -v w="$wrap" 'BEGIN { printf "%.1f\n", a - w }')
echo "stack exec -T /bin/true: $sexec ms, crun exec: $cexec_net ms (less the wrapper), $(ratio "$sexec" "$cexec_net")x crun (pairwise against crun with its wrapper: $exec_r)"
emit start "run --rm /bin/true, network none" "$none" ms "crun run" "$crun" "$(ratio "$none" "$crun")"
emit start "run --rm /bin/true, bridge network" "$bridge" ms "crun run" "$crun" "$(ratio "$bridge" "$crun")"
emit start "exec /bin/true in a running container" "$sexec" ms "crun exec" "$cexec_net" "$(ratio "$sexec" "$cexec_net")"
