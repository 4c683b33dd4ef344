// How an export is laid out in a directory for `kubectl apply -k`: one file per object, named
// `<name>-<kind>.yaml` in lower case, and a kustomization.yaml that lists them in apply order.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/generate.hpp"

namespace stack::kube {

struct OutputFile {
  std::string name;                     // file name inside the directory
  std::vector<nlohmann::json> documents;  // YAML documents, in order
};

// One file per object, then kustomization.yaml.
std::vector<OutputFile> directory_layout(const std::vector<Object>& objects,
                                         const std::string& namespace_name);
// All objects in `file_name`, then kustomization.yaml naming it.
std::vector<OutputFile> single_file_layout(const std::vector<Object>& objects,
                                           const std::string& file_name,
                                           const std::string& namespace_name);

}  // namespace stack::kube
