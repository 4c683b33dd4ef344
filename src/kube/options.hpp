// kube::Options: what `stack kube generate` was asked for beyond the stack itself (namespace,
// how published ports are exposed, claim sizes, whether host paths and wait containers are made).
#pragma once

#include <string>
#include <vector>

namespace stack::kube {

enum class ServiceType { load_balancer, node_port };

struct Options {
  std::vector<std::string> services;  // empty = every enabled service; dependencies are added
  std::string namespace_name;         // "" = none set (kubectl's current namespace)
  ServiceType service_type = ServiceType::load_balancer;
  std::string volume_size = "1Gi";    // claims without x-kubernetes.size
  bool allow_hostpath = false;        // binds that are no small project file become hostPath
  bool wait_init = true;              // depends_on -> an initContainer that waits
  bool liveness = false;              // healthcheck -> livenessProbe as well
  std::string wait_image = "busybox:1.36";  // the image of the wait initContainers
};

}  // namespace stack::kube
