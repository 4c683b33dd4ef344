// ipc, pid and uts: which namespace the container's processes share. Docker's spellings: ipc
// private, shareable (both a namespace of the container's own, which others may join here),
// host, service:NAME, container:NAME; pid host, service:NAME, container:NAME; uts host; cgroup
// host or private (the default here, as on cgroup v2 hosts).
#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"

namespace stack::spec {

namespace {

using Kind = NamespaceMode::Kind;

std::optional<NamespaceMode> parse_shared(std::string_view text) {
  if (text == "host") return NamespaceMode{Kind::host, ""};
  if (text.starts_with("service:") && text.size() > 8) return NamespaceMode{Kind::service, std::string(text.substr(8))};
  if (text.starts_with("container:") && text.size() > 10) {
    return NamespaceMode{Kind::container, std::string(text.substr(10))};
  }
  return std::nullopt;
}

}  // namespace

void read_namespace_mode(ServiceDraft& d, const Node& v, const std::string& p) {
  auto s = read_string(v, p, *d.diags);
  if (!s) return;
  std::string key = p.substr(p.rfind('.') + 1);
  NamespaceMode& mode = key == "ipc" ? d.service.ipc : key == "pid" ? d.service.pid : d.service.uts;
  if (s->empty() || (key == "ipc" && (*s == "private" || *s == "shareable"))) {
    mode = NamespaceMode{};
    return;
  }
  auto parsed = parse_shared(*s);
  if (key == "uts" && parsed && parsed->kind != Kind::host) parsed.reset();
  if (!parsed) {
    const char* valid = key == "ipc"   ? "private, shareable, host, service:NAME or container:NAME"
                        : key == "pid" ? "host, service:NAME or container:NAME"
                                       : "host";
    d.error(v, p, "'" + *s + "' is not a valid " + key + " mode (" + valid + ")");
    return;
  }
  if (parsed->kind == Kind::service && parsed->target == d.service.name) {
    d.error(v, p, "a service cannot share its own " + key + " namespace");
    return;
  }
  mode = *parsed;
  if (key == "uts") d.uts_node = &v;
}

void read_cgroup(ServiceDraft& d, const Node& v, const std::string& p) {
  auto s = read_string(v, p, *d.diags);
  if (!s) return;
  if (*s == "host" || *s == "private") d.service.cgroup_host = *s == "host";
  else d.error(v, p, "'" + *s + "' is not a valid cgroup mode (host or private)");
}

void finish_namespaces(ServiceDraft& d) {
  // The host's hostname is not the container's to change, as docker refuses it.
  if (d.uts_node != nullptr && (!d.service.hostname.empty() || !d.service.domainname.empty())) {
    d.error(*d.uts_node, d.path + ".uts", "host: hostname and domainname cannot be set in the host's UTS namespace");
  }
}

}  // namespace stack::spec
