// The embedded DNS server of one network: `stack dns-server` runs it in its own detached process
// (control.hpp starts and stops it). It listens on the network's gateway address (the bridge, in
// the host's netns), UDP and TCP, answers from <root>/run/dns/<network>.records.json (re-read when it
// changes) as answer.hpp decides, and forwards other names when told to.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "net/dns/upstream.hpp"
#include "net/ip.hpp"

namespace stack::net::dns {

struct DnsServerOptions {
  std::string root;     // the state root
  std::string network;  // full network name
  Ipv4 listen;          // the gateway address
  std::uint16_t port = 53;
  bool forward = false;
  std::vector<Upstream> upstreams;  // forward: these, or the nameservers of resolv_conf
  std::string resolv_conf = "/etc/resolv.conf";
};

// <root>/run/dns/<network>.pid: locked by the server for its whole life (pid_file.hpp).
std::string dns_pid_file(const std::string& root, const std::string& network);

// Runs the server in the calling process until SIGTERM or SIGINT; returns the exit code. Takes the
// pid file's lock and binds first, then reports on ready_fd (if >= 0) "ok\n" or the error line and
// closes it. On the way out it removes the pid file.
int run_dns_server(const DnsServerOptions& options, int ready_fd);

}  // namespace stack::net::dns
