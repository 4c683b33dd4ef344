#include "net/dns/message.hpp"

#include <array>
#include <cctype>

namespace stack::net::dns {
namespace {

using util::Errc;
using util::Result;

constexpr std::size_t kMaxNameLength = 255;
constexpr std::size_t kMaxLabelLength = 63;

util::Error malformed(const std::string& what) { return util::Error(Errc::parse, "dns message: " + what); }

// A bounds-checked cursor over a message.
class Reader {
 public:
  explicit Reader(std::string_view wire) : wire_(wire) {}

  std::size_t pos() const { return pos_; }

  Result<std::uint16_t> u16() {
    if (wire_.size() - pos_ < 2) return malformed("truncated");
    std::uint16_t v = static_cast<std::uint16_t>(byte(pos_) << 8 | byte(pos_ + 1));
    pos_ += 2;
    return v;
  }

  Result<void> skip(std::size_t n) {
    if (wire_.size() - pos_ < n) return malformed("truncated");
    pos_ += n;
    return util::ok();
  }

  // A name, possibly compressed. Pointers must go strictly below every position the name has
  // visited so far (and not into the header), so following them always ends; and what a pointer
  // leads to must end below that pointer, as an earlier name does (a suffix read on over the pointer
  // itself gave a name that no reply could carry back).
  Result<std::string> name() {
    std::string out;
    std::size_t at = pos_;
    std::size_t floor = pos_;
    std::size_t limit = wire_.size();  // after a jump: the lowest pointer's position
    std::size_t length = 1;  // the root label
    bool jumped = false;
    for (;;) {
      if (at >= limit) return malformed(jumped ? "compression pointer target runs past the pointer" : "truncated name");
      const std::uint8_t len = byte(at);
      if ((len & 0xC0) == 0xC0) {
        if (at + 1 >= wire_.size()) return malformed("truncated name");
        const std::size_t target = static_cast<std::size_t>(len & 0x3F) << 8 | byte(at + 1);
        if (target >= floor || target < kHeaderSize) {
          return malformed("compression pointer does not point backwards");
        }
        if (!jumped) pos_ = at + 2;
        jumped = true;
        floor = target;
        limit = at;
        at = target;
        continue;
      }
      if ((len & 0xC0) != 0) return malformed("unsupported label type");
      if (len == 0) {
        if (!jumped) pos_ = at + 1;
        return out;
      }
      if (at + 1 + len > limit) return malformed(jumped ? "compression pointer target runs past the pointer" : "truncated name");
      std::string_view label = wire_.substr(at + 1, len);
      if (label.find('.') != std::string_view::npos) return malformed("label with a dot");
      length += len + 1u;
      if (length > kMaxNameLength) return malformed("name longer than 255 bytes");
      if (!out.empty()) out += '.';
      out += label;
      at += 1u + len;
    }
  }

 private:
  std::uint8_t byte(std::size_t i) const { return static_cast<std::uint8_t>(wire_[i]); }

  std::string_view wire_;
  std::size_t pos_ = 0;
};

struct Counts {
  std::uint16_t questions = 0, answers = 0, authority = 0, additional = 0;
};

Result<Counts> read_header(Reader& r, Message& m) {
  STACK_ASSIGN_OR_RETURN(m.id, r.u16());
  STACK_ASSIGN_OR_RETURN(std::uint16_t flags, r.u16());
  m.is_response = (flags & 0x8000) != 0;
  m.opcode = static_cast<std::uint8_t>((flags >> 11) & 0x0F);
  m.recursion_desired = (flags & 0x0100) != 0;
  Counts c;
  STACK_ASSIGN_OR_RETURN(c.questions, r.u16());
  STACK_ASSIGN_OR_RETURN(c.answers, r.u16());
  STACK_ASSIGN_OR_RETURN(c.authority, r.u16());
  STACK_ASSIGN_OR_RETURN(c.additional, r.u16());
  return c;
}

struct Record {
  std::uint16_t type = 0;
  std::string_view data;
};

Result<Record> read_record(Reader& r, std::string_view wire) {
  STACK_TRY(r.name());
  STACK_ASSIGN_OR_RETURN(std::uint16_t type, r.u16());
  STACK_TRY(r.skip(6));  // class, ttl
  STACK_ASSIGN_OR_RETURN(std::uint16_t length, r.u16());
  const std::size_t start = r.pos();
  STACK_TRY(r.skip(length));
  return Record{type, wire.substr(start, length)};
}

void put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xFF);
}

