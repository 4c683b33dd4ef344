// Rules the API server enforces that the JSON schemas leave out: object names (DNS-1035 for
// Services, DNS-1123 otherwise), one object per kind and name, label keys and values, container,
// volume and port names, and a workload's selector matching its pod template's labels.
#include <set>

#include "kube/context.hpp"
#include "kube/names.hpp"

namespace stack::kube {

namespace {

using util::Errc;
using util::fail;

util::Result<void> check_labels(const std::string& where, const json& meta) {
  for (const char* field : {"labels", "annotations"}) {
    if (!meta.contains(field)) continue;
    for (const auto& [key, value] : meta[field].items()) {
      if (!is_qualified_name(key))
        return fail(Errc::internal, where + ": " + field + " key '" + key + "' is not valid");
      if (std::string(field) == "labels" && !is_label_value(value.get<std::string>()))
        return fail(Errc::internal, where + ": label value '" + value.get<std::string>() + "' is not valid");
    }
  }
  return util::ok();
}

util::Result<void> check_ports(const std::string& where, const json& ports) {
  std::set<std::string> names;
  for (const json& p : ports) {
    if (!p.contains("name")) continue;
    std::string name = p["name"];
    if (!is_port_name(name))
      return fail(Errc::internal, where + ": port name '" + name + "' is not valid (at most 15 "
                                          "characters of a-z, 0-9 and '-', with a letter)");
    if (!names.insert(name).second)
      return fail(Errc::internal, where + ": port name '" + name + "' is used twice");
  }
  return util::ok();
}

util::Result<void> check_pod(const std::string& where, const json& pod) {
  std::set<std::string> names;
  for (const char* list : {"initContainers", "containers"}) {
    if (!pod.contains(list)) continue;
    for (const json& c : pod[list]) {
      std::string name = c["name"];
      if (!is_dns1123_label(name) || !names.insert(name).second)
        return fail(Errc::internal, where + ": container name '" + name + "' is invalid or used twice");
      if (c.contains("ports")) STACK_TRY(check_ports(where + ": container '" + name + "'", c["ports"]));
    }
  }
  std::set<std::string> volumes;
  if (pod.contains("volumes"))
    for (const json& v : pod["volumes"])
      if (!is_dns1123_label(v["name"].get<std::string>()) || !volumes.insert(v["name"]).second)
        return fail(Errc::internal, where + ": volume name '" + v["name"].get<std::string>() +
                                        "' is invalid or used twice");
  return util::ok();
}

// Every label of spec.selector.matchLabels must be on the pod template.
util::Result<void> check_selector(const std::string& where, const json& spec) {
  const json& labels = spec["template"]["metadata"]["labels"];
  for (const auto& [key, value] : spec["selector"]["matchLabels"].items())
    if (!labels.contains(key) || labels[key] != value)
      return fail(Errc::internal, where + ": selector label '" + key + "' is not on the pod template");
  return util::ok();
}

}  // namespace

util::Result<void> check_objects(const std::vector<Object>& objects) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const Object& o : objects) {
    std::string where = o.kind + " '" + o.name + "'";
    bool valid = o.kind == "Service" ? is_dns1035_label(o.name) : is_dns1123_subdomain(o.name);
    if (!valid) return fail(Errc::invalid_argument, where + ": not a valid name");
    if (!seen.emplace(o.kind, o.name).second)
      return fail(Errc::conflict, where + ": two objects of the stack get this name");
    STACK_TRY(check_labels(where, o.body["metadata"]));
    const json& spec = o.body.contains("spec") ? o.body["spec"] : json::object();
    if (o.kind == "Deployment") STACK_TRY(check_selector(where, spec));
    if (o.kind == "Deployment" || o.kind == "Job") {
      STACK_TRY(check_labels(where + " pod template", spec["template"]["metadata"]));
      STACK_TRY(check_pod(where, spec["template"]["spec"]));
    }
    if (o.kind == "Service" && spec.contains("ports")) STACK_TRY(check_ports(where, spec["ports"]));
  }
  return util::ok();
}

}  // namespace stack::kube
