#include "net/proxy/tcp_forwarder.hpp"

#include <sys/socket.h>

#include <asio/connect.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <memory>
#include <vector>

#include <malloc.h>

namespace stack::net::proxy::detail {
namespace {

using asio::ip::tcp;
using std::error_code;

asio::ip::address_v4 to_asio(Ipv4 address) { return asio::ip::address_v4(address.value); }

// Sessions alive in this process, and the most since it was last idle. When the last of a burst
// goes, the heap is trimmed: a burst's buffers (two of 64 KiB per connection) are freed in whatever
// order their connections end, and glibc returns only the free space at the top of the heap by
// itself, so an idle proxy could keep megabytes. One connection at a time costs no trim.
std::atomic<std::size_t> live_sessions{0};
std::atomic<std::size_t> burst_peak{0};
constexpr std::size_t kTrimAfter = 8;

// One proxied connection. Each direction reads into its own fixed buffer and writes all of it
// before reading again, so a slow reader holds back a fast writer instead of growing memory.
class TcpSession : public std::enable_shared_from_this<TcpSession> {
 public:
  TcpSession(tcp::socket client, asio::io_context& io, std::size_t buffer)
      : client_(std::move(client)), target_(io), up_(buffer), down_(buffer) {
    const std::size_t now = ++live_sessions;
    if (now > burst_peak) burst_peak = now;
  }
  ~TcpSession() {
    up_ = {};
    down_ = {};
    if (--live_sessions == 0 && burst_peak.exchange(0) >= kTrimAfter) ::malloc_trim(0);
  }
  TcpSession(const TcpSession&) = delete;
  TcpSession& operator=(const TcpSession&) = delete;

  void start(const tcp::endpoint& target) {
    auto self = shared_from_this();
    target_.async_connect(target, [self](const error_code& ec) {
      if (ec) {
        self->close();
        return;
      }
      error_code ignored;
      self->target_.set_option(tcp::no_delay(true), ignored);
      self->client_.set_option(tcp::no_delay(true), ignored);
      self->pump(self->client_, self->target_, self->up_);
      self->pump(self->target_, self->client_, self->down_);
    });
  }

 private:
  void pump(tcp::socket& from, tcp::socket& to, std::vector<char>& buffer) {
    auto self = shared_from_this();
    from.async_read_some(asio::buffer(buffer), [self, &from, &to, &buffer](const error_code& ec,
                                                                           std::size_t n) {
      if (ec == asio::error::eof) {
        // Half-close: the peer finished sending; the other direction goes on.
        error_code ignored;
        to.shutdown(tcp::socket::shutdown_send, ignored);
        if (++self->finished_ == 2) self->close();
        return;
      }
      if (ec) {
        self->close();
        return;
      }
      asio::async_write(to, asio::buffer(buffer.data(), n),
                        [self, &from, &to, &buffer](const error_code& wec, std::size_t) {
                          if (wec) {
                            self->close();
                            return;
                          }
                          self->pump(from, to, buffer);
                        });
    });
  }

  void close() {
    error_code ignored;
    client_.close(ignored);
    target_.close(ignored);
  }

  tcp::socket client_;
  tcp::socket target_;
  std::vector<char> up_;    // client -> target
  std::vector<char> down_;  // target -> client
  int finished_ = 0;        // directions that saw end of file
};

}  // namespace

TcpForwarder::TcpForwarder(asio::io_context& io, BoundPort port, const ProxyLimits& limits)
    : io_(io),
      port_(std::move(port)),
      limits_(limits),
      acceptor_(io),
      target_(to_asio(port_.forward.target_ip), port_.forward.target_port),
      backoff_(io) {}

util::Result<void> TcpForwarder::start() {
  error_code ec;
  acceptor_.assign(port_.family == AF_INET6 ? tcp::v6() : tcp::v4(), port_.fd.get(), ec);
  if (ec) return util::fail(util::Errc::io, "adopt " + describe_listen(port_.forward) + ": " + ec.message());
  port_.fd.release();  // the acceptor owns it now
  accept();
  return util::ok();
}

void TcpForwarder::accept() {
  acceptor_.async_accept([this](const error_code& ec, tcp::socket client) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      backoff_.expires_after(std::chrono::milliseconds(100));
      backoff_.async_wait([this](const error_code& wec) {
        if (!wec) accept();
      });
      return;
    }
    std::make_shared<TcpSession>(std::move(client), io_, limits_.tcp_buffer)->start(target_);
    accept();
  });
}

}  // namespace stack::net::proxy::detail
