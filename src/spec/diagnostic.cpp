#include "spec/diagnostic.hpp"

namespace stack::spec {

std::string Diagnostic::format() const {
  std::string out = mark.file_name();
  if (mark.line > 0) out += ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

void Diagnostics::error(const Mark& mark, std::string path, std::string message) {
  list_.push_back(Diagnostic{mark, std::move(path), std::move(message)});
}

void Diagnostics::warn(const Mark& mark, std::string path, std::string message) {
  warnings_.push_back(Diagnostic{mark, std::move(path), std::move(message)});
}

std::string Diagnostics::format() const {
  std::string out;
  for (const auto& d : list_) {
    if (!out.empty()) out += '\n';
    out += d.format();
  }
  return out;
}

void Diagnostics::append(const Diagnostics& other) {
  list_.insert(list_.end(), other.list_.begin(), other.list_.end());
  warnings_.insert(warnings_.end(), other.warnings_.begin(), other.warnings_.end());
}

}  // namespace stack::spec
