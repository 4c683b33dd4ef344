#include "net/proxy/port_proxy.hpp"

#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <exception>

#include "net/proxy/tcp_forwarder.hpp"
#include "net/proxy/udp_forwarder.hpp"

namespace stack::net::proxy {

// The io_context is declared first so that it is destroyed last: the forwarders' sockets need it.
struct PortProxy::Impl {
  asio::io_context io{1};
  std::vector<Forward> forwards;
  std::vector<std::unique_ptr<detail::TcpForwarder>> tcp;
  std::vector<std::unique_ptr<detail::UdpForwarder>> udp;
};

PortProxy::PortProxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PortProxy::~PortProxy() = default;

util::Result<std::unique_ptr<PortProxy>> PortProxy::bind(const std::vector<Forward>& forwards,
                                                         ProxyLimits limits) {
  STACK_ASSIGN_OR_RETURN(std::vector<BoundPort> ports, bind_ports(forwards));
  return adopt(std::move(ports), limits);
}

util::Result<std::unique_ptr<PortProxy>> PortProxy::adopt(std::vector<BoundPort> ports,
                                                          ProxyLimits limits) {
  auto impl = std::make_unique<Impl>();
  for (BoundPort& port : ports) {
    impl->forwards.push_back(port.forward);
    if (port.forward.protocol == Protocol::tcp) {
      auto& f = impl->tcp.emplace_back(
          std::make_unique<detail::TcpForwarder>(impl->io, std::move(port), limits));
      STACK_TRY(f->start());
    } else {
      auto& f = impl->udp.emplace_back(
          std::make_unique<detail::UdpForwarder>(impl->io, std::move(port), limits));
      STACK_TRY(f->start());
    }
  }
  return std::unique_ptr<PortProxy>(new PortProxy(std::move(impl)));
}

const std::vector<Forward>& PortProxy::forwards() const { return impl_->forwards; }

util::Result<void> PortProxy::run(int stop_fd) {
  asio::posix::stream_descriptor stop_watch(impl_->io);
  if (stop_fd >= 0) {
    const int copy = ::dup(stop_fd);
    if (copy < 0) return util::Error::from_errno("dup of the proxy's stop descriptor");
    std::error_code ec;
    stop_watch.assign(copy, ec);
    if (ec) {
      ::close(copy);
      return util::fail(util::Errc::io, "watching the proxy's stop descriptor: " + ec.message());
    }
    stop_watch.async_wait(asio::posix::stream_descriptor::wait_read,
                          [this](const std::error_code&) { impl_->io.stop(); });
  }
  try {
    impl_->io.run();
  } catch (const std::exception& e) {  // only allocation failures can escape asio's ec overloads
    return util::fail(util::Errc::internal, std::string("port proxy: ") + e.what());
  }
  return util::ok();
}

void PortProxy::stop() { impl_->io.stop(); }

}  // namespace stack::net::proxy
