// The IPv6 side of a top-level network: an `ipam.config` entry whose subnet is IPv6, and the
// rules that tie it to `enable_ipv6` (docs/networking.md, "IPv6").
#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"

namespace stack::spec {

namespace {

std::optional<util::Ipv6> read_ipv6_in(const Node& node, const std::string& at, const util::Subnet6& subnet,
                                       Diagnostics& diags) {
  auto text = read_string(node, at, diags);
  if (!text) return std::nullopt;
  auto address = util::Ipv6::parse(*text);
  if (!address) diags.error(node, at, "'" + *text + "' is not a valid ipv6 address");
  else if (!subnet.contains(*address)) diags.error(node, at, "'" + *text + "' is outside subnet '" + subnet.str() + "'");
  else return *address;
  return std::nullopt;
}

}  // namespace

void read_pool6(const Node& v, const std::string& p, const Node& subnet_node, const std::string& text, Network& net,
                Diagnostics& diags) {
  const std::string subnet_at = join_path(p, "subnet");
  auto cidr = util::Subnet6::parse(text);
  if (!cidr) return diags.error(subnet_node, subnet_at, cidr.error().message());
  if (!net.ipam6.empty())
    return diags.error(subnet_node, subnet_at, "a network has at most one IPv6 subnet ('" + net.ipam6.front().subnet.str() + "' is the first)");
  if (cidr->prefix > 126) return diags.error(subnet_node, subnet_at, "'" + text + "' is too small (at most /126)");
  IpamPool6 pool;
  pool.subnet = *cidr;
  if (const Node* g = v.find("gateway")) pool.gateway = read_ipv6_in(*g, join_path(p, "gateway"), pool.subnet, diags);
  if (const Node* r = v.find("ip_range")) {
    auto parse = [](const std::string& t) { return util::Subnet6::parse(t); };
    if (auto range = read_ip_range(*r, join_path(p, "ip_range"), pool.subnet, text, parse, diags)) pool.ip_range = *range;
  }
  if (const Node* a = v.find("aux_addresses")) {
    const std::string at = join_path(p, "aux_addresses");
    if (expect_mapping(*a, at, diags)) {
      for (const auto& [k, val] : a->entries) {
        if (auto address = read_ipv6_in(val, join_path(at, k.scalar), pool.subnet, diags)) pool.aux_addresses[k.scalar] = *address;
      }
    }
  }
  net.ipam6.push_back(std::move(pool));
}

void check_ipv6_network(const Node& v, const std::string& p, const Network& net, Diagnostics& diags) {
  if (net.external) return;
  // No default IPv6 pool: docker has none unless the daemon is configured with one, and a
  // made-up ULA prefix could collide with the site's own.
  if (net.enable_ipv6 && net.ipam6.empty())
    diags.error(*v.find("enable_ipv6"), join_path(p, "enable_ipv6"),
                "an IPv6 subnet is required: add one to ipam.config (stack has no default IPv6 pool)");
  if (!net.enable_ipv6 && !net.ipam6.empty()) {
    // At the subnet itself: the entry that parsed as IPv6.
    const Node* config = v.find("ipam") ? v.find("ipam")->find("config") : nullptr;
    for (size_t i = 0; config && config->is_sequence() && i < config->items.size(); ++i) {
      const Node* subnet = config->items[i].is_mapping() ? config->items[i].find("subnet") : nullptr;
      if (subnet && subnet->is_scalar() && util::looks_like_ipv6(subnet->scalar)) {
        return diags.error(*subnet, join_path(index_path(join_path(p, "ipam.config"), i), "subnet"),
                           "IPv6 subnet '" + subnet->scalar + "' needs 'enable_ipv6: true' on the network");
      }
    }
  }
}

}  // namespace stack::spec
