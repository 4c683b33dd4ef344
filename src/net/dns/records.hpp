// The names a network's DNS server answers for: <root>/run/dns/<name>.records.json, written by the
// orchestrator, read (and re-read when it changes) by the server.
//   {"names": {"web": ["10.1.0.2", "fd5c::2"], "demo-web-1": ["10.1.0.2", "fd5c::2"]}}
// (IPv4 and IPv6 addresses in one list, told apart by their form).
// Names are compared case-insensitively and without a trailing dot (canonical_name).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net::dns {

// A name's addresses: A and AAAA records.
struct Addresses {
  std::vector<Ipv4> v4;
  std::vector<Ipv6> v6;
  Addresses() = default;
  Addresses(std::initializer_list<Ipv4> list) : v4(list) {}
  Addresses(std::vector<Ipv4> four, std::vector<Ipv6> six) : v4(std::move(four)), v6(std::move(six)) {}
  bool operator==(const Addresses&) const = default;
};
using Records = std::map<std::string, Addresses>;  // canonical name -> addresses

// <root>/run/dns/<network>.records.json
std::filesystem::path records_file(const std::filesystem::path& root, const std::string& network);

std::string encode_records(const Records& records);
// Keys come back canonical; an address that does not parse is an error naming it.
util::Result<Records> decode_records(std::string_view text);

// Writes the file atomically (util::write_file_atomic); the directory must exist.
util::Result<void> write_dns_records(const std::filesystem::path& file, const Records& records);

// The records of one file, re-read when the file's inode, size or mtime change (one stat per
// call of current()). A missing file means no names; a file that does not parse keeps the last
// good records, so a torn or bad write never empties the network's names.
class RecordsFile {
 public:
  explicit RecordsFile(std::filesystem::path file) : file_(std::move(file)) {}
  const Records& current();
  // Whether the last change could not be read (for logging).
  const std::optional<std::string>& last_error() const { return last_error_; }

 private:
  struct Stamp {
    ino_t inode = 0;
    off_t size = -1;
    long long mtime_ns = -1;
    bool operator==(const Stamp&) const = default;
  };

  std::filesystem::path file_;
  std::optional<Stamp> stamp_;
  Records records_;
  std::optional<std::string> last_error_;
};

}  // namespace stack::net::dns
