#include "net/dns/forwarder.hpp"

#include <asio/ip/udp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <memory>

#include "net/dns/message.hpp"

namespace stack::net::dns::detail {
namespace {

using asio::ip::udp;
using std::error_code;

// One forwarded query. Every attempt has a number; completions of an earlier attempt (a late
// reply, a cancelled timer) see a newer number and are ignored.
class ForwardJob : public std::enable_shared_from_this<ForwardJob> {
 public:
  ForwardJob(asio::io_context& io, std::string query, const std::vector<Upstream>& upstreams,
             std::chrono::milliseconds timeout, Forwarder::Done done,
             std::shared_ptr<std::size_t> in_flight)
      : socket_(io), timer_(io), query_(std::move(query)), upstreams_(upstreams), timeout_(timeout),
        done_(std::move(done)), in_flight_(std::move(in_flight)), buffer_(kMaxMessageSize) {
    ++*in_flight_;
  }
  ~ForwardJob() { --*in_flight_; }

  void next() {
    error_code ec;
    socket_.close(ec);
    timer_.cancel();
    if (index_ >= upstreams_.size()) return finish(std::nullopt);
    const Upstream& up = upstreams_[index_++];
    const int attempt = ++attempt_;
    socket_.connect(udp::endpoint(asio::ip::address_v4(up.address.value), up.port), ec);
    if (!ec) socket_.send(asio::buffer(query_), 0, ec);
    if (ec) return next();
    auto self = shared_from_this();
    timer_.expires_after(timeout_);
    timer_.async_wait([self, attempt](const error_code& wec) {
      if (!wec && attempt == self->attempt_ && !self->finished_) self->next();
    });
    receive(attempt);
  }

 private:
  void receive(int attempt) {
    auto self = shared_from_this();
    socket_.async_receive(asio::buffer(buffer_), [self, attempt](const error_code& ec, std::size_t n) {
      if (attempt != self->attempt_ || self->finished_) return;
      if (ec == asio::error::operation_aborted) return;
      if (ec) return self->next();  // e.g. connection refused (ICMP): try the next one
      const std::string_view reply(self->buffer_.data(), n);
      if (peek_id(reply) != peek_id(self->query_)) return self->receive(attempt);
      self->finish(std::string(reply));
    });
  }

  void finish(std::optional<std::string> reply) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    error_code ec;
    socket_.close(ec);
    done_(std::move(reply));
  }

  udp::socket socket_;
  asio::steady_timer timer_;
  std::string query_;
  std::vector<Upstream> upstreams_;
  std::chrono::milliseconds timeout_;
  Forwarder::Done done_;
  std::shared_ptr<std::size_t> in_flight_;
  std::vector<char> buffer_;
  std::size_t index_ = 0;
  int attempt_ = 0;
  bool finished_ = false;
};

}  // namespace

Forwarder::Forwarder(asio::io_context& io, std::vector<Upstream> upstreams,
                     std::chrono::milliseconds timeout, std::size_t max_in_flight)
    : io_(io), upstreams_(std::move(upstreams)), timeout_(timeout), max_in_flight_(max_in_flight) {}

void Forwarder::forward(std::string query, Done done) {
  if (upstreams_.empty() || *in_flight_ >= max_in_flight_) {
    asio::post(io_, [done = std::move(done)] { done(std::nullopt); });
    return;
  }
  std::make_shared<ForwardJob>(io_, std::move(query), upstreams_, timeout_, std::move(done), in_flight_)
      ->next();
}

}  // namespace stack::net::dns::detail
