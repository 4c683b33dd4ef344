// Top-level networks: and volumes:. Names are resolved here ({project}_{key} unless name: is set;
// external resources keep their name) so that nothing downstream builds names again.
#include <algorithm>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"
#include "spec/security_opt.hpp"

namespace stack::spec {

namespace {

// True when external: is set; reports the keys that cannot go with it, as compose does.
bool read_external(const Node& v, const std::string& p, std::string& name, Diagnostics& diags,
                   std::span<const std::string_view> exclusive) {
  const Node* ext = v.find("external");
  if (!ext) return false;
  std::string at = join_path(p, "external");
  bool external = false;
  if (ext->is_mapping()) {  // legacy `external: {name: x}`
    static constexpr std::string_view kKeys[] = {"name"};
    check_keys(*ext, at, kKeys, diags);
    external = true;
    if (const Node* n = ext->find("name")) name = read_string(*n, join_path(at, "name"), diags).value_or("");
  } else {
    external = read_bool(*ext, at, diags).value_or(false);
  }
  if (!external) return false;
  for (std::string_view k : exclusive)
    if (const Node* key = v.find_key(k))
      diags.error(*key, join_path(p, k), "cannot be combined with 'external'");
  return true;
}

// An IPv4 subnet as docker takes it: a network prefix; host bits set are refused.
util::Result<util::Subnet> read_subnet(const std::string& text) {
  auto subnet = util::Subnet::parse(text);
  if (subnet) return subnet;
  if (util::looks_like_ipv6(text)) return util::fail(util::Errc::invalid_argument, "'" + text + "' is an IPv6 subnet; an IPv4 one is needed here");
  if (util::Ipv4Interface::parse(text)) return subnet;  // host bits set: its error names the network
  return util::fail(util::Errc::invalid_argument, "'" + text + "' is not a valid ipv4 cidr");
}

void read_pool(const Node& v, const std::string& p, Network& net, Diagnostics& diags) {
  static constexpr std::string_view kKeys[] = {"subnet", "gateway", "ip_range", "aux_addresses"};
  if (!expect_mapping(v, p, diags)) return;
  check_keys(v, p, kKeys, diags);
  IpamPool pool;
  const Node* subnet = v.find("subnet");
  if (!subnet) return diags.error(v, p, "missing 'subnet'");
  const std::string text = read_string(*subnet, join_path(p, "subnet"), diags).value_or("");
  if (util::looks_like_ipv6(text)) return read_pool6(v, p, *subnet, text, net, diags);
  auto cidr = read_subnet(text);
  if (!cidr) return diags.error(*subnet, join_path(p, "subnet"), cidr.error().message());
  pool.subnet = *cidr;
  if (const Node* g = v.find("gateway")) {
    const std::string at = join_path(p, "gateway");
    const std::string gateway = read_string(*g, at, diags).value_or("");
    auto a = util::Ipv4::parse(gateway);
    if (!a) diags.error(*g, at, "'" + gateway + "' is not a valid ipv4 address");
    else if (!pool.subnet.contains(*a)) diags.error(*g, at, "'" + gateway + "' is outside subnet '" + text + "'");
    else pool.gateway = *a;
  }
  if (const Node* r = v.find("ip_range")) {
    if (auto range = read_ip_range(*r, join_path(p, "ip_range"), pool.subnet, text, read_subnet, diags)) pool.ip_range = *range;
  }
  if (const Node* a = v.find("aux_addresses")) {
    // Addresses the network keeps from containers (docker reserves them in its IPAM).
    const std::string at = join_path(p, "aux_addresses");
    if (expect_mapping(*a, at, diags)) {
      for (const auto& [k, val] : a->entries) {
        const std::string item = join_path(at, k.scalar);
        auto text = read_string(val, item, diags);
        if (!text) continue;
        auto address = util::Ipv4::parse(*text);
        if (!address) diags.error(val, item, "'" + *text + "' is not an IPv4 address");
        else if (!pool.subnet.contains(*address)) diags.error(val, item, "'" + *text + "' is outside subnet '" + pool.subnet.str() + "'");
        else pool.aux_addresses[k.scalar] = *address;
      }
    }
  }
  net.ipam.push_back(pool);
}

void read_ipam(const Node& v, const std::string& p, Network& net, Diagnostics& diags) {
  static constexpr std::string_view kKeys[] = {"driver", "config", "options"};
  if (!expect_mapping(v, p, diags)) return;
  check_keys(v, p, kKeys, diags);
  if (const Node* n = v.find("driver")) {
    auto s = read_string(*n, join_path(p, "driver"), diags);
    if (s && *s != "default") diags.error(*n, join_path(p, "driver"), "ipam driver '" + *s + "' is not supported yet");
  }
  if (const Node* n = v.find("options")) diags.error(*n, join_path(p, "options"), "not supported yet");
  const Node* config = v.find("config");
  if (!config || config->is_null() || !expect_sequence(*config, join_path(p, "config"), diags)) return;
  for (size_t i = 0; i < config->items.size(); ++i)
    read_pool(config->items[i], index_path(join_path(p, "config"), i), net, diags);
}

// The driver options stack reads (docs/stack-file.md, Networks), judged here so that the network
// module only asserts them: the MTU and the two switches (booleans as Go reads them, as docker).
void check_network_driver_opts(const Node& v, const std::string& p, const Network& net, Diagnostics& diags) {
  auto at = [&](const std::string& key) -> const Node& {
    for (const auto& [k, val] : v.entries)
      if (k.scalar == key) return val;
    return v;
  };
  if (auto it = net.driver_opts.find("com.docker.network.driver.mtu"); it != net.driver_opts.end()) {
    auto mtu = parse_int(it->second);
    if (!mtu || *mtu < 68 || *mtu > 65535)
      diags.error(at(it->first), join_path(p, it->first), "'" + it->second + "' is not an MTU (68 to 65535)");
  }
  for (const char* key : {"com.docker.network.bridge.enable_ip_masquerade", "stack.dns.forward"}) {
    auto it = net.driver_opts.find(key);
    if (it != net.driver_opts.end() && !parse_go_bool(it->second))
      diags.error(at(key), join_path(p, key), "'" + it->second + "' is not a boolean (true or false)");
  }
}

void read_network_body(const Node& v, const std::string& p, Network& net, Diagnostics& diags) {
  if (const Node* n = v.find("driver")) {
    auto s = read_string(*n, join_path(p, "driver"), diags);
    if (s && *s != "bridge") diags.error(*n, join_path(p, "driver"), "driver '" + *s + "' is not supported yet");
  }
  if (const Node* n = v.find("ipam")) read_ipam(*n, join_path(p, "ipam"), net, diags);
  std::pair<std::string_view, bool Network::*> flags[] = {{"internal", &Network::internal},
                                                          {"attachable", &Network::attachable},
                                                          {"enable_ipv6", &Network::enable_ipv6}};
  for (const auto& [k, field] : flags)
    if (const Node* n = v.find(k)) net.*field = read_bool(*n, join_path(p, k), diags).value_or(false);
  if (const Node* n = v.find("enable_ipv4")) {
    auto b = read_bool(*n, join_path(p, "enable_ipv4"), diags);
    if (b && !*b) diags.error(*n, join_path(p, "enable_ipv4"), "ipv6-only networks are not supported yet");
  }
  check_ipv6_network(v, p, net, diags);
  if (const Node* n = v.find("driver_opts")) {
    net.driver_opts = read_string_map(*n, join_path(p, "driver_opts"), diags).value_or(net.driver_opts);
    check_network_driver_opts(*n, join_path(p, "driver_opts"), net, diags);
  }
  if (const Node* n = v.find("labels")) net.labels = read_string_map(*n, join_path(p, "labels"), diags).value_or(net.labels);
}

Network read_network(const Node& key, const Node& v, const NormalizeContext& ctx, Diagnostics& diags) {
  static constexpr std::string_view kKeys[] = {"name", "driver", "driver_opts", "ipam", "internal",
                                               "external", "attachable", "enable_ipv6",
                                               "enable_ipv4", "labels"};
  static constexpr std::string_view kExclusive[] = {"driver", "driver_opts", "ipam", "internal"};
  std::string p = join_path("networks", key.scalar);
  Network net;
  net.key = key.scalar;
  net.location = location_of(key, p);
  std::string name;
  if (!v.is_null() && expect_mapping(v, p, diags)) {
    check_keys(v, p, kKeys, diags);
    if (const Node* n = v.find("name")) name = read_string(*n, join_path(p, "name"), diags).value_or("");
    net.external = read_external(v, p, name, diags, kExclusive);
    read_network_body(v, p, net, diags);
  }
  net.name = !name.empty() ? name : net.external ? net.key : ctx.project_name + "_" + net.key;
  return net;
}

// x-kubernetes: {size: 5Gi}: read for `stack kube generate` only; other keys are refused so that a
// typo is not lost.
void read_kube_extension(const Node& v, const std::string& p, Volume& vol, Diagnostics& diags) {
  static constexpr std::string_view kKeys[] = {"size"};
  if (!expect_mapping(v, p, diags)) return;
  check_keys(v, p, kKeys, diags);
  if (const Node* n = v.find("size")) vol.kube_size = read_bytes(*n, join_path(p, "size"), diags);
}

Volume read_volume(const Node& key, const Node& v, const NormalizeContext& ctx, Diagnostics& diags) {
  static constexpr std::string_view kKeys[] = {"name", "driver", "driver_opts", "external", "labels"};
  static constexpr std::string_view kExclusive[] = {"driver", "driver_opts"};
  std::string p = join_path("volumes", key.scalar);
  Volume vol;
  vol.key = key.scalar;
  vol.location = location_of(key, p);
  std::string name;
  if (!v.is_null() && expect_mapping(v, p, diags)) {
    check_keys(v, p, kKeys, diags);
    if (const Node* n = v.find("name")) name = read_string(*n, join_path(p, "name"), diags).value_or("");
    vol.external = read_external(v, p, name, diags, kExclusive);
    if (const Node* n = v.find("driver")) {
      auto s = read_string(*n, join_path(p, "driver"), diags);
      if (s && *s != "local") diags.error(*n, join_path(p, "driver"), "driver '" + *s + "' is not supported yet");
    }
    if (const Node* n = v.find("driver_opts")) vol.driver_opts = read_string_map(*n, join_path(p, "driver_opts"), diags).value_or(vol.driver_opts);
    if (const Node* n = v.find("labels")) vol.labels = read_string_map(*n, join_path(p, "labels"), diags).value_or(vol.labels);
    if (const Node* n = v.find("x-kubernetes")) read_kube_extension(*n, join_path(p, "x-kubernetes"), vol, diags);
  }
  vol.name = !name.empty() ? name : vol.external ? vol.key : ctx.project_name + "_" + vol.key;
  return vol;
}

}  // namespace

std::vector<Network> normalize_networks(const Node* node, const NormalizeContext& ctx, Diagnostics& diags) {
  std::vector<Network> out;
  if (!node || node->is_null() || !expect_mapping(*node, "networks", diags)) return out;
  for (const auto& [k, v] : node->entries) {
    if (k.scalar.rfind("x-", 0) == 0) continue;
    out.push_back(read_network(k, v, ctx, diags));
  }
  std::sort(out.begin(), out.end(), [](const Network& a, const Network& b) { return a.key < b.key; });
  return out;
}

std::vector<Volume> normalize_volumes(const Node* node, const NormalizeContext& ctx, Diagnostics& diags) {
  std::vector<Volume> out;
  if (!node || node->is_null() || !expect_mapping(*node, "volumes", diags)) return out;
  for (const auto& [k, v] : node->entries) {
    if (k.scalar.rfind("x-", 0) == 0) continue;
    out.push_back(read_volume(k, v, ctx, diags));
  }
  std::sort(out.begin(), out.end(), [](const Volume& a, const Volume& b) { return a.key < b.key; });
  return out;
}

Network default_network(const std::string& project) {
  Network net;
  net.key = "default";
  net.name = project + "_default";
  return net;
}

}  // namespace stack::spec
