#include "net/ipam_store.hpp"

#include "util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "net/detail.hpp"
#include "net/naming.hpp"
#include "util/fd.hpp"
#include "util/file_lock.hpp"

namespace stack::net {

namespace fs = std::filesystem;
using nlohmann::json;
using util::Errc;
using util::FileLock;
using util::Result;
using util::UniqueFd;

namespace {

constexpr int kFormatVersion = 1;
constexpr const char* kPoolLock = ".pool.lock";

using detail::in_quotes;
std::string path_in_quotes(const fs::path& path) { return in_quotes(path.native()); }

Result<void> ensure_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return util::fail(Errc::io, "creating " + path_in_quotes(dir) + ": " + ec.message(),
                      ec.value());
  return util::ok();
}

Result<std::string> string_field(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string())
    return util::fail(Errc::parse, std::string("missing or non-string field '") + key + "'");
  return it->get<std::string>();
}

// A name -> address object ("allocations", "reserved"); absent is empty. Address: Ipv4 or Ipv6.
template <class Address>
Result<void> decode_addresses(const json& object, const char* field, std::map<std::string, Address>& out) {
  const auto it = object.find(field);
  if (it == object.end()) return util::ok();
  if (!it->is_object()) return util::fail(Errc::parse, std::string("field '") + field + "' is not an object");
  for (const auto& [key, value] : it->items()) {
    if (!value.is_string())
      return util::fail(Errc::parse, std::string(field) + " " + in_quotes(key) + " is not a string");
    STACK_ASSIGN_OR_RETURN(out[key], Address::parse(value.template get<std::string>()));
  }
  return util::ok();
}

template <class Address>
json encode_addresses(const std::map<std::string, Address>& addresses) {
  json out = json::object();
  for (const auto& [key, address] : addresses) out[key] = address.str();
  return out;
}

// The "ipv6" object of an enable_ipv6 network: the v4 fields' counterparts.
json encode_v6(const IpamNetwork6& v6) {
  json out = {{"subnet", v6.subnet.str()}, {"gateway", v6.gateway.str()}, {"allocations", encode_addresses(v6.allocations)}};
  if (v6.ip_range) out["ip_range"] = v6.ip_range->str();
  if (!v6.reserved.empty()) out["reserved"] = encode_addresses(v6.reserved);
  return out;
}

Result<IpamNetwork6> decode_v6(const json& in) {
  if (!in.is_object()) return util::fail(Errc::parse, "field 'ipv6' is not an object");
  IpamNetwork6 v6;
  STACK_ASSIGN_OR_RETURN(std::string subnet, string_field(in, "subnet"));
  STACK_ASSIGN_OR_RETURN(v6.subnet, Subnet6::parse(subnet));
  STACK_ASSIGN_OR_RETURN(std::string gateway, string_field(in, "gateway"));
  STACK_ASSIGN_OR_RETURN(v6.gateway, Ipv6::parse(gateway));
  if (in.contains("ip_range")) {
    STACK_ASSIGN_OR_RETURN(std::string range, string_field(in, "ip_range"));
    STACK_ASSIGN_OR_RETURN(v6.ip_range, Subnet6::parse(range));
  }
  STACK_TRY(decode_addresses(in, "allocations", v6.allocations));
  STACK_TRY(decode_addresses(in, "reserved", v6.reserved));
  return v6;
}

}  // namespace

std::string encode_network(const IpamNetwork& network) {
  json out = {{"version", kFormatVersion},        {"name", network.name},
              {"bridge", network.bridge},         {"subnet", network.subnet.str()},
              {"gateway", network.gateway.str()}, {"allocations", encode_addresses(network.allocations)}};
  if (network.ip_range) out["ip_range"] = network.ip_range->str();
  if (!network.reserved.empty()) out["reserved"] = encode_addresses(network.reserved);
  if (network.v6) out["ipv6"] = encode_v6(*network.v6);
  return out.dump(2) + "\n";
}

