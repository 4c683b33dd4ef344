#include "net/naming.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "util/sha256.hpp"

namespace stack::net {

using util::Errc;
using util::Result;

namespace {

constexpr std::size_t kBridgeHashChars = 8;
constexpr std::size_t kVethHashChars = 10;

bool is_lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool has_prefix_and_hex(std::string_view name, std::string_view prefix, std::size_t hex_chars) {
  return name.size() == prefix.size() + hex_chars && name.substr(0, prefix.size()) == prefix &&
         is_lower_hex(name.substr(prefix.size()));
}

// The container id and the network are joined with a NUL so that ("ab", "c") and ("a", "bc")
// do not hash alike; neither part can contain a NUL.
std::string veth_hash(std::string_view container_id, std::string_view network) {
  std::string key(container_id);
  key.push_back('\0');
  key.append(network);
  return sha256_hex(key, kVethHashChars);
}

bool is_compose_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

}  // namespace

std::string sha256_hex(std::string_view data, std::size_t chars) {
  std::string hex = util::sha256_hex(data);
  hex.resize(std::min(chars, hex.size()));
  return hex;
}

std::string bridge_name(std::string_view network_full_name) {
  return std::string(kBridgePrefix) + sha256_hex(network_full_name, kBridgeHashChars);
}

std::string host_veth_name(std::string_view container_id, std::string_view network) {
  return std::string(kHostVethPrefix) + veth_hash(container_id, network);
}

std::string peer_veth_name(std::string_view container_id, std::string_view network) {
  return std::string(kPeerVethPrefix) + veth_hash(container_id, network);
}

bool is_bridge_name(std::string_view name) {
  return has_prefix_and_hex(name, kBridgePrefix, kBridgeHashChars);
}

bool is_host_veth_name(std::string_view name) {
  return has_prefix_and_hex(name, kHostVethPrefix, kVethHashChars);
}

bool is_peer_veth_name(std::string_view name) {
  return has_prefix_and_hex(name, kPeerVethPrefix, kVethHashChars);
}

std::string peer_of_host_veth(std::string_view host_veth) {
  if (!is_host_veth_name(host_veth)) return {};
  return std::string(kPeerVethPrefix) + std::string(host_veth.substr(kHostVethPrefix.size()));
}

Result<void> check_ifname(std::string_view name) {
  const std::string quoted = "'" + std::string(name) + "'";
  if (name.empty()) return util::fail(Errc::invalid_argument, "empty interface name");
  if (name.size() > kMaxIfnameLength)
    return util::fail(Errc::invalid_argument, "interface name " + quoted + " is longer than " +
                                                  std::to_string(kMaxIfnameLength) + " bytes");
  if (name == "." || name == "..")
    return util::fail(Errc::invalid_argument, "invalid interface name " + quoted);
  for (char c : name) {
    if (c == '/' || c == ':' || c == '\0' || std::isspace(static_cast<unsigned char>(c)))
      return util::fail(Errc::invalid_argument, "invalid character in interface name " + quoted);
  }
  return util::ok();
}

Result<void> check_network_name(std::string_view name) {
  const std::string quoted = "'" + std::string(name) + "'";
  if (name.empty()) return util::fail(Errc::invalid_argument, "empty network name");
  if (name.size() > 255)
    return util::fail(Errc::invalid_argument, "network name " + quoted + " is too long");
  if (!std::isalnum(static_cast<unsigned char>(name.front())))
    return util::fail(Errc::invalid_argument,
                      "network name " + quoted + " must start with a letter or digit");
  if (!std::all_of(name.begin(), name.end(), is_compose_name_char))
    return util::fail(Errc::invalid_argument,
                      "network name " + quoted + " may contain only [a-zA-Z0-9_.-]");
  return util::ok();
}

std::string mac_for_address(Ipv4 address) {
  char text[18];
  std::snprintf(text, sizeof text, "02:73:%02x:%02x:%02x:%02x", (address.value >> 24) & 0xff,
                (address.value >> 16) & 0xff, (address.value >> 8) & 0xff, address.value & 0xff);
  return text;
}

}  // namespace stack::net
