// Starting, stopping and observing a network's DNS server, for the orchestrator. The server is a
// detached `stack dns-server` process; whether it lives is the lock on its pid file
// (<root>/run/dns/<network>.pid), never a bare pid, so a recycled pid is not mistaken for it.
#pragma once

#include <cstdint>
#include <string>

#include "net/dns/dns_server.hpp"
#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net::dns {

// Starts `stack-dns --root root dns-server --network network --listen listen` (the small executable
// next to stack_binary, else `stack_binary` itself with the same arguments) detached unless one is
// alive; returns once it listens, or with its error line (e.g. the address is in use).
util::Result<void> ensure_dns_server(const std::string& stack_binary, const std::string& root,
                                     const std::string& network, Ipv4 listen, bool forward,
                                     std::uint16_t port = 53);
// The same with every option (explicit upstreams: tests forward to a fake one on 127.0.0.1).
util::Result<void> ensure_dns_server(const std::string& stack_binary, const DnsServerOptions& options);

// SIGTERM to the server (SIGKILL after 5 s), waits until it is gone and its pid file removed.
// false when none was running. Refuses (conflict) if the lock holder is not that network's server.
util::Result<bool> stop_dns_server(const std::string& root, const std::string& network);

bool dns_server_alive(const std::string& root, const std::string& network);

}  // namespace stack::net::dns
