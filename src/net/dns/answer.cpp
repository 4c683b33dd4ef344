#include "net/dns/answer.hpp"

namespace stack::net::dns {
namespace {

Decision reply(std::string wire) { return {Decision::Kind::reply, std::move(wire)}; }

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
  auto found = records.find(canonical_name(q.name));
  if (found == records.end()) {
    if (options.forward) return {Decision::Kind::forward, {}};
    out.rcode = Rcode::servfail;
    return reply(build_reply(query, out));
  }
  out.authoritative = true;
  if (q.type == kTypeA || q.type == kTypeAny) out.addresses = found->second;
  return reply(build_reply(query, out));
}

}  // namespace stack::net::dns
