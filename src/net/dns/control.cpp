#include "net/dns/control.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "net/dns/dns_server.hpp"
#include "net/dns/pid_file.hpp"
#include "util/detached.hpp"
#include "util/fd.hpp"

namespace stack::net::dns {
namespace {

using util::Errc;

constexpr int kReadyTimeoutMs = 10'000;
constexpr auto kTermGrace = std::chrono::seconds(5);

// The server's report on the ready pipe: "ok", an error line, or nothing if it died first.
util::Result<void> wait_ready(int fd, const std::string& network) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kReadyTimeoutMs);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return util::fail(Errc::timeout, "dns server for network '" + network + "' did not start in time");
    }
    STACK_ASSIGN_OR_RETURN(bool readable, util::wait_readable(fd, static_cast<int>(left.count())));
    if (!readable) continue;
    char buf[256];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return util::Error::from_errno("reading the dns server's ready pipe");
    if (n == 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  while (!line.empty() && line.back() == '\n') line.pop_back();
  if (line == "ok") return util::ok();
  if (line.empty()) line = "dns server for network '" + network + "' exited before it was ready";
  return util::fail(Errc::io, line);
}

bool is_server_of(pid_t pid, const std::string& network) {
  auto cmdline = util::read_file("/proc/" + std::to_string(pid) + "/cmdline");
  if (!cmdline) return false;
  const std::string nul(1, '\0');
  return cmdline->find(nul + "dns-server" + nul) != std::string::npos &&
         cmdline->find(nul + "--network" + nul + network + nul) != std::string::npos;
}

bool wait_released(const std::string& pid_file, std::chrono::steady_clock::duration limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!pid_file_holder(pid_file)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return !pid_file_holder(pid_file);
}

}  // namespace

util::Result<void> ensure_dns_server(const std::string& stack_binary, const std::string& root,
                                     const std::string& network, Ipv4 listen, bool forward,
                                     std::uint16_t port) {
  return ensure_dns_server(stack_binary, {.root = root, .network = network, .listen = listen,
                                          .port = port, .forward = forward});
}

util::Result<void> ensure_dns_server(const std::string& stack_binary, const DnsServerOptions& o) {
  const std::string pid_file = dns_pid_file(o.root, o.network);
  if (pid_file_holder(pid_file)) return util::ok();
  std::vector<std::string> argv = {util::helper_binary(stack_binary, "stack-dns"), "--root", o.root, "dns-server", "--network", o.network,
                                   "--listen", o.listen.str(), "--port", std::to_string(o.port),
                                   "--ready-fd", "3"};
  if (o.forward) argv.push_back("--forward");
  for (const Upstream& u : o.upstreams) {
    argv.push_back("--upstream");
    argv.push_back(format_upstream(u));
  }
  STACK_ASSIGN_OR_RETURN(util::Pipe ready, util::Pipe::make(O_CLOEXEC));
  STACK_TRY(util::spawn_detached(argv, ready.write.get()));
  ready.write.reset();
  auto started = wait_ready(ready.read.get(), o.network);
  // Two callers may race to start it: the loser's server finds the lock held; the winner's runs.
  if (!started && pid_file_holder(pid_file)) return util::ok();
  return started;
}

util::Result<bool> stop_dns_server(const std::string& root, const std::string& network) {
  const std::string pid_file = dns_pid_file(root, network);
  auto pid = pid_file_holder(pid_file);
  // A server that has just taken its lock writes its pid a moment later.
  for (int i = 0; i < 100 && pid && *pid == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    pid = pid_file_holder(pid_file);
  }
  if (!pid) {
    remove_stale_pid_file(pid_file);
    return false;
  }
  if (*pid <= 0 || !is_server_of(*pid, network)) {
    return util::fail(Errc::conflict, "'" + pid_file + "' is held by pid " + std::to_string(*pid) +
                                          ", which is not the dns server of '" + network + "'");
  }
  ::kill(*pid, SIGTERM);
  if (!wait_released(pid_file, kTermGrace)) {
    ::kill(*pid, SIGKILL);
    if (!wait_released(pid_file, kTermGrace)) {
      return util::fail(Errc::timeout, "dns server of '" + network + "' (pid " + std::to_string(*pid) +
                                           ") did not exit");
    }
  }
  remove_stale_pid_file(pid_file);
  return true;
}

bool dns_server_alive(const std::string& root, const std::string& network) {
  return pid_file_holder(dns_pid_file(root, network)).has_value();
}

}  // namespace stack::net::dns