void put32(std::string& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v & 0xFFFF));
}

std::string header(std::uint16_t id, std::uint16_t flags, std::uint16_t questions,
                   std::uint16_t answers) {
  std::string out;
  put16(out, id);
  put16(out, flags);
  put16(out, questions);
  put16(out, answers);
  put32(out, 0);  // authority, additional
  return out;
}

// A dotted name in wire form, uncompressed ("" is the root).
std::string encode_name(std::string_view name) {
  std::string out;
  while (!name.empty()) {
    const std::size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    out += static_cast<char>(label.size());
    out += label;
    name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  }
  out += '\0';
  return out;
}

}  // namespace

Result<Message> parse_message(std::string_view wire) {
  if (wire.size() > kMaxMessageSize) return malformed("longer than 65535 bytes");
  Reader r(wire);
  Message m;
  STACK_ASSIGN_OR_RETURN(Counts counts, read_header(r, m));
  const std::size_t question_start = r.pos();
  for (int i = 0; i < counts.questions; ++i) {
    Question q;
    STACK_ASSIGN_OR_RETURN(q.name, r.name());
    STACK_ASSIGN_OR_RETURN(q.type, r.u16());
    STACK_ASSIGN_OR_RETURN(q.klass, r.u16());
    m.questions.push_back(std::move(q));
  }
  m.question_wire = std::string(wire.substr(question_start, r.pos() - question_start));
  const int records = counts.answers + counts.authority + counts.additional;
  for (int i = 0; i < records; ++i) STACK_TRY(read_record(r, wire));
  return m;
}

std::optional<std::uint16_t> peek_id(std::string_view wire) {
  if (wire.size() < kHeaderSize) return std::nullopt;
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(wire[0]) << 8 |
                                    static_cast<std::uint8_t>(wire[1]));
}

std::string build_reply(const Message& query, const ReplyOptions& options) {
  std::uint16_t flags = 0x8000 | static_cast<std::uint16_t>((query.opcode & 0x0F) << 11) |
                        static_cast<std::uint16_t>(options.rcode);
  if (options.authoritative) flags |= 0x0400;
  if (query.recursion_desired) flags |= 0x0100;
  if (options.recursion_available) flags |= 0x0080;
  std::string records;
  std::uint16_t answers = 0;
  const std::size_t fixed = kHeaderSize + query.question_wire.size();
  bool truncated = false;
  // One record for the question's name; false (and TC) when it does not fit.
  auto add = [&](std::uint16_t type, const std::string& rdata) {
    if (query.questions.empty() || truncated) return;
    if (fixed + records.size() + 12 + rdata.size() > options.max_size) {
      truncated = true;
      return;
    }
    put16(records, 0xC000 | kHeaderSize);  // the question's name
    put16(records, type);
    put16(records, kClassIn);
    put32(records, options.ttl);
    put16(records, static_cast<std::uint16_t>(rdata.size()));
    records += rdata;
    ++answers;
  };
  for (Ipv4 address : options.addresses) {
    std::string rdata;
    put32(rdata, address.value);
    add(kTypeA, rdata);
  }
  for (const Ipv6& address : options.addresses6) {
    const auto bytes = address.bytes();
    add(kTypeAaaa, std::string(bytes.begin(), bytes.end()));
  }
  for (const std::string& name : options.ptr_names) add(kTypePtr, encode_name(name));
  if (truncated) flags |= 0x0200;
  std::string out = header(query.id, flags, static_cast<std::uint16_t>(query.questions.size()), answers);
  out += query.question_wire;
  out += records;
  return out;
}

