// devices and device_cgroup_rules: host device nodes made in the container, and extra rules of the
// devices cgroup. Every default rule and every node is checked here, so that `up` never fails on
// a rule the runtime would refuse; only whether the host has the device is left to creation.
#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"
#include "util/device_rule.hpp"

namespace stack::spec {

namespace {

bool is_permissions(std::string_view text) { return util::parse_device_access(text).has_value(); }

// HOST[:CONTAINER][:PERMISSIONS], as docker's --device: "/dev/sdc:rw" gives permissions only.
bool split_short(const std::string& text, DeviceMapping& m) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t colon; (colon = text.find(':', start)) != std::string::npos; start = colon + 1) {
    parts.push_back(text.substr(start, colon - start));
  }
  parts.push_back(text.substr(start));
  if (parts.size() > 3) return false;
  m.source = parts[0];
  if (parts.size() == 2 && is_permissions(parts[1])) {
    m.permissions = parts[1];
  } else if (parts.size() >= 2) {
    m.target = parts[1];
    if (parts.size() == 3) m.permissions = parts[2];
  }
  return true;
}

void check_mapping(ServiceDraft& d, const Node& item, const std::string& at, DeviceMapping& m) {
  if (m.source.empty() || m.source[0] != '/') {
    // CDI names (vendor.com/class=name) need a CDI registry, which stack does not read.
    std::string why = m.source.find('=') != std::string::npos
                          ? "not supported: CDI device names need a CDI registry; give the host path of the device"
                          : "the host path of the device must be absolute";
    d.error(item, at, "'" + m.source + "': " + why);
    return;
  }
  if (m.target.empty()) m.target = m.source;
  m.target = clean_container_path(m.target);
  if (m.target.rfind("/dev/", 0) != 0 || m.target.size() <= 5) {
    d.error(item, at, "'" + m.target + "': not supported yet: device nodes are made below /dev");
    return;
  }
  if (!is_permissions(m.permissions)) {
    d.error(item, at, "permissions '" + m.permissions + "' are not a subset of 'rwm'");
    return;
  }
  d.service.devices.push_back(std::move(m));
}

}  // namespace

void read_devices(ServiceDraft& d, const Node& v, const std::string& p) {
  if (!expect_sequence(v, p, *d.diags)) return;
  for (size_t i = 0; i < v.items.size(); ++i) {
    const Node& item = v.items[i];
    std::string at = index_path(p, i);
    DeviceMapping m;
    m.location = location_of(item, at);
    if (item.is_scalar()) {
      if (!split_short(item.scalar, m)) {
        d.error(item, at, "'" + item.scalar + "' is not HOST[:CONTAINER][:PERMISSIONS]");
        continue;
      }
    } else if (item.is_mapping()) {
      static constexpr std::string_view kKeys[] = {"source", "target", "permissions"};
      check_keys(item, at, kKeys, *d.diags);
      const Node* source = item.find("source");
      if (source == nullptr) {
        d.error(item, at, "missing 'source'");
        continue;
      }
      auto s = read_string(*source, join_path(at, "source"), *d.diags);
      if (!s) continue;
      m.source = *s;
      if (const Node* n = item.find("target")) m.target = read_string(*n, join_path(at, "target"), *d.diags).value_or("");
      if (const Node* n = item.find("permissions")) {
        m.permissions = read_string(*n, join_path(at, "permissions"), *d.diags).value_or("rwm");
      }
    } else {
      type_error(item, at, "a string or a mapping", *d.diags);
      continue;
    }
    check_mapping(d, item, at, m);
  }
}

void read_device_cgroup_rules(ServiceDraft& d, const Node& v, const std::string& p) {
  auto list = read_string_list(v, p, *d.diags);
  if (!list) return;
  for (size_t i = 0; i < list->size(); ++i) {
    auto rule = util::parse_device_rule((*list)[i]);
    if (!rule) {
      d.error(v.items[i], index_path(p, i), rule.error().message());
      continue;
    }
    d.service.device_cgroup_rules.push_back(util::to_string(*rule));
  }
}

}  // namespace stack::spec
