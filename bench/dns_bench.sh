#!/bin/bash
# DNS benchmark (root): brings up project `benchdns` (one sleeping service `web` on an internal
# network, 10.231.162.0/24, that never forwards) and runs bench/dns_bench.cpp against the network's
# DNS server on its gateway: queries/s with 32 in flight and p99 latency one query at a time, each
# against a trivial UDP echo responder on the same address (the ratio: server / echo). Every query
# asks for `web`, which the server answers itself: no query leaves the bridge.
# Usage: bench/dns_bench.sh [build dir] [runs] [seconds per load]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
build=${1:-$here/build}
runs=${2:-5}
seconds=${3:-2}
stack=$build/stack
client=$build/bench/dns_bench
[ -x "$client" ] || { echo "dns_bench: $client is missing (cmake --build $build --target dns_bench)" >&2; exit 1; }
bench_project benchdns
cat > "$work/stack.yaml" <<'YAML'
services:
  web:
    image: busybox
    command: ["sleep", "600"]
    init: true
networks:
  default:
    internal: true
    ipam:
      config:
        - subnet: 10.231.162.0/24
          gateway: 10.231.162.1
YAML
s up -d >/dev/null
# The server starts beside the network; wait until it answers (at most 5 s).
for _ in $(seq 50); do "$client" 10.231.162.1 web 0.05 1 1 >/dev/null 2>&1 && break; sleep 0.1; done
out=$("$client" 10.231.162.1 web "$seconds" "$runs" 32) || { echo "$out" >&2; echo "dns_bench: the server answered wrongly" >&2; exit 1; }
echo "$out" | grep -v '^result'
r=$(echo "$out" | sed -n 's/^result //p')
val() { echo "$r" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
emit dns "queries/s, 32 in flight" "$(val qps)" "q/s" "UDP echo on the gateway" "$(val base_qps)" "$(ratio "$(val qps)" "$(val base_qps)")"
emit dns "p99 latency, one at a time" "$(val p99_us)" "us" "UDP echo on the gateway" "$(val base_p99_us)" "$(ratio "$(val p99_us)" "$(val base_p99_us)")"
