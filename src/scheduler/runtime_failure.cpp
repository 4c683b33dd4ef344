#include "scheduler/runtime_failure.hpp"

#include <utility>

namespace stack::scheduler {

namespace {

struct SubjectKey {
  std::string_view subject;
  std::string_view key;
};

// The runtime's setup steps (runtime/container/steps.cpp) and cgroup files (v1 and v2,
// runtime/cgroup/*.cpp) that a compose key asks for.
constexpr SubjectKey kKeys[] = {
    {"user", "user"},
    {"switch user", "user"},
    {"group_add", "group_add"},
    {"network", "network_mode"},
    {"mounts", "volumes"},
    {"dev", "devices"},
    {"dev/shm", "shm_size"},
    {"workdir", "working_dir"},
    {"cwd", "working_dir"},
    {"hostname", "hostname"},
    {"sysctl", "sysctls"},
    {"rlimits", "ulimits"},
    {"oom_score_adj", "oom_score_adj"},
    {"bounding set", "cap_add"},
    {"capabilities", "cap_add"},
    {"seccomp", "security_opt"},
    {"no_new_privs", "security_opt"},
    {"read-only rootfs", "read_only"},
    {"tty", "tty"},
    {"cgroup cpuset.cpus", "cpuset"},
    {"cgroup memory.limit_in_bytes", "mem_limit"},
    {"cgroup memory.max", "mem_limit"},
    {"cgroup memory.memsw.limit_in_bytes", "memswap_limit"},
    {"cgroup memory.swap.max", "memswap_limit"},
    {"cgroup memory.soft_limit_in_bytes", "mem_reservation"},
    {"cgroup memory.low", "mem_reservation"},
    {"cgroup memory.swappiness", "mem_swappiness"},
    {"cgroup memory.oom_control", "oom_kill_disable"},
    {"cgroup pids.max", "pids_limit"},
    {"cgroup cpu.shares", "cpu_shares"},
    {"cgroup cpu.weight", "cpu_shares"},
    {"cgroup cpu.cfs_quota_us", "cpus"},
    {"cgroup cpu.cfs_period_us", "cpus"},
    {"cgroup cpu.max", "cpus"},
    {"cgroup blkio.weight", "blkio_config.weight"},
    {"cgroup io.weight", "blkio_config.weight"},
    {"cgroup blkio.throttle.read_bps_device", "blkio_config.device_read_bps"},
    {"cgroup blkio.throttle.write_bps_device", "blkio_config.device_write_bps"},
    {"cgroup blkio.throttle.read_iops_device", "blkio_config.device_read_iops"},
    {"cgroup blkio.throttle.write_iops_device", "blkio_config.device_write_iops"},
    {"cgroup io.max", "blkio_config"},
};

}  // namespace

std::optional<std::string> service_key_of(std::string_view subject, const spec::Service* service) {
  if (subject == "exec") {
    if (service == nullptr) return std::nullopt;
    if (service->entrypoint) return "entrypoint";
    if (service->command) return "command";
    return std::nullopt;  // the image's own: no key of the file asked for it
  }
  for (const SubjectKey& k : kKeys) {
    if (k.subject == subject) return std::string(k.key);
  }
  return std::nullopt;
}

util::Error in_service_terms(std::string_view service_name, util::Error error, const spec::Service* service) {
  auto key = service_key_of(error.subject(), service);
  if (!key) return error;
  return std::move(error).context("services." + std::string(service_name) + "." + *key);
}

}  // namespace stack::scheduler
