// A service's place on the network: networks, network_mode, extra_hosts, dns, hostname and
// domainname.
#include <arpa/inet.h>

#include <algorithm>
#include <regex>
#include <set>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"

namespace stack::spec {

bool is_ipv4(std::string_view text) { return util::Ipv4::parse(text).has_value(); }

bool is_ipv6(std::string_view text) {
  in6_addr a{};
  return inet_pton(AF_INET6, std::string(text).c_str(), &a) == 1;
}

namespace {

// ipv4_address / ipv6_address (Address: util::Ipv4 or util::Ipv6), "not a valid ..." otherwise.
template <class Address>
void read_address(ServiceDraft& d, const Node& v, const std::string& at, const char* key, std::optional<Address>& out) {
  const Node* n = v.find(key);
  if (n == nullptr) return;
  auto s = read_string(*n, join_path(at, key), *d.diags);
  if (!s) return;
  auto address = Address::parse(*s);
  if (!address) {
    const std::string family = std::string(key).substr(0, 4);  // "ipv4" / "ipv6"
    d.error(*n, join_path(at, key), "'" + *s + "' is not a valid " + family + " address");
  } else {
    out = *address;
  }
}

void read_attachment(ServiceDraft& d, const Node& v, const std::string& at, ServiceNetwork& net) {
  static constexpr std::string_view kKeys[] = {
      "aliases", "ipv4_address", "ipv6_address", "mac_address", "priority", "link_local_ips",
      "driver_opts", "gw_priority", "interface_name"};
  if (!expect_mapping(v, at, *d.diags)) return;
  check_keys(v, at, kKeys, *d.diags);
  if (const Node* n = v.find("aliases"))
    net.aliases = read_string_list(*n, join_path(at, "aliases"), *d.diags).value_or(
        std::vector<std::string>{});
  read_address(d, v, at, "ipv4_address", net.ipv4_address);
  read_address(d, v, at, "ipv6_address", net.ipv6_address);
  if (const Node* n = v.find("mac_address")) {
    static const std::regex kMac("([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}");
    auto s = read_string(*n, join_path(at, "mac_address"), *d.diags);
    if (s && !std::regex_match(*s, kMac))
      d.error(*n, join_path(at, "mac_address"), "'" + *s + "' is not a valid mac address");
    else if (s) net.mac_address = *s;
  }
  if (const Node* n = v.find("priority")) {
    if (auto i = read_int(*n, join_path(at, "priority"), *d.diags, -(1 << 30), 1 << 30))
      net.priority = int(*i);
  }
  for (std::string_view k :
       {"link_local_ips", "driver_opts", "gw_priority", "interface_name"})
    if (const Node* n = v.find(k)) d.error(*n, join_path(at, k), "not supported yet");
}

}  // namespace

void read_networks(ServiceDraft& d, const Node& v, const std::string& p) {
  d.networks_node = &v;
  if (v.is_sequence()) {
    for (size_t i = 0; i < v.items.size(); ++i) {
      auto s = read_string(v.items[i], index_path(p, i), *d.diags);
      if (s) d.service.networks.push_back(ServiceNetwork{*s, {}, {}, {}, 0,
                                                         location_of(v.items[i], index_path(p, i))});
    }
    return;
  }
  if (!v.is_mapping()) {
    type_error(v, p, "a list or a mapping", *d.diags);
    return;
  }
  for (const auto& [k, val] : v.entries) {
    std::string at = join_path(p, k.scalar);
    ServiceNetwork net{k.scalar, {}, {}, {}, 0, location_of(k, at)};
    if (!val.is_null()) read_attachment(d, val, at, net);
    d.service.networks.push_back(std::move(net));
  }
}

void read_network_mode(ServiceDraft& d, const Node& v, const std::string& p) {
  auto s = read_string(v, p, *d.diags);
  if (!s) return;
  d.network_mode_node = &v;
  NetworkMode& m = d.service.network_mode;
  using Kind = NetworkMode::Kind;
  if (*s == "bridge" || *s == "default") m.kind = Kind::bridge;
  else if (*s == "host") m.kind = Kind::host;
  else if (*s == "none") m.kind = Kind::none;
  else if (s->rfind("service:", 0) == 0 && s->size() > 8) m = NetworkMode{Kind::service, s->substr(8)};
  else if (s->rfind("container:", 0) == 0 && s->size() > 10)
    m = NetworkMode{Kind::container, s->substr(10)};
  else
    d.error(v, p, "\"" + *s + "\" is not a valid network mode (bridge, host, none, service:NAME "
                  "or container:NAME)");
}

namespace {

void add_extra_host(ServiceDraft& d, const Node& node, const std::string& at, std::string host,
                    std::string ip) {
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  if (host.empty()) {
    d.error(node, at, "empty host name");
    return;
  }
  // "host-gateway" is resolved by the runtime to the bridge gateway, as docker does.
  if (ip != "host-gateway" && !is_ipv4(ip) && !is_ipv6(ip)) {
    d.error(node, at, "'" + ip + "' is not a valid ip address for '" + host + "'");
    return;
  }
  d.service.extra_hosts.push_back(ExtraHost{std::move(host), std::move(ip)});
}

}  // namespace

void read_extra_hosts(ServiceDraft& d, const Node& v, const std::string& p) {
  if (v.is_mapping()) {
    for (const auto& [k, val] : v.entries) {
      std::string at = join_path(p, k.scalar);
      if (val.is_sequence()) {  // compose allows several addresses for one name
        for (size_t i = 0; i < val.items.size(); ++i)
          if (auto s = read_string(val.items[i], index_path(at, i), *d.diags))
            add_extra_host(d, val.items[i], index_path(at, i), k.scalar, *s);
      } else if (auto s = read_string(val, at, *d.diags)) {
        add_extra_host(d, val, at, k.scalar, *s);
      }
    }
    return;
  }
  auto list = read_string_list(v, p, *d.diags);
  if (!list) return;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string& s = (*list)[i];
    // "name=ip" is the newer form and the only one that is unambiguous with IPv6.
    size_t sep = s.find('=');
    if (sep == std::string::npos) sep = s.find(':');
    if (sep == std::string::npos) {
      d.error(v.items[i], index_path(p, i), "\"" + s + "\" is not a valid host entry (host:ip)");
      continue;
    }
    add_extra_host(d, v.items[i], index_path(p, i), s.substr(0, sep), s.substr(sep + 1));
  }
}

