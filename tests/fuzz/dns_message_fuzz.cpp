// libFuzzer target for the DNS wire codec (src/net/dns/message) and for what the embedded server
// does with one datagram (decide() in answer.hpp; the SERVFAIL after a failed forward as
// dns_server.cpp builds it). The bytes are a message from a container. When they parse:
//   * each question, re-encoded as a query, parses back to the same name and type;
//   * every reply built for it parses, echoes id, opcode, RD and the questions, carries the A
//     records asked for in order, sets TC exactly when some were left out, and fits max_size
//     whenever the echoed question does;
//   * the reply survives DNS-over-TCP framing.
// Whatever the bytes, decide() never drops a query that parsed and never answers a response, and a
// TCP stream of them is taken apart without reading past its end. A violated invariant aborts.
// Built and run by tests/fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "net/dns/answer.hpp"
#include "net/dns/message.hpp"
#include "net/dns/records.hpp"

namespace {

using namespace stack::net::dns;  // NOLINT: a test driver, not a header
using stack::util::Ipv4;

void check(bool ok) {
  if (!ok) std::abort();
}

std::vector<Ipv4> addresses(std::uint32_t first, int count) {
  std::vector<Ipv4> out;
  for (int i = 0; i < count; ++i) out.push_back(Ipv4{first + static_cast<std::uint32_t>(i)});
  return out;
}

// What a network's records file holds: a few services; "many" has more addresses than a 512-byte
// UDP reply can carry, so truncation is reached.
const Records& fuzz_records() {
  static const Records records{{"web", Addresses(addresses(0x0A010002, 2), {stack::util::Ipv6{0xfd5c000000000000, 2}})},
                               {"demo-web-1", Addresses(addresses(0x0A010002, 1), {})},
                               {"db", {}},
                               {"many", Addresses(addresses(0x0A020001, 40), {})}};
  return records;
}

// Re-encoding a parsed question gives the same question (as a query, so class IN).
void check_question_round_trip(std::uint16_t id, const Question& q) {
  auto parsed = parse_message(build_query(id, q.name, q.type));
  check(parsed.has_value());
  check(parsed->id == id && !parsed->is_response && parsed->recursion_desired);
  check(parsed->questions.size() == 1);
  check(parsed->questions[0].name == q.name && parsed->questions[0].type == q.type);
  check(parsed->questions[0].klass == kClassIn);
}

void check_reply(const Message& query, const ReplyOptions& options, const std::string& reply) {
  auto parsed = parse_message(reply);
  check(parsed.has_value());
  check(parsed->id == query.id && parsed->is_response && parsed->opcode == query.opcode);
  check(parsed->recursion_desired == query.recursion_desired);
  check(parsed->questions == query.questions && parsed->question_wire == query.question_wire);

  auto header = peek_reply_header(reply);
  check(header.has_value());
  check(header->id == query.id && header->rcode == options.rcode);
  check(header->authoritative == options.authoritative);
  auto answers = parse_a_answers(reply);
  check(answers.has_value() && answers->size() == header->answer_count);
  const std::size_t wanted = query.questions.empty() ? 0 : options.addresses.size();
  check(answers->size() <= wanted);
  for (std::size_t i = 0; i < answers->size(); ++i) check((*answers)[i] == options.addresses[i]);
  check(header->truncated == (answers->size() < wanted));
  if (kHeaderSize + query.question_wire.size() <= options.max_size) {
    check(reply.size() <= options.max_size);
  }

  std::string stream = with_length_prefix(reply);
  auto framed = take_framed(stream);
  check(framed.has_value() && *framed == reply && stream.empty());
}

// Replies with the options the server uses: every rcode it sends, A records or none, UDP or TCP.
void check_replies(const Message& query) {
  const std::vector<Ipv4>& many = fuzz_records().at("many").v4;
  for (std::size_t max_size : {kUdpMaxSize, kMaxMessageSize}) {
    for (Rcode rcode : {Rcode::noerror, Rcode::servfail, Rcode::notimp, Rcode::refused}) {
      ReplyOptions options{.rcode = rcode, .recursion_available = rcode == Rcode::servfail,
                           .max_size = max_size};
      check_reply(query, options, build_reply(query, options));
    }
    ReplyOptions found{.authoritative = true, .addresses = many, .max_size = max_size};
    check_reply(query, found, build_reply(query, found));
  }
}

// dns_server.cpp's servfail_for: the answer when no upstream replied to a forwarded query.
std::string servfail_for(std::string_view query, bool forwarding) {
  auto parsed = parse_message(query);
  if (!parsed) return build_header_reply(peek_id(query).value_or(0), Rcode::servfail);
  return build_reply(*parsed, {.rcode = Rcode::servfail, .recursion_available = forwarding});
}

// Only a query that parsed is forwarded; if no upstream answers, the SERVFAIL sent instead parses.
void check_forwarded(std::string_view wire, bool forward, const stack::util::Result<Message>& parsed) {
  check(forward && parsed.has_value());
  std::string failed = servfail_for(wire, forward);
  auto header = peek_reply_header(failed);
  check(header.has_value() && header->id == parsed->id && header->rcode == Rcode::servfail);
  auto reply = parse_message(failed);
  check(reply.has_value() && reply->questions == parsed->questions);
}

void check_decisions(std::string_view wire) {
  auto parsed = parse_message(wire);
  for (bool forward : {false, true}) {
    for (std::size_t max_size : {kUdpMaxSize, kMaxMessageSize}) {
      Decision d = decide(wire, fuzz_records(), {.forward = forward, .max_size = max_size});
      if (parsed && parsed->is_response) check(d.kind == Decision::Kind::drop);
      if (parsed && !parsed->is_response) check(d.kind != Decision::Kind::drop);
      if (!parsed && wire.size() < kHeaderSize) check(d.kind == Decision::Kind::drop);
      if (d.kind == Decision::Kind::forward) check_forwarded(wire, forward, parsed);
      if (d.kind != Decision::Kind::reply) continue;
      auto reply = parse_message(d.reply);
      check(reply.has_value() && reply->is_response && reply->id == *peek_id(wire));
      if (parsed) check(reply->questions == parsed->questions);
      if (!parsed) check(reply->questions.empty());
    }
  }
}

// A TCP stream cut into messages: every message taken is whole, the rest stays buffered.
void check_framing(std::string_view wire) {
  std::string buffer(wire);
  std::size_t taken = 0;
  while (auto message = take_framed(buffer)) {
    const std::string framed = with_length_prefix(*message);
    check(wire.substr(taken, framed.size()) == framed);
    taken += framed.size();
    check(taken + buffer.size() == wire.size());
  }
  if (buffer.size() < 2) return;
  const std::size_t length = static_cast<std::size_t>(static_cast<std::uint8_t>(buffer[0])) << 8 |
                             static_cast<std::uint8_t>(buffer[1]);
  check(buffer.size() < 2 + length);  // what stays is an incomplete message
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view wire(reinterpret_cast<const char*>(data), size);
  check_decisions(wire);
  check_framing(wire);
  auto parsed = parse_message(wire);
  if (!parsed) return 0;
  check(parsed->question_wire.size() + kHeaderSize <= wire.size());
  for (const Question& q : parsed->questions) check_question_round_trip(parsed->id, q);
  check_replies(*parsed);
  return 0;
}
