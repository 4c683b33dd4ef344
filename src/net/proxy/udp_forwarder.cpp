#include "net/proxy/udp_forwarder.hpp"

#include <sys/socket.h>

#include <vector>

namespace stack::net::proxy::detail {

using asio::ip::udp;
using Clock = std::chrono::steady_clock;
using std::error_code;

// A client's association with the target. Holds a raw pointer to its forwarder, cleared by
// detach() when the forwarder drops it, so a late completion never touches a dead forwarder.
class UdpSession : public std::enable_shared_from_this<UdpSession> {
 public:
  UdpSession(asio::io_context& io, UdpForwarder* owner, udp::endpoint client)
      : socket_(io), owner_(owner), client_(std::move(client)), buffer_(65536) {}

  util::Result<void> open(const udp::endpoint& target) {
    error_code ec;
    socket_.connect(target, ec);  // opens the socket too
    if (ec) return util::fail(util::Errc::io, "connect to " + target.address().to_string() + ": " + ec.message());
    receive();
    return util::ok();
  }

  void send(const char* data, std::size_t size) {
    last_active_ = Clock::now();
    error_code ec;
    socket_.send(asio::buffer(data, size), 0, ec);  // a full socket buffer drops: UDP may
  }

  void detach() {
    owner_ = nullptr;
    error_code ignored;
    socket_.close(ignored);
  }

  Clock::time_point last_active() const { return last_active_; }

 private:
  void receive() {
    auto self = shared_from_this();
    socket_.async_receive(asio::buffer(buffer_), [self](const error_code& ec, std::size_t n) {
      if (!self->owner_) return;
      if (!ec) {
        self->last_active_ = Clock::now();
        self->owner_->reply(self->client_, self->buffer_.data(), n);
      }
      // ICMP errors (the target's port is closed) show up as connection_refused: keep going.
      if (ec != asio::error::operation_aborted) self->receive();
    });
  }

  udp::socket socket_;
  UdpForwarder* owner_;
  udp::endpoint client_;
  std::vector<char> buffer_;
  Clock::time_point last_active_ = Clock::now();
};

UdpForwarder::UdpForwarder(asio::io_context& io, BoundPort port, const ProxyLimits& limits)
    : io_(io),
      port_(std::move(port)),
      limits_(limits),
      listener_(io),
      target_(asio::ip::address_v4(port_.forward.target_ip.value), port_.forward.target_port),
      sweeper_(io) {}

UdpForwarder::~UdpForwarder() {
  for (auto& [client, session] : sessions_) session->detach();
}

util::Result<void> UdpForwarder::start() {
  error_code ec;
  listener_.assign(port_.family == AF_INET6 ? udp::v6() : udp::v4(), port_.fd.get(), ec);
  if (ec) return util::fail(util::Errc::io, "adopt " + describe_listen(port_.forward) + ": " + ec.message());
  port_.fd.release();
  receive();
  sweep();
  return util::ok();
}

void UdpForwarder::reply(const udp::endpoint& client, const char* data, std::size_t size) {
  error_code ec;
  listener_.send_to(asio::buffer(data, size), client, 0, ec);
}

void UdpForwarder::receive() {
  listener_.async_receive_from(asio::buffer(buffer_), sender_, [this](const error_code& ec, std::size_t n) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (auto session = session_for(sender_)) session->send(buffer_.data(), n);
    }
    receive();
  });
}

std::shared_ptr<UdpSession> UdpForwarder::session_for(const udp::endpoint& client) {
  if (auto it = sessions_.find(client); it != sessions_.end()) return it->second;
  if (sessions_.size() >= limits_.udp_max_sessions) drop_oldest();
  auto session = std::make_shared<UdpSession>(io_, this, client);
  if (!session->open(target_)) return nullptr;
  sessions_.emplace(client, session);
  return session;
}

void UdpForwarder::drop_oldest() {
  auto oldest = sessions_.begin();
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->second->last_active() < oldest->second->last_active()) oldest = it;
  }
  if (oldest == sessions_.end()) return;
  oldest->second->detach();
  sessions_.erase(oldest);
}

// Every quarter of the idle timeout, drops sessions idle for longer than the timeout.
void UdpForwarder::sweep() {
  const auto now = Clock::now();
  std::erase_if(sessions_, [&](auto& entry) {
    if (now - entry.second->last_active() < limits_.udp_idle_timeout) return false;
    entry.second->detach();
    return true;
  });
  sweeper_.expires_after(std::max(limits_.udp_idle_timeout / 4, std::chrono::milliseconds(10)));
  sweeper_.async_wait([this](const error_code& ec) {
    if (!ec) sweep();
  });
}

}  // namespace stack::net::proxy::detail
