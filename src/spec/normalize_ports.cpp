// ports: and expose:. The short syntax follows docker's nat.ParsePortSpec, which compose uses:
// "[ip:][host[-range]:]container[-range][/proto]", IPv6 host addresses in brackets, and ranges
// expanded into one Port per container port.
#include <algorithm>
#include <cctype>
#include <span>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"

namespace stack::spec {

namespace {

struct PortRange {
  uint16_t first = 0;
  uint16_t last = 0;
  size_t count() const { return size_t(last - first) + 1; }
};

// "80" or "8000-8010"; false when malformed, reversed or out of 0..65535.
bool parse_range(std::string_view text, PortRange& out, bool allow_zero) {
  size_t dash = text.find('-');
  auto first = parse_int(text.substr(0, dash));
  auto last = dash == std::string_view::npos ? first : parse_int(text.substr(dash + 1));
  if (!first || !last || *first < (allow_zero ? 0 : 1) || *last > 65535 || *first > *last)
    return false;
  if (text.find('+') != std::string_view::npos) return false;
  out = PortRange{uint16_t(*first), uint16_t(*last)};
  return true;
}

bool parse_protocol(std::string_view text, std::string& out) {
  std::string lower;
  for (char c : text) lower += char(std::tolower(static_cast<unsigned char>(c)));
  if (lower != "tcp" && lower != "udp" && lower != "sctp") return false;
  out = lower;
  return true;
}

// Splits "ip:host:container" from the right; everything before the last two colons is the
// address, so that "::1:80:80" and "[::1]:80:80" both work as docker reads them.
bool split_short(std::string_view spec, std::string& ip, std::string& host, std::string& cont) {
  size_t last = spec.rfind(':');
  if (last == std::string_view::npos) {
    cont = spec;
    return true;
  }
  cont = spec.substr(last + 1);
  std::string_view rest = spec.substr(0, last);
  size_t mid = rest.rfind(':');
  if (mid == std::string_view::npos) {
    host = rest;
    return true;
  }
  host = rest.substr(mid + 1);
  ip = rest.substr(0, mid);
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') {
    ip = ip.substr(1, ip.size() - 2);
    return is_ipv6(ip) || is_ipv4(ip);
  }
  return ip.empty() || is_ipv4(ip) || is_ipv6(ip);
}

// One short-syntax entry to Ports; false when it is not a valid mapping.
bool parse_short(std::string_view spec, std::vector<Port>& out) {
  std::string proto = "tcp";
  size_t slash = spec.rfind('/');
  if (slash != std::string_view::npos) {
    if (!parse_protocol(spec.substr(slash + 1), proto)) return false;
    spec = spec.substr(0, slash);
  }
  std::string ip, host, cont;
  if (!split_short(spec, ip, host, cont)) return false;
  PortRange c, h;
  if (!parse_range(cont, c, false)) return false;
  bool has_host = !host.empty();
  if (has_host && !parse_range(host, h, true)) return false;
  // A host range with one container port is a pool to pick from; otherwise sizes must match.
  if (has_host && c.count() != h.count() && c.count() != 1) return false;
  for (size_t i = 0; i < c.count(); ++i) {
    Port p;
    p.host_ip = ip;
    p.protocol = proto;
    p.target = uint16_t(c.first + i);
    if (has_host && c.count() == h.count()) {
      p.published_min = p.published_max = uint16_t(h.first + i);
    } else if (has_host) {
      p.published_min = h.first;
      p.published_max = h.last;
    }
    out.push_back(p);
  }
  return true;
}

void read_published(ServiceDraft& d, const Node& v, const std::string& at, Port& port) {
  auto s = read_string(v, at, *d.diags);
  if (!s) return;
  PortRange r;
  if (!parse_range(*s, r, true)) {
    d.error(v, at, "\"" + *s + "\" is not a valid port or port range");
    return;
  }
  port.published_min = r.first;
  port.published_max = r.last;
}

void read_long(ServiceDraft& d, const Node& v, const std::string& at, std::vector<Port>& out) {
  static constexpr std::string_view kKeys[] = {"target",   "published", "host_ip", "protocol",
                                               "mode",     "name",      "app_protocol"};
  check_keys(v, at, kKeys, *d.diags);
  Port port;
  const Node* target = v.find("target");
  if (!target) d.error(v, at, "missing 'target'");
  else if (auto t = read_int(*target, join_path(at, "target"), *d.diags, 1, 65535))
    port.target = uint16_t(*t);
  if (const Node* n = v.find("published")) read_published(d, *n, join_path(at, "published"), port);
  if (const Node* n = v.find("host_ip")) {
    auto ip = read_string(*n, join_path(at, "host_ip"), *d.diags);
    if (ip && !is_ipv4(*ip) && !is_ipv6(*ip))
      d.error(*n, join_path(at, "host_ip"), "'" + *ip + "' is not a valid ip address");
    else if (ip) port.host_ip = *ip;
  }
  if (const Node* n = v.find("protocol")) {
    auto s = read_string(*n, join_path(at, "protocol"), *d.diags);
    if (s && !parse_protocol(*s, port.protocol))
      d.error(*n, join_path(at, "protocol"), "unknown protocol '" + *s + "' (tcp, udp or sctp)");
  }
  if (const Node* n = v.find("mode")) {
    auto s = read_string(*n, join_path(at, "mode"), *d.diags);
    if (s && *s != "host" && *s != "ingress")
      d.error(*n, join_path(at, "mode"), "unknown mode '" + *s + "' (host or ingress)");
    else if (s) port.mode = *s;
  }
  if (const Node* n = v.find("name")) port.name = read_string(*n, join_path(at, "name"), *d.diags).value_or("");
  if (const Node* n = v.find("app_protocol"))
    port.app_protocol = read_string(*n, join_path(at, "app_protocol"), *d.diags).value_or("");
  out.push_back(port);
}

}  // namespace

