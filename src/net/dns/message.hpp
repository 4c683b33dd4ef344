// The DNS wire format (RFC 1035), the part an embedded name server needs: parse a query (header,
// question, and every other section walked and checked so that a truncated or malformed message is
// rejected as a whole), build a reply that echoes the question and carries A, AAAA or PTR records, and the
// two-byte length prefix of DNS over TCP. Pure: no I/O. Bytes are held in std::string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net::dns {

inline constexpr std::size_t kHeaderSize = 12;
inline constexpr std::size_t kUdpMaxSize = 512;  // without EDNS(0), which is not implemented
inline constexpr std::size_t kMaxMessageSize = 65535;

inline constexpr std::uint16_t kTypeA = 1;
inline constexpr std::uint16_t kTypePtr = 12;
inline constexpr std::uint16_t kTypeAaaa = 28;
inline constexpr std::uint16_t kTypeAny = 255;
inline constexpr std::uint16_t kClassIn = 1;
inline constexpr std::uint8_t kOpcodeQuery = 0;

enum class Rcode : std::uint8_t {
  noerror = 0,
  formerr = 1,
  servfail = 2,
  nxdomain = 3,
  notimp = 4,
  refused = 5,
};

struct Question {
  std::string name;  // dotted, no trailing dot, case as sent; "" is the root
  std::uint16_t type = kTypeA;
  std::uint16_t klass = kClassIn;
  bool operator==(const Question&) const = default;
};

struct Message {
  std::uint16_t id = 0;
  bool is_response = false;
  std::uint8_t opcode = kOpcodeQuery;
  bool recursion_desired = false;
  std::vector<Question> questions;
  std::string question_wire;  // the question section exactly as received, echoed in replies
};

// Parses a whole message. Every section must be complete and every name well formed: labels of
// 1..63 bytes (no '.' inside, since names are handled dotted), at most 255 bytes in all,
// compression pointers only backwards (so no loops). Answer, authority and additional records are
// checked and skipped.
util::Result<Message> parse_message(std::string_view wire);

// The id of a message whose header is there, for a FORMERR reply to what did not parse.
std::optional<std::uint16_t> peek_id(std::string_view wire);

struct ReplyOptions {
  Rcode rcode = Rcode::noerror;
  bool authoritative = false;
  bool recursion_available = false;
  std::vector<Ipv4> addresses;  // A records for the (first) question's name
  std::vector<Ipv6> addresses6;  // AAAA records, after the A records
  std::vector<std::string> ptr_names;  // PTR records (dotted names), after those
  std::uint32_t ttl = 600;
  std::size_t max_size = kMaxMessageSize;  // kUdpMaxSize over UDP: records that do not fit are
                                           // left out and TC is set
};

// A reply to query: its id, opcode and RD, its question section, then one A record per address,
// one AAAA record per IPv6 address and one PTR record per name.
std::string build_reply(const Message& query, const ReplyOptions& options);

// A header-only reply (no question), for messages that did not parse.
std::string build_header_reply(std::uint16_t id, Rcode rcode);

// DNS over TCP: each message is preceded by its length, two bytes big-endian.
std::string with_length_prefix(std::string_view message);
// Takes one whole length-prefixed message off the front of buffer, if it is all there.
std::optional<std::string> take_framed(std::string& buffer);

// Lower-case ASCII and no trailing dot: the form names are compared in.
std::string canonical_name(std::string_view name);

// Reads the header fields of a reply (for tests and the forwarder): rcode, TC, answer count.
struct ReplyHeader {
  std::uint16_t id = 0;
  bool truncated = false;
  bool authoritative = false;
  Rcode rcode = Rcode::noerror;
  std::uint16_t answer_count = 0;
};
std::optional<ReplyHeader> peek_reply_header(std::string_view wire);

// The A records of a reply's answer section, in order (a small resolver, for tests and tools).
util::Result<std::vector<Ipv4>> parse_a_answers(std::string_view wire);

// The AAAA records of a reply's answer section, in order (for tests and tools).
util::Result<std::vector<Ipv6>> parse_aaaa_answers(std::string_view wire);

// The name of a PTR record under ip6.arpa for address: nibbles in reverse, dotted.
std::string reverse_name6(Ipv6 address);

// A query for name and type with id and RD set (a small resolver, for tests and tools).
std::string build_query(std::uint16_t id, std::string_view name, std::uint16_t type = kTypeA);

}  // namespace stack::net::dns
