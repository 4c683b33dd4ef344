// Forwarding of queries for names the network does not own, over UDP: each upstream in order,
// each with its own timeout; the first reply that carries the query's id wins. Internal to the
// server (asio types).
#pragma once

#include <asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "net/dns/upstream.hpp"

namespace stack::net::dns::detail {

class Forwarder {
 public:
  using Done = std::function<void(std::optional<std::string> reply)>;

  Forwarder(asio::io_context& io, std::vector<Upstream> upstreams,
            std::chrono::milliseconds timeout = std::chrono::seconds(2),
            std::size_t max_in_flight = 256);

  // Calls done exactly once: with the upstream's reply, or nullopt when none answered in time,
  // there is no upstream, or too many queries are in flight.
  void forward(std::string query, Done done);

 private:
  asio::io_context& io_;
  std::vector<Upstream> upstreams_;
  std::chrono::milliseconds timeout_;
  std::size_t max_in_flight_;
  std::shared_ptr<std::size_t> in_flight_ = std::make_shared<std::size_t>(0);
};

}  // namespace stack::net::dns::detail
