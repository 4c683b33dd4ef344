#include "net/dns/dns_server.hpp"

#include <malloc.h>
#include <unistd.h>

#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <asio/read.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <exception>
#include <filesystem>
#include <memory>

#include "net/dns/answer.hpp"
#include "net/dns/forwarder.hpp"
#include "net/dns/pid_file.hpp"
#include "net/dns/records.hpp"
#include "net/dns/resolv_conf.hpp"
#include "util/code_pages.hpp"
#include "util/fd.hpp"
#include "util/state_root.hpp"

namespace stack::net::dns {
namespace {

using asio::ip::tcp;
using asio::ip::udp;
using std::error_code;

constexpr auto kTcpIdleTimeout = std::chrono::seconds(10);
constexpr std::size_t kMaxTcpClients = 128;

// SERVFAIL for a query that could not be forwarded.
std::string servfail_for(std::string_view query, bool forwarding) {
  auto parsed = parse_message(query);
  if (!parsed) return build_header_reply(peek_id(query).value_or(0), Rcode::servfail);
  return build_reply(*parsed, {.rcode = Rcode::servfail, .recursion_available = forwarding});
}

class Server;

// One TCP client: length-prefixed queries, answered one at a time, closed after an idle period.
class TcpClient : public std::enable_shared_from_this<TcpClient> {
 public:
  TcpClient(tcp::socket socket, Server& server, std::shared_ptr<std::size_t> count)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), server_(server),
        count_(std::move(count)) {
    ++*count_;
  }
  ~TcpClient() { --*count_; }
  void start() { read(); }
  void close() {
    error_code ec;
    socket_.close(ec);
    timer_.cancel();
  }

 private:
  void read();
  void handle(std::string query);
  void write(std::string reply);

  tcp::socket socket_;
  asio::steady_timer timer_;
  Server& server_;
  std::shared_ptr<std::size_t> count_;  // shared: a client may outlive the server's counter
  std::string pending_;
  std::array<char, 4096> chunk_{};
};

class Server {
 public:
  explicit Server(const DnsServerOptions& o)
      : options_(o), records_(records_file(o.root, o.network)), udp_(io_), acceptor_(io_),
        signals_(io_), forwarder_(io_, upstreams_of(o)) {}

  util::Result<void> bind();
  util::Result<void> run();

  // Decides for one query and calls send with the reply, at once or after forwarding; false
  // (and send is never called) when the message is dropped.
  bool answer(std::string query, std::size_t max_size, std::function<void(std::string)> send);

 private:
  // Never the server itself: a query forwarded to its own address would loop until it timed out.
  static std::vector<Upstream> upstreams_of(const DnsServerOptions& o) {
    std::vector<Upstream> out;
    if (!o.forward) return out;
    if (!o.upstreams.empty()) {
      for (const Upstream& u : o.upstreams) {
        if (!(u.address == o.listen && u.port == o.port)) out.push_back(u);
      }
      return out;
    }
    auto text = util::read_file(o.resolv_conf);
    if (text) {
      for (Ipv4 a : parse_nameservers(*text, o.listen)) out.push_back({a, 53});
    }
    return out;
  }
  void receive_udp();
  void accept_tcp();

