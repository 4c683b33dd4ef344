#include "net/dns/records.hpp"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "net/dns/message.hpp"
#include "util/atomic_file.hpp"
#include "util/fd.hpp"

namespace stack::net::dns {

std::filesystem::path records_file(const std::filesystem::path& root, const std::string& network) {
  // Beside the server's pid file, not in networks/: that directory holds IPAM files only.
  return root / "run" / "dns" / (network + ".records.json");
}

std::string encode_records(const Records& records) {
  nlohmann::json names = nlohmann::json::object();
  for (const auto& [name, addresses] : records) {
    nlohmann::json list = nlohmann::json::array();
    for (Ipv4 a : addresses.v4) list.push_back(a.str());
    for (const Ipv6& a : addresses.v6) list.push_back(a.str());
    names[canonical_name(name)] = std::move(list);
  }
  return nlohmann::json{{"names", std::move(names)}}.dump(2) + "\n";
}

util::Result<Records> decode_records(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return util::fail(util::Errc::parse, "dns records: not a JSON object");
  auto names = j.find("names");
  if (names == j.end() || !names->is_object()) {
    return util::fail(util::Errc::parse, "dns records: 'names' is not an object");
  }
  Records out;
  for (const auto& [name, list] : names->items()) {
    if (!list.is_array()) return util::fail(util::Errc::parse, "dns records: '" + name + "' is not a list");
    Addresses& addresses = out[canonical_name(name)];
    for (const auto& item : list) {
      if (!item.is_string()) return util::fail(util::Errc::parse, "dns records: '" + name + "': not a string");
      const std::string text = item.get<std::string>();
      if (util::looks_like_ipv6(text)) {
        STACK_ASSIGN_OR_RETURN(Ipv6 a, Ipv6::parse(text));
        addresses.v6.push_back(a);
      } else {
        STACK_ASSIGN_OR_RETURN(Ipv4 a, Ipv4::parse(text));
        addresses.v4.push_back(a);
      }
    }
  }
  return out;
}

util::Result<void> write_dns_records(const std::filesystem::path& file, const Records& records) {
  return util::write_file_atomic(file.string(), encode_records(records), util::Durability::process_crash);
}

const Records& RecordsFile::current() {
  struct stat st {};
  if (::stat(file_.c_str(), &st) != 0) {
    if (stamp_) records_.clear();
    stamp_.reset();
    return records_;
  }
  const Stamp now{st.st_ino, st.st_size, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
  if (stamp_ && *stamp_ == now) return records_;
  stamp_ = now;
  auto text = util::read_file(file_.string());
  auto decoded = text ? decode_records(*text) : util::Result<Records>(text.error());
  if (!decoded) {
    last_error_ = decoded.error().message();
    return records_;
  }
  last_error_.reset();
  records_ = std::move(*decoded);
  return records_;
}

}  // namespace stack::net::dns