std::string reverse_name6(Ipv6 address) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto bytes = address.bytes();
  std::string out;
  for (auto it = bytes.rbegin(); it != bytes.rend(); ++it) {
    out += kHex[*it & 0xF];
    out += '.';
    out += kHex[*it >> 4];
    out += '.';
  }
  return out + "ip6.arpa";
}

std::string build_header_reply(std::uint16_t id, Rcode rcode) {
  return header(id, static_cast<std::uint16_t>(0x8000 | static_cast<std::uint16_t>(rcode)), 0, 0);
}

std::string with_length_prefix(std::string_view message) {
  std::string out;
  put16(out, static_cast<std::uint16_t>(message.size()));
  out += message;
  return out;
}

std::optional<std::string> take_framed(std::string& buffer) {
  if (buffer.size() < 2) return std::nullopt;
  const std::size_t length = static_cast<std::size_t>(static_cast<std::uint8_t>(buffer[0])) << 8 |
                             static_cast<std::uint8_t>(buffer[1]);
  if (buffer.size() < 2 + length) return std::nullopt;
  std::string message = buffer.substr(2, length);
  buffer.erase(0, 2 + length);
  return message;
}

std::string canonical_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<ReplyHeader> peek_reply_header(std::string_view wire) {
  if (wire.size() < kHeaderSize) return std::nullopt;
  auto u16 = [&](std::size_t i) {
    return static_cast<std::uint16_t>(static_cast<std::uint8_t>(wire[i]) << 8 |
                                      static_cast<std::uint8_t>(wire[i + 1]));
  };
  const std::uint16_t flags = u16(2);
  return ReplyHeader{u16(0), (flags & 0x0200) != 0, (flags & 0x0400) != 0,
                     static_cast<Rcode>(flags & 0x0F), u16(6)};
}

namespace {

// The data of the answer records of one type and size, in order.
Result<std::vector<std::string_view>> answer_data(std::string_view wire, std::uint16_t type, std::size_t size) {
  Reader r(wire);
  Message m;
  STACK_ASSIGN_OR_RETURN(Counts counts, read_header(r, m));
  for (int i = 0; i < counts.questions; ++i) {
    STACK_TRY(r.name());
    STACK_TRY(r.skip(4));
  }
  std::vector<std::string_view> out;
  for (int i = 0; i < counts.answers; ++i) {
    STACK_ASSIGN_OR_RETURN(Record record, read_record(r, wire));
    if (record.type == type && record.data.size() == size) out.push_back(record.data);
  }
  return out;
}

}  // namespace

Result<std::vector<Ipv4>> parse_a_answers(std::string_view wire) {
  STACK_ASSIGN_OR_RETURN(auto records, answer_data(wire, kTypeA, 4));
  std::vector<Ipv4> out;
  for (std::string_view data : records) {
    std::uint32_t v = 0;
    for (char c : data) v = v << 8 | static_cast<std::uint8_t>(c);
    out.push_back(Ipv4{v});
  }
  return out;
}

Result<std::vector<Ipv6>> parse_aaaa_answers(std::string_view wire) {
  STACK_ASSIGN_OR_RETURN(auto records, answer_data(wire, kTypeAaaa, 16));
  std::vector<Ipv6> out;
  for (std::string_view data : records) {
    std::array<std::uint8_t, 16> bytes{};
    for (std::size_t k = 0; k < 16; ++k) bytes[k] = static_cast<std::uint8_t>(data[k]);
    out.push_back(Ipv6::from_bytes(bytes));
  }
  return out;
}

std::string build_query(std::uint16_t id, std::string_view name, std::uint16_t type) {
  std::string out = header(id, 0x0100, 1, 0);
  out += encode_name(name);
  put16(out, type);
  put16(out, kClassIn);
  return out;
}

}  // namespace stack::net::dns
