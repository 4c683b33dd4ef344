// A fake DNS upstream on 127.0.0.1 for the tests of forwarding: answers every A query with one
// TEST-NET-1 address and counts the queries, so that no test ever asks a real resolver.
// Header-only: each test suite globs only its own dir.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include "net/dns/message.hpp"
#include "util/ip.hpp"
#include "util/fd.hpp"

namespace stack::test {

class FakeDnsUpstream {
 public:
  FakeDnsUpstream() {
    fd_ = util::UniqueFd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    timeval tv{1, 0};  // the serving loop looks at done_ once a second
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeDnsUpstream() {
    done_ = true;
    thread_.join();
  }
  FakeDnsUpstream(const FakeDnsUpstream&) = delete;
  FakeDnsUpstream& operator=(const FakeDnsUpstream&) = delete;

  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int queries() const { return queries_; }
  static util::Ipv4 answer() { return util::Ipv4{0xC0000201}; }  // 192.0.2.1 (TEST-NET-1): data only

 private:
  void serve() {
    char buf[4096];
    while (!done_) {
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const ssize_t n = ::recvfrom(fd_.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0) continue;
      auto query = net::dns::parse_message(std::string_view(buf, static_cast<std::size_t>(n)));
      if (!query) continue;
      ++queries_;
      net::dns::ReplyOptions options;
      const bool asks_a = !query->questions.empty() && query->questions[0].type == net::dns::kTypeA;
      if (asks_a) options.addresses = {answer()};  // other types: an empty NOERROR, as for a v4-only name
      const std::string reply = net::dns::build_reply(*query, options);
      ::sendto(fd_.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }

  util::UniqueFd fd_;
  std::uint16_t port_ = 0;
  std::atomic<bool> done_{false};
  std::atomic<int> queries_{0};
  std::thread thread_;
};

}  // namespace stack::test
