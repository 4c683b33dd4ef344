// Port proxy benchmark (root): throughput (MiB/s) and connections per second through
// net::proxy::PortProxy on 127.0.0.1, against a direct connection to the same TCP echo server in
// a namespace the bench makes behind a bridge of its own on SUBNET (a /24 that the caller checked
// is free; bench/run.sh uses one inside the benches' 10.231.160.0/24-10.231.199.0/24). Median of
// RUNS runs each, printed with the proxied/direct ratios. Traffic goes only to loopback and to that
// namespace.
//   proxy_bench [MiB per throughput run = 256] [connections per run = 1000] [runs = 5]
//               [subnet = 10.231.164.0/24]
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "integration/net/net_test_support.hpp"
#include "integration/net/peer_servers.hpp"
#include "net/naming.hpp"
#include "net/netns.hpp"
#include "net/network.hpp"
#include "net/proxy/port_proxy.hpp"

using namespace stack;
using Clock = std::chrono::steady_clock;

namespace {

int g_runs = 5;
constexpr uint16_t kEchoPort = 17100;
const util::Ipv4 kLoopback{0x7F000001};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// MiB/s of one connection carrying mib MiB to the echo server and back (both ways at once).
double throughput(util::Ipv4 address, uint16_t port, std::size_t mib) {
  auto fd = net::testing::connect_tcp(address, port, 30);
  if (!fd) return 0;
  const std::string chunk(1 << 20, 'x');
  const auto start = Clock::now();
  std::thread writer([&] {
    for (std::size_t i = 0; i < mib; ++i) {
      if (!net::testing::send_all(fd.get(), chunk)) break;
    }
    ::shutdown(fd.get(), SHUT_WR);
  });
  std::size_t got = net::testing::read_until_eof(fd.get()).size();
  writer.join();
  const double t = seconds_since(start);
  return got >= mib << 20 ? static_cast<double>(mib) / t : 0;
}

// The time of one connection: connect, one byte there and back, close; 0 on failure.
double connection_seconds(util::Ipv4 address, uint16_t port) {
  const auto start = Clock::now();
  auto fd = net::testing::connect_tcp(address, port, 10);
  char byte = 0;
  if (!fd || !net::testing::send_all(fd.get(), "x") || ::recv(fd.get(), &byte, 1, 0) != 1) return 0;
  fd.reset();
  return seconds_since(start);
}

// Connections per second, direct and proxied: count connections each, one after the other, the two
// paths in turn connection by connection (so that the machine's load hits both alike). The rate is
// 1 / the median connection's time: on a loaded machine a few connections stall for a scheduler
// tick, and those stalls, not the path, would set count / total.
std::pair<double, double> connections_per_second(util::Ipv4 direct, uint16_t direct_port, util::Ipv4 proxied,
                                                 uint16_t proxied_port, int count) {
  std::vector<double> d, p;
  for (int i = 0; i < count; ++i) {
    d.push_back(connection_seconds(direct, direct_port));
    p.push_back(connection_seconds(proxied, proxied_port));
    if (d.back() == 0 || p.back() == 0) return {0, 0};
  }
  return {1.0 / median(d), 1.0 / median(p)};
}

// Runs direct and proxied alternately (so that a change in the machine's load hits both alike) and
// returns the two medians.
std::pair<double, double> median_pair(const std::function<double()>& direct,
                                      const std::function<double()>& proxied) {
  std::vector<double> d, p;
  for (int i = 0; i < g_runs; ++i) {
    d.push_back(direct());
    p.push_back(proxied());
  }
  return {median(d), median(p)};
}

// CPU time (user + system) that a thread has used, in seconds.
double thread_cpu_seconds(std::thread& thread) {
  clockid_t clock;
  timespec ts{};
  if (::pthread_getcpuclockid(thread.native_handle(), &clock) != 0 || ::clock_gettime(clock, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int fail(const std::string& what) {
  std::fprintf(stderr, "proxy_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (::geteuid() != 0) return fail("run as root (it makes a bridge and a namespace)");
  const std::size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
  const int conns = argc > 2 ? std::atoi(argv[2]) : 1000;
  g_runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  auto subnet = util::Subnet::parse(argc > 4 ? argv[4] : "10.231.164.0/24");
  if (!subnet || subnet->prefix != 24) return fail("the subnet must be a /24 such as 10.231.164.0/24");
  const std::string network = "benchproxy-" + std::to_string(::getpid());
  const util::Ipv4 gateway = net::testing::host(*subnet, 1), peer = net::testing::host(*subnet, 2);
  auto impl = net::make_netlink_network();
  const std::string bridge = net::bridge_name(network), veth = net::host_veth_name(network, network);
  int rc = 0;
  {
    auto holder = net::testing::NetnsHolder::spawn();
    if (!holder) return fail(holder.error().message());
    std::optional<util::ChildProcess> server;
    std::unique_ptr<net::proxy::PortProxy> proxy;
    std::thread runner;
    auto set_up = [&]() -> util::Result<void> {
      STACK_TRY(impl->ensure_bridge({network, bridge, {gateway, 24}, 0}));
      STACK_TRY(impl->attach_pid(holder->pid(), {.bridge = bridge, .host_veth = veth,
                                                 .address = {peer, 24}, .gateway = gateway}));
      STACK_ASSIGN_OR_RETURN(auto ns, net::Netns::of_pid(holder->pid()));
      STACK_ASSIGN_OR_RETURN(util::Pipe ready, util::Pipe::make());
      STACK_ASSIGN_OR_RETURN(server, net::testing::spawn_in_netns(ns.fd(), [&] {
        return net::testing::serve_tcp_echo(peer, kEchoPort, ready.write.get());
      }, 3600));
      ready.write.reset();
      char byte;
      STACK_TRY(util::read_exact(ready.read.get(), &byte, 1));
      STACK_ASSIGN_OR_RETURN(proxy, net::proxy::PortProxy::bind(
                                        {{net::proxy::Protocol::tcp, "127.0.0.1", 0, peer, kEchoPort}}));
      return util::ok();
    };
    if (auto ok = set_up(); !ok) {
      rc = fail(ok.error().message());
    } else {
      runner = std::thread([&] { (void)proxy->run(); });
      const uint16_t port = proxy->forwards()[0].host_port;
      // The proxy's own CPU time per unit of work: unlike the rates, it hardly depends on the
      // machine's load. Measured over all proxied runs (the direct runs do not touch the proxy).
      const double cpu_start = thread_cpu_seconds(runner);
      const auto [direct_mib, proxied_mib] =
          median_pair([&] { return throughput(peer, kEchoPort, mib); },
                      [&] { return throughput(kLoopback, port, mib); });
      const double cpu_after_bytes = thread_cpu_seconds(runner);
      std::vector<double> direct_rates, proxied_rates;
      for (int i = 0; i < g_runs; ++i) {
        const auto [d, p] = connections_per_second(peer, kEchoPort, kLoopback, port, conns);
        direct_rates.push_back(d);
        proxied_rates.push_back(p);
      }
      const double direct_cps = median(direct_rates), proxied_cps = median(proxied_rates);
      const double cpu_after_conns = thread_cpu_seconds(runner);
      std::printf("throughput (%zu MiB echoed, median of %d): direct %.0f MiB/s, proxied %.0f MiB/s, ratio %.2f\n",
                  mib, g_runs, direct_mib, proxied_mib, direct_mib > 0 ? proxied_mib / direct_mib : 0);
      std::printf("connections (%d sequential, 1 / median connection time, alternating, median of %d runs): direct %.0f/s, proxied %.0f/s, ratio %.2f\n",
                  conns, g_runs, direct_cps, proxied_cps, direct_cps > 0 ? proxied_cps / direct_cps : 0);
      // Echoed: every MiB crosses the proxy twice (there and back).
      std::printf("proxy CPU: %.2f ms per MiB carried, %.1f us per connection\n",
                  (cpu_after_bytes - cpu_start) * 1e3 / (2.0 * static_cast<double>(mib) * g_runs),
                  (cpu_after_conns - cpu_after_bytes) * 1e6 / (static_cast<double>(conns) * g_runs));
      // One line for bench/run.sh to read.
      std::printf("result direct_mib=%.1f proxied_mib=%.1f direct_cps=%.1f proxied_cps=%.1f\n",
                  direct_mib, proxied_mib, direct_cps, proxied_cps);
      proxy->stop();
      runner.join();
    }
    server.reset();
    holder->release();
  }
  (void)impl->detach(veth);
  (void)impl->remove_bridge(bridge);
  return rc;
}
