// Diagnostics for the stack file: one line each, "file:line:col: key.path: message".
#pragma once

#include <string>
#include <vector>

#include "spec/node.hpp"

namespace stack::spec {

struct Diagnostic {
  Mark mark;
  std::string path;     // key path, e.g. "services.web.ports[1]"; may be empty
  std::string message;  // lower-case, no trailing period

  std::string format() const;  // "stack.yaml:14:7: services.web.ports[1]: message"
};

// Collects every violation of one load; loading continues past errors where it can. Warnings
// (an unset variable read as blank, as compose warns) are kept apart: they never fail a load.
class Diagnostics {
 public:
  void error(const Mark& mark, std::string path, std::string message);
  void warn(const Mark& mark, std::string path, std::string message);
  void error(const Node& node, std::string path, std::string message) {
    error(node.mark, std::move(path), std::move(message));
  }
  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  const std::vector<Diagnostic>& list() const { return list_; }
  // Every diagnostic formatted, one per line, in file order.
  std::string format() const;
  void append(const Diagnostics& other);
  const std::vector<Diagnostic>& warnings() const { return warnings_; }

 private:
  std::vector<Diagnostic> list_;
  std::vector<Diagnostic> warnings_;
};

}  // namespace stack::spec
