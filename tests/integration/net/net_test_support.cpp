#include "net_test_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <functional>

#include "net/host.hpp"
#include "net/naming.hpp"

namespace stack::net::testing {

using util::Result;

namespace {

// Children are killed by alarm() if the test network misbehaves, so a test fails, never hangs.
constexpr unsigned kChildTimeoutSeconds = 20;

sockaddr_in to_sockaddr(Ipv4 address, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(address.value);
  return sa;
}

}  // namespace

Result<util::ChildProcess> spawn_in_netns(int netns_fd, const std::function<bool()>& body,
                                          unsigned timeout_seconds) {
  const pid_t pid = ::fork();
  if (pid < 0) return util::Error::from_errno("fork");
  if (pid == 0) {
    ::alarm(timeout_seconds);
    if (::setns(netns_fd, CLONE_NEWNET) != 0) ::_exit(100);
    ::_exit(body() ? 0 : 1);
  }
  return util::ChildProcess(pid);
}

namespace {

bool serve_once(Ipv4 address, uint16_t port, int ready_fd) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in sa = to_sockaddr(address, port);
  if (listener < 0 || ::bind(listener, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 ||
      ::listen(listener, 1) != 0)
    return false;
  if (::write(ready_fd, "r", 1) != 1) return false;
  const int conn = ::accept(listener, nullptr, nullptr);
  char buf[4] = {};
  if (conn < 0 || ::recv(conn, buf, sizeof buf, MSG_WAITALL) != 4) return false;
  return std::memcmp(buf, "ping", 4) == 0 && ::send(conn, "pong", 4, 0) == 4;
}

bool ping_once(Ipv4 address, uint16_t port) {
  const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in sa = to_sockaddr(address, port);
  if (sock < 0 || ::connect(sock, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0)
    return false;
  char buf[4] = {};
  return ::send(sock, "ping", 4, 0) == 4 && ::recv(sock, buf, sizeof buf, MSG_WAITALL) == 4 &&
         std::memcmp(buf, "pong", 4) == 0;
}

}  // namespace

Result<NetnsHolder> NetnsHolder::spawn() {
  STACK_ASSIGN_OR_RETURN(util::Pipe ready, util::Pipe::make());
  STACK_ASSIGN_OR_RETURN(util::Pipe hold, util::Pipe::make());
  const pid_t pid = ::fork();
  if (pid < 0) return util::Error::from_errno("fork");
  if (pid == 0) {
    hold.write.reset();
    if (::unshare(CLONE_NEWNET) != 0) ::_exit(1);
    if (::write(ready.write.get(), "r", 1) != 1) ::_exit(1);
    char byte;
    while (::read(hold.read.get(), &byte, 1) > 0) {
    }
    ::_exit(0);
  }
  NetnsHolder holder;
  holder.child_ = util::ChildProcess(pid);
  holder.hold_ = std::move(hold.write);
  ready.write.reset();
  char byte;
  STACK_ASSIGN_OR_RETURN(bool got, util::read_exact(ready.read.get(), &byte, 1));
  if (!got) return util::fail(util::Errc::internal, "netns holder failed to unshare");
  return holder;
}

void NetnsHolder::release() {
  hold_.reset();
  if (child_.valid() && !child_.reaped()) (void)child_.wait();
}

Result<Subnet> pick_test_subnet(const std::string& tag) {
  STACK_ASSIGN_OR_RETURN(std::vector<Subnet> used, host_used_subnets());
  const uint32_t start = static_cast<uint32_t>(std::stoul(sha256_hex(tag, 6), nullptr, 16));
  for (uint32_t k = 0; k < 256; ++k) {
    const uint32_t third = (start + k) % 256;
    const Subnet candidate{Ipv4{(10u << 24) | (234u << 16) | (third << 8)}, 24};
    bool clash = false;
    for (const Subnet& u : used) clash = clash || (u.prefix > 0 && u.overlaps(candidate));
    if (!clash) return candidate;
  }
  return util::fail(util::Errc::conflict, "no free test subnet in 10.234.0.0/16");
}

int run(const std::string& command) { return std::system(command.c_str()); }

Result<util::ChildProcess> spawn_tcp_server(int netns_fd, Ipv4 address, uint16_t port,
                                            int ready_fd) {
  return spawn_in_netns(netns_fd, [=] { return serve_once(address, port, ready_fd); }, kChildTimeoutSeconds);
}

Result<util::ChildProcess> spawn_tcp_client(int netns_fd, Ipv4 address, uint16_t port) {
  return spawn_in_netns(netns_fd, [=] { return ping_once(address, port); }, kChildTimeoutSeconds);
}

}  // namespace stack::net::testing