void read_ports(ServiceDraft& d, const Node& v, const std::string& p) {
  if (!expect_sequence(v, p, *d.diags)) return;
  d.ports_node = &v;
  for (size_t i = 0; i < v.items.size(); ++i) {
    const Node& item = v.items[i];
    std::string at = index_path(p, i);
    size_t before = d.service.ports.size();
    // What the port proxy cannot publish: sctp (expose, which only documents, takes it).
    auto refuse_unpublishable = [&] {
      auto added = std::span(d.service.ports).subspan(before);
      auto key = [&](const char* k) { return item.is_mapping() && item.find(k) ? item.find(k) : nullptr; };
      if (std::any_of(added.begin(), added.end(), [](const Port& port) { return port.protocol == "sctp"; })) {
        const Node* proto = key("protocol");
        d.error(proto ? *proto : item, proto ? join_path(at, "protocol") : at,
                "not supported yet: sctp (published ports are proxied for tcp and udp only)");
      } else {
        return;
      }
      d.service.ports.resize(before);
    };
    if (item.is_mapping()) {
      read_long(d, item, at, d.service.ports);
    } else if (item.is_scalar()) {
      if (!parse_short(item.scalar, d.service.ports))
        d.error(item, at, "\"" + item.scalar + "\" is not a valid port mapping");
    } else {
      type_error(item, at, "a string or a mapping", *d.diags);
    }
    refuse_unpublishable();
  }
}

void finish_ports(ServiceDraft& d) {
  using Kind = NetworkMode::Kind;
  Kind kind = d.service.network_mode.kind;
  if (!d.ports_node || d.service.ports.empty() || kind == Kind::bridge) return;
  if (kind == Kind::host) {
    d.diags->warn(d.ports_node->mark, join_path(d.path, "ports"),
                  "published ports are discarded with network_mode host (as docker does)");
    return;
  }
  // docker: "conflicting options: port publishing and the container type network mode".
  d.error(*d.ports_node, join_path(d.path, "ports"),
          "cannot publish ports with network_mode " + std::string(to_string(kind)) +
              " (the container has no network of its own to publish from)");
}

void read_expose(ServiceDraft& d, const Node& v, const std::string& p) {
  auto list = read_string_list(v, p, *d.diags);
  if (!list) return;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string_view s = (*list)[i];
    std::string proto;
    size_t slash = s.rfind('/');
    PortRange r;
    bool ok = parse_range(s.substr(0, slash), r, false) &&
              (slash == std::string_view::npos || parse_protocol(s.substr(slash + 1), proto));
    if (!ok) d.error(v.items[i], index_path(p, i), "\"" + std::string(s) + "\" is not a valid port");
    else d.service.expose.push_back(std::string(s));
  }
}

}  // namespace stack::spec
