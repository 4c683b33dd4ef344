#include "scheduler/host_ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "util/fd.hpp"

namespace stack::scheduler {

using util::Errc;
using util::Error;
using util::Result;

namespace {

// Binds and returns the bound port; 0 if in use.
Result<uint16_t> try_bind(const std::string& host_ip, uint16_t port, const std::string& protocol) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (::inet_pton(AF_INET, host_ip.c_str(), &addr.sin_addr) != 1) {
    return Error(Errc::invalid_argument, "host ip '" + host_ip + "' is not an IPv4 address");
  }
  util::UniqueFd fd(::socket(AF_INET, (protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
  if (!fd) return Error::from_errno("socket");
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  addr.sin_port = htons(port);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == EADDRINUSE || errno == EACCES) return uint16_t{0};
    if (errno == EADDRNOTAVAIL) return Error(Errc::invalid_argument, "host ip " + host_ip + " is not an address of this host");
    return Error::from_errno("bind " + host_ip + ":" + std::to_string(port));
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

Error in_use(const std::string& host_ip, const std::string& ports, const std::string& protocol) {
  return Error(Errc::conflict, "port " + host_ip + ":" + ports + "/" + protocol + " is already in use");
}

}  // namespace

Result<uint16_t> pick_host_port(const spec::Port& port, const std::string& host_ip) {
  uint16_t first = port.published_min;
  uint16_t last = port.published_max < first ? first : port.published_max;
  for (uint32_t p = first; p <= last; ++p) {
    STACK_ASSIGN_OR_RETURN(uint16_t bound, try_bind(host_ip, static_cast<uint16_t>(p), port.protocol));
    if (bound != 0) return bound;
  }
  return in_use(host_ip, std::to_string(first) + (last != first ? "-" + std::to_string(last) : ""), port.protocol);
}

Result<void> check_port_free(const std::string& host_ip, uint16_t port, const std::string& protocol) {
  STACK_ASSIGN_OR_RETURN(uint16_t bound, try_bind(host_ip, port, protocol));
  if (bound == 0) return in_use(host_ip, std::to_string(port), protocol);
  return util::ok();
}

}  // namespace stack::scheduler
