// Servers that run inside a test's network namespace (in a child from spawn_in_netns): a TCP echo
// server that answers "bye" after the client's half-close, and a UDP echo server. Both write one
// byte to ready_fd once they listen. Used by the proxy tests and bench/proxy_bench.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "test_sockets.hpp"

namespace stack::net::testing {

inline constexpr char kAfterHalfClose[] = "bye";

// Echoes each connection (a thread each) until the client's end of file, then sends "bye" and
// closes: a client that half-closes sees its bytes and "bye", which shows both that its FIN got
// through and that the other direction still works afterwards.
inline bool serve_tcp_echo(Ipv4 address, uint16_t port, int ready_fd) {
  uint16_t p = port;
  util::UniqueFd listener = listen_tcp(address, &p);
  if (!listener || ::write(ready_fd, "r", 1) != 1) return false;
  for (;;) {
    const int conn = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    std::thread([conn] {
      char buf[65536];
      for (;;) {
        const ssize_t n = ::recv(conn, buf, sizeof buf, 0);
        if (n <= 0) break;
        if (!send_all(conn, std::string(buf, static_cast<std::size_t>(n)))) break;
      }
      (void)send_all(conn, kAfterHalfClose);
      ::close(conn);
    }).detach();
  }
}

inline bool serve_udp_echo(Ipv4 address, uint16_t port, int ready_fd) {
  util::UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  const sockaddr_in sa = socket_address(address, port);
  if (!fd || ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) return false;
  if (::write(ready_fd, "r", 1) != 1) return false;
  char buf[65536];
  for (;;) {
    sockaddr_in from{};
    socklen_t len = sizeof from;
    const ssize_t n = ::recvfrom(fd.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) continue;
    ::sendto(fd.get(), buf, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), len);
  }
}

}  // namespace stack::net::testing