Result<IpamNetwork> decode_network(std::string_view text) {
  const json in = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (in.is_discarded() || !in.is_object()) return util::fail(Errc::parse, "not a JSON object");
  if (in.value("version", 0) != kFormatVersion)
    return util::fail(Errc::unsupported,
                      "unknown format version (want " + std::to_string(kFormatVersion) + ")");
  IpamNetwork network;
  STACK_ASSIGN_OR_RETURN(network.name, string_field(in, "name"));
  STACK_ASSIGN_OR_RETURN(network.bridge, string_field(in, "bridge"));
  STACK_ASSIGN_OR_RETURN(std::string subnet, string_field(in, "subnet"));
  STACK_ASSIGN_OR_RETURN(network.subnet, Subnet::parse(subnet));
  STACK_ASSIGN_OR_RETURN(std::string gateway, string_field(in, "gateway"));
  STACK_ASSIGN_OR_RETURN(network.gateway, Ipv4::parse(gateway));
  if (in.contains("ip_range")) {
    STACK_ASSIGN_OR_RETURN(std::string range, string_field(in, "ip_range"));
    STACK_ASSIGN_OR_RETURN(network.ip_range, Subnet::parse(range));
  }
  STACK_TRY(decode_addresses(in, "allocations", network.allocations));
  STACK_TRY(decode_addresses(in, "reserved", network.reserved));
  if (auto v6 = in.find("ipv6"); v6 != in.end()) {
    STACK_ASSIGN_OR_RETURN(network.v6, decode_v6(*v6));
  }
  return network;
}

IpamStore::IpamStore(fs::path state_root, std::vector<AddressPool> pools)
    : root_(std::move(state_root)), pools_(std::move(pools)) {}

fs::path IpamStore::network_file(const std::string& name) const {
  return directory() / (name + ".json");
}

Result<std::optional<IpamNetwork>> IpamStore::load(const std::string& name) const {
  STACK_TRY(check_network_name(name));
  const fs::path path = network_file(name);
  auto text = util::read_file(path);
  if (!text && text.error().code() == Errc::not_found) return std::optional<IpamNetwork>();
  if (!text) return std::move(text).error().context("loading network " + in_quotes(name));
  auto network = decode_network(*text);
  if (!network) return std::move(network).error().context("loading " + path_in_quotes(path));
  if (network->name != name)
    return util::fail(Errc::parse, "loading " + path_in_quotes(path) + ": holds network " +
                                       in_quotes(network->name));
  return std::optional<IpamNetwork>(std::move(*network));
}

Result<IpamNetwork> IpamStore::load_existing(const std::string& name) const {
  STACK_ASSIGN_OR_RETURN(std::optional<IpamNetwork> network, load(name));
  if (!network)
    return util::fail(Errc::not_found, "network " + in_quotes(name) + " does not exist");
  return std::move(*network);
}