  DnsServerOptions options_;
  asio::io_context io_{1};
  RecordsFile records_;
  udp::socket udp_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  detail::Forwarder forwarder_;
  udp::endpoint sender_;
  std::array<char, kMaxMessageSize> buffer_{};
  std::shared_ptr<std::size_t> tcp_clients_ = std::make_shared<std::size_t>(0);
};

void TcpClient::read() {
  timer_.expires_after(kTcpIdleTimeout);
  auto self = shared_from_this();
  timer_.async_wait([self](const error_code& ec) {
    if (!ec) self->close();
  });
  socket_.async_read_some(asio::buffer(chunk_), [self](const error_code& ec, std::size_t n) {
    if (ec) return self->close();
    self->pending_.append(self->chunk_.data(), n);
    if (auto query = take_framed(self->pending_)) return self->handle(std::move(*query));
    self->read();
  });
}

void TcpClient::handle(std::string query) {
  auto self = shared_from_this();
  const bool replies = server_.answer(std::move(query), kMaxMessageSize,
                                      [self](std::string reply) { self->write(std::move(reply)); });
  if (replies) return;
  if (auto next = take_framed(pending_)) return handle(std::move(*next));
  read();
}

void TcpClient::write(std::string reply) {
  auto self = shared_from_this();
  auto framed = std::make_shared<std::string>(with_length_prefix(reply));
  asio::async_write(socket_, asio::buffer(*framed), [self, framed](const error_code& ec, std::size_t) {
    if (ec) {
      self->close();
      return;
    }
    if (auto next = take_framed(self->pending_)) return self->handle(std::move(*next));
    self->read();
  });
}

util::Result<void> Server::bind() {
  const asio::ip::address address = asio::ip::address_v4(options_.listen.value);
  const std::string where = options_.listen.str() + ":" + std::to_string(options_.port);
  error_code ec;
  // SO_REUSEADDR on TCP only: it lets a restarted server listen while old connections sit in
  // TIME_WAIT. On UDP it would let a second server bind the same address and steal queries.
  udp_.open(udp::v4(), ec);
  if (!ec) udp_.bind(udp::endpoint(address, options_.port), ec);
  if (ec) return util::fail(util::Errc::io, "bind " + where + "/udp: " + ec.message());
  acceptor_.open(tcp::v4(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(tcp::endpoint(address, options_.port), ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return util::fail(util::Errc::io, "bind " + where + "/tcp: " + ec.message());
  return util::ok();
}

util::Result<void> Server::run() {
  error_code ec;
  signals_.add(SIGTERM, ec);
  signals_.add(SIGINT, ec);
  signals_.async_wait([this](const error_code&, int) { io_.stop(); });
  receive_udp();
  accept_tcp();
  try {
    io_.run();
  } catch (const std::exception& e) {  // only allocation failures can escape asio's ec overloads
    return util::fail(util::Errc::internal, std::string("dns server: ") + e.what());
  }
  return util::ok();
}

bool Server::answer(std::string query, std::size_t max_size, std::function<void(std::string)> send) {
  Decision d = decide(query, records_.current(),
                      {.forward = options_.forward, .max_size = max_size});
  if (d.kind == Decision::Kind::drop) return false;
  if (d.kind == Decision::Kind::reply) {
    send(std::move(d.reply));
    return true;
  }
  const bool forwarding = options_.forward;
  forwarder_.forward(query, [query, send, forwarding](std::optional<std::string> reply) {
    send(reply ? std::move(*reply) : servfail_for(query, forwarding));
  });
  return true;
}

void Server::receive_udp() {
  udp_.async_receive_from(asio::buffer(buffer_), sender_, [this](const error_code& ec, std::size_t n) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      (void)answer(std::string(buffer_.data(), n), kUdpMaxSize, [this, to = sender_](std::string reply) {
        error_code ignored;
        udp_.send_to(asio::buffer(reply), to, 0, ignored);
      });
    }
    receive_udp();
  });
}

void Server::accept_tcp() {
  acceptor_.async_accept([this](const error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec && *tcp_clients_ < kMaxTcpClients) {
      std::make_shared<TcpClient>(std::move(socket), *this, tcp_clients_)->start();
    }
    accept_tcp();
  });
}

void report(int ready_fd, const std::string& line) {
  if (ready_fd < 0) return;
  (void)util::write_all(ready_fd, line + "\n");
  ::close(ready_fd);
}

}  // namespace

std::string dns_pid_file(const std::string& root, const std::string& network) {
  return util::StateRoot(root).dns_pid_file(network);
}

int run_dns_server(const DnsServerOptions& options, int ready_fd) {
  const std::string path = dns_pid_file(options.root, options.network);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  auto pid_file = PidFile::acquire(path);
  if (!pid_file) {
    report(ready_fd, "dns server for network '" + options.network + "': " + pid_file.error().message());
    return 1;
  }
  Server server(options);
  if (auto bound = server.bind(); !bound) {
    pid_file->remove();
    report(ready_fd, "dns server for network '" + options.network + "': " + bound.error().message());
    return 1;
  }
  report(ready_fd, "ok");
  // One per network, alive as long as it: what start-up alone used (the CLI's parsing, the loader's
  // pages of the whole `stack` binary) leaves the resident set; the query loop faults back in the
  // little code it runs (docs/performance.md, "DNS server").
  ::malloc_trim(0);
  util::release_code_pages();
  auto ran = server.run();
  pid_file->remove();
  return ran ? 0 : 1;
}

}  // namespace stack::net::dns
