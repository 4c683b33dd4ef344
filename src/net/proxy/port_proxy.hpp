// PortProxy: the userland proxy for published ports, as docker-proxy. TCP: accept on the host side,
// connect to the target, copy both ways through bounded buffers, pass a half-close on (shutdown of
// the write side) and close both once both directions ended. UDP: one session (a connected socket
// to the target) per client address, replies sent back from the host port, dropped after an idle
// timeout. One thread runs everything (asio, standalone); asio stays out of this header.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "net/proxy/forward.hpp"
#include "net/proxy/listeners.hpp"
#include "util/result.hpp"

namespace stack::net::proxy {

struct ProxyLimits {
  std::size_t tcp_buffer = 64 * 1024;   // per direction and connection
  std::chrono::milliseconds udp_idle_timeout = std::chrono::seconds(90);  // docker-proxy's
  std::size_t udp_max_sessions = 1024;  // per forward; the oldest idle session gives way
};

class PortProxy {
 public:
  // Binds every forward (bind_ports) and prepares to serve them.
  static util::Result<std::unique_ptr<PortProxy>> bind(const std::vector<Forward>& forwards,
                                                       ProxyLimits limits = {});
  // Serves sockets bound earlier (possibly by the parent of a forked child).
  static util::Result<std::unique_ptr<PortProxy>> adopt(std::vector<BoundPort> ports,
                                                        ProxyLimits limits = {});
  ~PortProxy();
  PortProxy(const PortProxy&) = delete;
  PortProxy& operator=(const PortProxy&) = delete;

  // The forwards with their bound host ports.
  const std::vector<Forward>& forwards() const;

  // Serves until stop() is called or stop_fd (borrowed; -1 for none) becomes readable.
  util::Result<void> run(int stop_fd = -1);
  // Makes run() return; safe from any thread.
  void stop();

 private:
  struct Impl;
  explicit PortProxy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace stack::net::proxy
