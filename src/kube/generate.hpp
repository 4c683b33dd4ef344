// kube::generate: the compiled stack model as Kubernetes objects (Deployments and Jobs, Services,
// ConfigMaps, Secrets, PersistentVolumeClaims, NetworkPolicies), with a warning for every key that
// Kubernetes cannot express as the stack file does. Pure but for reading bind-mount sources and
// secret and config files through FileSource; nothing on the host is changed. docs/kubernetes.md
// has the mapping.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/files.hpp"
#include "kube/options.hpp"
#include "kube/warnings.hpp"
#include "spec/model.hpp"
#include "util/result.hpp"

namespace stack::kube {

struct Object {
  std::string kind;
  std::string name;
  nlohmann::json body;  // the whole object: apiVersion, kind, metadata, spec or data
};

struct Export {
  std::vector<Object> objects;  // in apply order: config, storage, Services, workloads, policies
  std::vector<Warning> warnings;
};

// Errors: an unknown service in options.services, names that clash once made valid, a bind
// mount that cannot become a ConfigMap without --allow-hostpath, a secret or config file that
// cannot become a Secret or ConfigMap (missing, not a regular file, over 1 MiB), an invalid option.
util::Result<Export> generate(const spec::Stack& stack, const Options& options,
                              const FileSource& files);

}  // namespace stack::kube