void read_uts_name(ServiceDraft& d, const Node& v, const std::string& p) {
  auto s = read_string(v, p, *d.diags);
  if (!s) return;
  // The kernel's limit for sethostname and setdomainname (__NEW_UTS_LEN).
  if (s->size() > 64) {
    d.error(v, p, "is " + std::to_string(s->size()) + " bytes long: the kernel takes at most 64");
    return;
  }
  bool host = p.size() >= 8 && p.compare(p.size() - 8, 8, "hostname") == 0;
  (host ? d.service.hostname : d.service.domainname) = *s;
}

void read_dns_lines(ServiceDraft& d, const Node& v, const std::string& p) {
  auto list = read_string_list(v, p, *d.diags, true);
  if (!list) return;
  bool search = p.size() >= 10 && p.compare(p.size() - 10, 10, "dns_search") == 0;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string& s = (*list)[i];
    const Node& node = v.is_sequence() ? v.items[i] : v;
    std::string at = v.is_sequence() ? index_path(p, i) : p;
    // One word each: resolv.conf separates entries by blanks, so a blank would split one into two.
    if (s.empty() || s.find_first_of(" \t\n") != std::string::npos) {
      d.error(node, at, "'" + s + "' must be one word without blanks");
    } else if (search && s.size() > 253) {
      d.error(node, at, "'" + s.substr(0, 32) + "...' is longer than a domain name can be (253)");
    } else {
      (search ? d.service.dns_search : d.service.dns_opt).push_back(s);
    }
  }
}

void read_dns(ServiceDraft& d, const Node& v, const std::string& p) {
  auto list = read_string_list(v, p, *d.diags, true);
  if (!list) return;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string& s = (*list)[i];
    const Node& node = v.is_sequence() ? v.items[i] : v;
    std::string at = v.is_sequence() ? index_path(p, i) : p;
    if (!is_ipv4(s) && !is_ipv6(s)) d.error(node, at, "'" + s + "' is not a valid ip address");
    else d.service.dns.push_back(s);
  }
}

namespace {

// A list of "NAME" or "NAME:ALIAS" items (links, external_links): each well-formed one, with its
// alias not given before in the list, goes to add; what is wrong is reported at its item.
// names_services: NAME is a service of this stack, which may not be the linking one.
template <typename Add>
void read_link_items(ServiceDraft& d, const Node& v, const std::string& p, const char* form, bool names_services,
                     Add add) {
  auto list = read_string_list(v, p, *d.diags);
  if (!list) return;
  std::set<std::string> aliases;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string& text = (*list)[i];
    const std::string at = index_path(p, i);
    const size_t colon = text.find(':');
    std::string name = text.substr(0, colon);
    std::string alias = colon == std::string::npos ? name : text.substr(colon + 1);
    auto bad = [](const std::string& s) { return s.empty() || s.find_first_of(": \t\n") != std::string::npos; };
    if (bad(name) || bad(alias)) {
      d.error(v.items[i], at, "'" + text + "' is not " + form);
      continue;
    }
    if (names_services && name == d.service.name) {
      d.error(v.items[i], at, "a service cannot link to itself");
      continue;
    }
    if (!aliases.insert(alias).second) {
      d.error(v.items[i], at, "the alias '" + alias + "' is given twice");
      continue;
    }
    add(std::move(name), std::move(alias), location_of(v.items[i], at));
  }
}

}  // namespace

// links: ["db", "db:database"]. Whether the service exists is validate's question (the implied
// depends_on entry carries the item's location).
void read_links(ServiceDraft& d, const Node& v, const std::string& p) {
  read_link_items(d, v, p, "a link (SERVICE or SERVICE:ALIAS)", true, [&d](std::string name, std::string alias, Location at) {
    d.service.links.push_back({std::move(name), std::move(alias), std::move(at)});
  });
}

// external_links: ["redis_1", "other_db_1:mysql"]: containers made elsewhere, looked up at `up`.
void read_external_links(ServiceDraft& d, const Node& v, const std::string& p) {
  read_link_items(d, v, p, "an external link (CONTAINER or CONTAINER:ALIAS)", false,
                  [&d](std::string name, std::string alias, Location at) {
                    d.service.external_links.push_back({std::move(name), std::move(alias), std::move(at)});
                  });
}

}  // namespace stack::spec
