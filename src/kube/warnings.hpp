// Warnings of the export: one per key that Kubernetes cannot express as the stack file does,
// `key.path: what was dropped or approximated, and why`. Nothing is dropped without one.
#pragma once

#include <string>
#include <vector>

namespace stack::kube {

struct Warning {
  std::string path;     // key path in the stack file, e.g. "services.web.ulimits"
  std::string message;  // what was dropped or approximated, and why
  bool operator==(const Warning&) const = default;
};

// "services.web.ulimits: dropped: ..."
std::string to_string(const Warning& warning);

class Warnings {
 public:
  void add(std::string path, std::string message);
  const std::vector<Warning>& list() const { return list_; }

 private:
  std::vector<Warning> list_;
};

}  // namespace stack::kube
