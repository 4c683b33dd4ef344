// One published UDP port: a session per client address (a socket connected to the target, so
// replies are matched by the kernel), replies sent back from the host port, idle sessions dropped.
// Internal to the proxy (asio types); see port_proxy.hpp for the behaviour.
#pragma once

#include <array>
#include <asio/ip/udp.hpp>
#include <asio/steady_timer.hpp>
#include <map>
#include <memory>

#include "net/proxy/listeners.hpp"
#include "net/proxy/port_proxy.hpp"

namespace stack::net::proxy::detail {

class UdpSession;

class UdpForwarder {
 public:
  UdpForwarder(asio::io_context& io, BoundPort port, const ProxyLimits& limits);
  ~UdpForwarder();
  util::Result<void> start();

  // A reply from the target for client, sent from the host port.
  void reply(const asio::ip::udp::endpoint& client, const char* data, std::size_t size);

 private:
  void receive();
  void sweep();
  std::shared_ptr<UdpSession> session_for(const asio::ip::udp::endpoint& client);
  void drop_oldest();

  asio::io_context& io_;
  BoundPort port_;
  ProxyLimits limits_;
  asio::ip::udp::socket listener_;
  asio::ip::udp::endpoint target_;
  asio::ip::udp::endpoint sender_;
  std::array<char, 65536> buffer_{};
  std::map<asio::ip::udp::endpoint, std::shared_ptr<UdpSession>> sessions_;
  asio::steady_timer sweeper_;
};

}  // namespace stack::net::proxy::detail
