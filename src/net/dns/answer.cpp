#include "net/dns/answer.hpp"

namespace stack::net::dns {
namespace {

Decision reply(std::string wire) { return {Decision::Kind::reply, std::move(wire)}; }

// The names that hold the IPv6 address whose ip6.arpa name is `name`, in name order; none when
// no name does (or it is no ip6.arpa name).
std::vector<std::string> ptr_names6(const std::string& name, const Records& records) {
  std::vector<std::string> out;
  if (!name.ends_with(".ip6.arpa")) return out;
  for (const auto& [owner, addresses] : records) {
    for (const Ipv6& a : addresses.v6) {
      if (reverse_name6(a) == name) {
        out.push_back(owner);
        break;
      }
    }
  }
  return out;
}

}  // namespace

Decision decide(std::string_view wire, const Records& records, const AnswerOptions& options) {
  auto parsed = parse_message(wire);
  if (!parsed) {
    auto id = peek_id(wire);
    if (!id || (static_cast<std::uint8_t>(wire[2]) & 0x80) != 0) return {};
    return reply(build_header_reply(*id, Rcode::formerr));
  }
  const Message& query = *parsed;
  if (query.is_response) return {};
  ReplyOptions out;
  out.max_size = options.max_size;
  out.ttl = options.ttl;
  out.recursion_available = options.forward;
  if (query.opcode != kOpcodeQuery || query.questions.size() > 1) {
    out.rcode = Rcode::notimp;
    return reply(build_reply(query, out));
  }
  if (query.questions.empty()) {
    out.rcode = Rcode::formerr;
    return reply(build_reply(query, out));
  }
  const Question& q = query.questions.front();
  if (q.klass != kClassIn) {
    out.rcode = Rcode::refused;
    return reply(build_reply(query, out));
  }
  const std::string name = canonical_name(q.name);
  if (q.type == kTypePtr) {
    out.ptr_names = ptr_names6(name, records);
    if (!out.ptr_names.empty()) {
      out.authoritative = true;
      return reply(build_reply(query, out));
    }
  }
  auto found = records.find(name);
  if (found == records.end()) {
    if (options.forward) return {Decision::Kind::forward, {}};
    out.rcode = Rcode::servfail;
    return reply(build_reply(query, out));
  }
  out.authoritative = true;
  if (q.type == kTypeA || q.type == kTypeAny) out.addresses = found->second.v4;
  if (q.type == kTypeAaaa || q.type == kTypeAny) out.addresses6 = found->second.v6;
  return reply(build_reply(query, out));
}

}  // namespace stack::net::dns
