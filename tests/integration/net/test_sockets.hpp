// Plain blocking sockets for the tests of the proxy and the DNS server (no asio in tests: they
// exercise the real thing from the outside). Every socket has a receive timeout so that a broken
// server fails a test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>

#include "net/ip.hpp"
#include "util/fd.hpp"

namespace stack::net::testing {

inline sockaddr_in socket_address(Ipv4 address, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(address.value);
  return sa;
}

inline void set_receive_timeout(int fd, int seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

// A socket of type (SOCK_STREAM, SOCK_DGRAM) connected to address:port, or an invalid one.
inline util::UniqueFd connect_socket(int type, Ipv4 address, uint16_t port, int timeout_seconds) {
  util::UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  const sockaddr_in sa = socket_address(address, port);
  if (!fd || ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) return {};
  set_receive_timeout(fd.get(), timeout_seconds);
  return fd;
}

inline util::UniqueFd connect_tcp(Ipv4 address, uint16_t port, int timeout_seconds = 10) {
  return connect_socket(SOCK_STREAM, address, port, timeout_seconds);
}

inline util::UniqueFd connect_udp(Ipv4 address, uint16_t port, int timeout_seconds = 5) {
  return connect_socket(SOCK_DGRAM, address, port, timeout_seconds);
}

// A socket of type connected to [::1]:port, or an invalid one.
inline util::UniqueFd connect_ipv6_loopback(int type, uint16_t port, int timeout_seconds = 5) {
  util::UniqueFd fd(::socket(AF_INET6, type | SOCK_CLOEXEC, 0));
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(port);
  sa.sin6_addr = in6addr_loopback;
  if (!fd || ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) return {};
  set_receive_timeout(fd.get(), timeout_seconds);
  return fd;
}

inline bool send_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Reads until end of file (or a timeout / error, which ends what is returned early).
inline std::string read_until_eof(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

// Reads exactly n bytes, or fewer on timeout / end of file.
inline std::string read_n(int fd, std::size_t n) {
  std::string out(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::recv(fd, out.data() + got, n - got, 0);
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  out.resize(got);
  return out;
}

// A listening TCP socket on address:port (0: any free port); the bound port in *port.
inline util::UniqueFd listen_tcp(Ipv4 address, uint16_t* port) {
  util::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa = socket_address(address, *port);
  socklen_t len = sizeof sa;
  if (!fd || ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 ||
      ::listen(fd.get(), 512) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    return {};
  *port = ntohs(sa.sin_port);
  return fd;
}

}  // namespace stack::net::testing
