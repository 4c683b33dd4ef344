// What the server does with one received message, decided without I/O: answer it from the
// network's records, hand it to the upstream resolvers, or drop it. docker's embedded DNS is the
// model (see docs/networking.md, "DNS"):
//   * a name the network owns: its A and AAAA records (authoritative); other types, and AAAA for
//     a name with IPv4 only, get an empty NOERROR answer, so that a stub's AAAA query does not
//     leak the service name upstream; PTR under ip6.arpa for the IPv6 addresses it holds;
//   * any other name: forwarded when forwarding is on, else SERVFAIL at once (what docker answers
//     when it has no upstream to ask), never NXDOMAIN, which would claim the name does not exist;
//   * opcodes other than QUERY and more than one question: NOTIMP; a class other than IN: REFUSED;
//     a message that does not parse but has a header: FORMERR; responses and runts: dropped.
#pragma once

#include <string>
#include <string_view>

#include "net/dns/message.hpp"
#include "net/dns/records.hpp"

namespace stack::net::dns {

struct Decision {
  enum class Kind { reply, forward, drop };
  Kind kind = Kind::drop;
  std::string reply;  // Kind::reply
};

struct AnswerOptions {
  bool forward = false;              // unknown names go to the upstream resolvers
  std::size_t max_size = kMaxMessageSize;  // kUdpMaxSize for UDP
  std::uint32_t ttl = 600;           // docker's
};

Decision decide(std::string_view wire, const Records& records, const AnswerOptions& options);

}  // namespace stack::net::dns
