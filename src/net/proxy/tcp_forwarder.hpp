// One published TCP port: accepts, connects each client to the target, copies both ways.
// Internal to the proxy (asio types); see port_proxy.hpp for the behaviour.
#pragma once

#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "net/proxy/listeners.hpp"
#include "net/proxy/port_proxy.hpp"

namespace stack::net::proxy::detail {

class TcpForwarder {
 public:
  TcpForwarder(asio::io_context& io, BoundPort port, const ProxyLimits& limits);
  // Starts accepting; false with error if the socket could not be adopted.
  util::Result<void> start();

 private:
  void accept();

  asio::io_context& io_;
  BoundPort port_;
  ProxyLimits limits_;
  asio::ip::tcp::acceptor acceptor_;
  asio::ip::tcp::endpoint target_;
  asio::steady_timer backoff_;  // after accept errors such as EMFILE, instead of spinning
};

}  // namespace stack::net::proxy::detail
