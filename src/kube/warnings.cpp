#include "kube/warnings.hpp"

#include <algorithm>

namespace stack::kube {

std::string to_string(const Warning& warning) { return warning.path + ": " + warning.message; }

void Warnings::add(std::string path, std::string message) {
  Warning w{std::move(path), std::move(message)};
  // The same key reached twice (a volume shared by two services) is reported once.
  if (std::find(list_.begin(), list_.end(), w) == list_.end()) list_.push_back(std::move(w));
}

}  // namespace stack::kube
