#include "kube/layout.hpp"

#include <cctype>

namespace stack::kube {

namespace {

nlohmann::json kustomization(const std::vector<std::string>& resources,
                             const std::string& namespace_name) {
  nlohmann::json k = {{"apiVersion", "kustomize.config.k8s.io/v1beta1"},
                      {"kind", "Kustomization"},
                      {"resources", resources}};
  if (!namespace_name.empty()) k["namespace"] = namespace_name;
  return k;
}

std::string file_name(const Object& o) {
  std::string kind;
  for (char c : o.kind) kind += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o.name + "-" + kind + ".yaml";
}

}  // namespace

std::vector<OutputFile> directory_layout(const std::vector<Object>& objects,
                                         const std::string& namespace_name) {
  std::vector<OutputFile> files;
  std::vector<std::string> names;
  for (const Object& o : objects) {
    files.push_back(OutputFile{file_name(o), {o.body}});
    names.push_back(files.back().name);
  }
  files.push_back(OutputFile{"kustomization.yaml", {kustomization(names, namespace_name)}});
  return files;
}

std::vector<OutputFile> single_file_layout(const std::vector<Object>& objects,
                                           const std::string& file_name,
                                           const std::string& namespace_name) {
  OutputFile all{file_name, {}};
  for (const Object& o : objects) all.documents.push_back(o.body);
  return {all, OutputFile{"kustomization.yaml", {kustomization({file_name}, namespace_name)}}};
}

}  // namespace stack::kube