Result<std::vector<IpamNetwork>> IpamStore::list() const {
  std::vector<IpamNetwork> networks;
  std::error_code ec;
  fs::directory_iterator it(directory(), ec);
  if (ec == std::errc::no_such_file_or_directory) return networks;
  if (ec)
    return util::fail(Errc::io, "listing " + path_in_quotes(directory()) + ": " + ec.message());
  for (const fs::directory_entry& entry : it) {
    const fs::path& path = entry.path();
    if (path.extension() != ".json" || !check_network_name(path.stem().string())) continue;
    STACK_ASSIGN_OR_RETURN(std::optional<IpamNetwork> network, load(path.stem().string()));
    if (network) networks.push_back(std::move(*network));
  }
  std::sort(networks.begin(), networks.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return networks;
}

Result<void> IpamStore::save(const IpamNetwork& network) const {
  return util::write_file_atomic(network_file(network.name), encode_network(network), util::Durability::process_crash)
      .context("saving network " + in_quotes(network.name));
}

Result<IpamNetwork> IpamStore::ensure_network(const std::string& name, const SubnetRequest& request,
                                              const std::vector<Subnet>& host_used,
                                              const std::vector<Subnet6>& host_used6) {
  STACK_TRY(check_network_name(name));
  STACK_TRY(ensure_directory(directory()));
  // Pool lock first, then the network's: every path that takes both takes them in this order.
  STACK_ASSIGN_OR_RETURN(FileLock pool_lock, FileLock::acquire(directory() / kPoolLock));
  STACK_ASSIGN_OR_RETURN(FileLock lock, FileLock::acquire(directory() / (name + ".lock")));
  STACK_ASSIGN_OR_RETURN(std::optional<IpamNetwork> existing, load(name));
  if (existing) {
    STACK_TRY(check_request(*existing, request));
    return std::move(*existing);
  }
  STACK_ASSIGN_OR_RETURN(std::vector<IpamNetwork> others, list());
  IpamContext context{pools_, host_used, {}, host_used6, {}};
  for (const IpamNetwork& other : others) {
    context.taken.push_back(other.subnet);
    if (other.v6) context.taken6.push_back(other.v6->subnet);
  }
  STACK_ASSIGN_OR_RETURN(IpamNetwork network, plan_network(name, request, context));
  STACK_TRY(save(network));
  return network;
}

Result<Ipv4> IpamStore::allocate(const std::string& name, const std::string& key,
                                 const std::optional<Ipv4>& requested, const std::optional<Ipv6>& requested6) {
  STACK_TRY(check_network_name(name));
  STACK_TRY(ensure_directory(directory()));
  STACK_ASSIGN_OR_RETURN(FileLock lock, FileLock::acquire(directory() / (name + ".lock")));
  STACK_ASSIGN_OR_RETURN(IpamNetwork network, load_existing(name));
  const IpamNetwork before = network;
  STACK_ASSIGN_OR_RETURN(Ipv4 address, net::allocate(network, key, requested, requested6));
  if (network != before) STACK_TRY(save(network));
  return address;
}

Result<void> IpamStore::reserve(const std::string& name, const std::vector<Request>& requests) {
  STACK_TRY(check_network_name(name));
  STACK_TRY(ensure_directory(directory()));
  STACK_ASSIGN_OR_RETURN(FileLock lock, FileLock::acquire(directory() / (name + ".lock")));
  STACK_ASSIGN_OR_RETURN(IpamNetwork network, load_existing(name));
  const IpamNetwork before = network;
  for (const Request& r : requests) (void)net::allocate(network, r.key, r.requested, r.requested6);
  if (network != before) STACK_TRY(save(network));
  return util::ok();
}

Result<bool> IpamStore::release(const std::string& name, const std::string& key) {
  STACK_TRY(check_network_name(name));
  STACK_TRY(ensure_directory(directory()));
  STACK_ASSIGN_OR_RETURN(FileLock lock, FileLock::acquire(directory() / (name + ".lock")));
  STACK_ASSIGN_OR_RETURN(std::optional<IpamNetwork> network, load(name));
  if (!network || !net::release(*network, key)) return false;
  STACK_TRY(save(*network));
  return true;
}

Result<bool> IpamStore::remove_network(const std::string& name) {
  STACK_TRY(check_network_name(name));
  STACK_TRY(ensure_directory(directory()));
  STACK_ASSIGN_OR_RETURN(FileLock pool_lock, FileLock::acquire(directory() / kPoolLock));
  STACK_ASSIGN_OR_RETURN(FileLock lock, FileLock::acquire(directory() / (name + ".lock")));
  const fs::path path = network_file(name);
  bool removed = true;
  if (::unlink(path.c_str()) != 0) {
    if (errno != ENOENT) return util::Error::from_errno("removing " + path_in_quotes(path));
    removed = false;
  }
  lock.unlink();
  return removed;
}

}  // namespace stack::net
