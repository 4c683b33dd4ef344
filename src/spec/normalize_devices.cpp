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
  size_t first = text.find(':');
  m.source = text.substr(0, first);
  if (first == std::string::npos) return true;
  size_t second = text.find(':', first + 1);
  std::string middle = text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  if (second == std::string::npos) {
    (is_permissions(middle) ? m.permissions : m.target) = middle;
    return true;
  }
  if (text.find(':', second + 1) != std::string::npos) return false;
  m.target = middle;
  m.permissions = text.substr(second + 1);
  return true;
}

bool check_mapping(ServiceDraft& d, const Node& item, const std::string& at, DeviceMapping& m) {
  if (m.source.empty() || m.source[0] != '/') {
    // CDI names (vendor.com/class=name) need a CDI registry, which stack does not read.
    std::string why = m.source.find('=') != std::string::npos
                          ? "not supported: CDI device names need a CDI registry; give the host path of the device"
                          : "the host path of the device must be absolute";
    d.error(item, at, "'" + m.source + "': " + why);
    return false;
  }
  if (m.target.empty()) m.target = m.source;
  m.target = clean_container_path(m.target);
  if (m.target.rfind("/dev/", 0) != 0 || m.target.size() <= 5) {
    d.error(item, at, "'" + m.target + "': not supported yet: device nodes are made below /dev");
    return false;
  }
  if (!is_permissions(m.permissions)) {
    d.error(item, at, "permissions '" + m.permissions + "' are not a subset of 'rwm'");
    return false;
  }
  return true;
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
    if (check_mapping(d, item, at, m)) d.service.devices.push_back(m);
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
