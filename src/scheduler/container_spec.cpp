#include "scheduler/container_spec.hpp"

#include <chrono>

#include "net/naming.hpp"
#include "spec/security_opt.hpp"

namespace stack::scheduler {

using runtime::shim::HealthCheck;
using runtime::shim::HealthTestKind;
using util::Errc;
using util::Error;
using util::Result;

namespace {

runtime::shim::RestartPolicy restart_policy(const spec::RestartPolicy& p) {
  using K = spec::RestartPolicy::Kind;
  using M = runtime::shim::RestartMode;
  switch (p.kind) {
    case K::no: return {M::no, 0};
    case K::always: return {M::always, 0};
    case K::unless_stopped: return {M::unless_stopped, 0};
    case K::on_failure: return {M::on_failure, p.max_retries.value_or(0)};
  }
  return {};
}

Result<runtime::cgroup::Limits> limits(const spec::Resources& r, const Placement& placement) {
  runtime::cgroup::Limits l;
  l.memory_bytes = r.memory;
  l.memory_swap_bytes = r.memswap;
  l.memory_reservation_bytes = r.memory_reservation;
  l.pids_max = r.pids;
  if (r.cpus && *r.cpus > 0) {
    auto q = runtime::cgroup::cpus_to_quota(*r.cpus);
    l.cpu_quota_us = q.quota_us;
    l.cpu_period_us = q.period_us;
  }
  if (r.cpu_quota) l.cpu_quota_us = r.cpu_quota;
  if (r.cpu_period) l.cpu_period_us = r.cpu_period;
  l.cpu_rt_runtime_us = r.cpu_rt_runtime;
  l.cpu_rt_period_us = r.cpu_rt_period;
  if (r.cpu_shares) l.cpu_shares = static_cast<uint64_t>(*r.cpu_shares);
  l.cpuset_cpus = r.cpuset;
  l.memory_swappiness = r.memory_swappiness;
  l.oom_kill_disable = r.oom_kill_disable;
  l.blkio_weight = r.blkio.weight;
  auto devices = [&](const std::vector<spec::DeviceRate>& in,
                     std::vector<runtime::cgroup::DeviceLimit>& out) -> Result<void> {
    for (const auto& d : in) {
      auto it = placement.devices.find(d.path);
      if (it == placement.devices.end()) {
        return Error(Errc::invalid_argument, "block device '" + d.path + "' not found");
      }
      out.push_back({it->second.first, it->second.second, d.rate});
    }
    return util::ok();
  };
  STACK_TRY(devices(r.blkio.device_read_bps, l.read_bps));
  STACK_TRY(devices(r.blkio.device_write_bps, l.write_bps));
  STACK_TRY(devices(r.blkio.device_read_iops, l.read_iops));
  STACK_TRY(devices(r.blkio.device_write_iops, l.write_iops));
  return l;
}

Result<std::vector<runtime::MountConfig>> mounts(const spec::Service& service, const Placement& p) {
  std::vector<runtime::MountConfig> out;
  for (const spec::Mount& m : service.mounts) {
    runtime::MountConfig c;
    c.destination = m.target;
    c.read_only = m.read_only;
    switch (m.type) {
      case spec::MountType::bind:
        c.type = runtime::MountType::bind;
        c.source = m.source;
        break;
      case spec::MountType::volume: {
        c.type = runtime::MountType::volume;
        const auto& dirs = m.source.empty() ? p.anonymous_volume_dirs : p.volume_dirs;
        auto it = dirs.find(m.source.empty() ? m.target : m.source);
        if (it == dirs.end()) {
          return Error(Errc::internal, "no directory for volume '" + (m.source.empty() ? m.target : m.source) + "'");
        }
        c.source = it->second;
        if (!m.subpath.empty()) c.source += "/" + m.subpath;  // checked by the create step
        break;
      }
      case spec::MountType::image: {
        auto it = p.image_mount_layers.find(m.target);
        if (it == p.image_mount_layers.end()) return Error(Errc::internal, "no layers for the image mounted at '" + m.target + "'");
        c.type = runtime::MountType::image;
        c.image_layers = it->second;
        c.image_subpath = m.subpath;
        c.read_only = true;
        break;
      }
      case spec::MountType::tmpfs:
        c.type = runtime::MountType::tmpfs;
        c.tmpfs_size = static_cast<uint64_t>(m.tmpfs_size.value_or(0));
        if (m.tmpfs_mode) c.tmpfs_mode = *m.tmpfs_mode;
        // docker's default for a tmpfs is noexec (besides the runtime's nosuid,nodev); `exec` undoes it.
        c.tmpfs_options = {"noexec"};
        c.tmpfs_options.insert(c.tmpfs_options.end(), m.tmpfs_options.begin(), m.tmpfs_options.end());
        break;
    }
    out.push_back(std::move(c));
  }
  for (const auto* list : {&service.secrets, &service.configs}) {
    for (const spec::FileMount& m : *list) {
      auto it = p.file_mount_sources.find(m.target);
      if (it == p.file_mount_sources.end()) return Error(Errc::internal, "no file for '" + m.target + "'");
      runtime::MountConfig c;
      c.type = runtime::MountType::bind;
      c.source = it->second;
      c.destination = m.target;
      c.read_only = true;
      out.push_back(std::move(c));
    }
  }
  out.insert(out.end(), p.inherited_mounts.begin(), p.inherited_mounts.end());
  return out;
}

}  // namespace

std::string anonymous_volume_name(const std::string& container, const std::string& target) {
  return container + "_" + net::sha256_hex(target, 12);
}

std::string cgroup_path(const std::string& project, const std::string& name) {
  return "stack/" + project + "/" + name;
}

image::RunOverrides run_overrides(const spec::Service& s) {
  image::RunOverrides o;
  o.entrypoint = s.entrypoint;
  o.command = s.command;
  for (const auto& [k, v] : s.environment) o.environment.emplace_back(k, v);
  if (!s.working_dir.empty()) o.working_dir = s.working_dir;
  if (!s.user.empty()) o.user = s.user;
  if (!s.stop_signal.empty()) o.stop_signal = s.stop_signal;
  o.labels = s.labels;
  if (s.healthcheck) {
    image::Healthcheck h;
    h.test = s.healthcheck->disable ? std::vector<std::string>{"NONE"} : s.healthcheck->test;
    h.interval = s.healthcheck->interval.value_or(std::chrono::nanoseconds(0));
    h.timeout = s.healthcheck->timeout.value_or(std::chrono::nanoseconds(0));
    h.start_period = s.healthcheck->start_period.value_or(std::chrono::nanoseconds(0));
    h.start_interval = s.healthcheck->start_interval.value_or(std::chrono::nanoseconds(0));
    h.retries = s.healthcheck->retries.value_or(0);
    o.healthcheck = h;
  }
  return o;
}

std::optional<HealthCheck> shim_healthcheck(const image::RunConfig& run) {
  if (!run.healthcheck || run.healthcheck->test.empty()) return std::nullopt;
  const auto& t = run.healthcheck->test;
  HealthCheck h;
  if (t[0] == "NONE") return std::nullopt;
  if (t[0] == "CMD-SHELL") {
    h.kind = HealthTestKind::cmd_shell;
    h.test.assign(t.begin() + 1, t.end());
  } else if (t[0] == "CMD") {
    h.kind = HealthTestKind::cmd;
    h.test.assign(t.begin() + 1, t.end());
  } else {
    h.kind = HealthTestKind::cmd_shell;  // a bare string, as compose's `test: curl ...`
    h.test = t;
  }
  if (h.test.empty()) return std::nullopt;
  const auto& c = *run.healthcheck;
  if (c.interval.count() > 0) h.interval = c.interval;
  if (c.timeout.count() > 0) h.timeout = c.timeout;
  if (c.start_period.count() > 0) h.start_period = c.start_period;
  if (c.start_interval.count() > 0) h.start_interval = c.start_interval;
  if (c.retries > 0) h.retries = c.retries;
  return h;
}

Result<runtime::shim::ShimConfig> make_shim_config(const spec::Service& s, const image::RunConfig& run,
                                                   const Placement& p) {
  runtime::shim::ShimConfig config;
  runtime::ContainerConfig& c = config.container;
  c.id = p.name;
  c.rootfs.lower_layers = p.layer_dirs;
  c.read_only = s.read_only;
  c.args = run.argv();
  if (c.args.empty()) {
    return Error(Errc::invalid_argument, "no command: the image has no Entrypoint or Cmd and the "
                 "service sets neither entrypoint nor command");
  }
  c.env = run.env;
  c.cwd = run.working_dir.empty() ? "/" : run.working_dir;
  c.user = run.user;
  c.additional_groups = s.group_add;
  c.host_cgroupns = s.cgroup_host;
  c.tty = s.tty;
  c.ipc = p.ipc;
  c.pid = p.pid;
  c.uts = p.uts;
  // A shared UTS namespace keeps its own names (the stack file refuses hostname with uts: host).
  if (c.uts.mode == runtime::ShareMode::own) {
    c.hostname = s.hostname.empty() ? p.name.substr(0, 63) : s.hostname;
    c.domainname = s.domainname;
  }
  c.network = p.network;
  STACK_ASSIGN_OR_RETURN(c.mounts, mounts(s, p));
  if (!p.etc_dir.empty()) {
    c.etc_files.hosts = p.etc_dir + "/hosts";
    c.etc_files.hostname = p.etc_dir + "/hostname";
    c.etc_files.resolv_conf = p.etc_dir + "/resolv.conf";
  }
  if (s.shm_size) c.shm_size = static_cast<uint64_t>(*s.shm_size);
  for (const auto& [name, u] : s.ulimits) {
    c.rlimits[name] = {static_cast<uint64_t>(u.soft), static_cast<uint64_t>(u.hard)};
  }
  c.sysctls = s.sysctls;
  c.devices = p.device_nodes;
  c.device_cgroup_rules = s.device_cgroup_rules;
  c.oom_score_adj = s.oom_score_adj;
  c.security.capabilities = {s.cap_add, s.cap_drop, s.privileged};
  // The stack file admits only what is mapped here (spec/normalize_security.cpp): label=disable and
  // apparmor=unconfined ask for what every container is, without SELinux labels or AppArmor profile.
  for (const std::string& opt : s.security_opt) {
    spec::SecurityOpt o = spec::split_security_opt(opt);
    if (o.name == "seccomp" && o.value == "unconfined") {
      c.security.seccomp = runtime::SeccompMode::unconfined;
    } else if (o.name == "no-new-privileges") {
      c.security.no_new_privileges = !o.has_value || spec::parse_go_bool(o.value).value_or(true);
    } else if (o.name == "systempaths" && o.value == "unconfined") {
      c.masked_paths.clear();
      c.readonly_paths.clear();
    } else if (!(o.name == "seccomp" && o.value == "builtin") && !(o.name == "label" && o.value == "disable") &&
               !(o.name == "disable" && !o.has_value) && !(o.name == "apparmor" && o.value == "unconfined")) {
      return Error(Errc::internal, "security_opt '" + opt + "' passed the stack file's checks but has no mapping");
    }
  }
  c.init = s.init.value_or(false);

  config.cgroup_path = cgroup_path(p.project, p.name);
  STACK_ASSIGN_OR_RETURN(config.limits, limits(s.resources, p));
  config.restart = restart_policy(s.restart);
  config.stdin_open = s.stdin_open;
  std::string signal = run.stop_signal.empty() ? "SIGTERM" : run.stop_signal;
  STACK_ASSIGN_OR_RETURN(config.stop_signal, runtime::shim::parse_signal(signal));
  config.stop_grace_period = s.stop_grace_period.value_or(std::chrono::seconds(10));
  if (s.logging.max_size) config.log.max_size = *s.logging.max_size;
  if (s.logging.max_file) config.log.max_file = *s.logging.max_file;
  config.healthcheck = shim_healthcheck(run);
  if (config.healthcheck) {
    // The same order of names in both enums (spec::Service::HealthAction, shim::HealthAction).
    config.healthcheck->on_failure = static_cast<runtime::shim::HealthAction>(s.health_on_failure);
  }
  config.ports = p.ports;
  config.labels = run.labels;
  config.labels[kLabelProject] = p.project;
  config.labels[kLabelService] = s.name;
  config.labels[kLabelNumber] = std::to_string(p.number);
  config.labels[kLabelConfigHash] = p.config_hash;
  config.labels[kLabelOneOff] = p.one_off ? "True" : "False";
  config.labels[kLabelImage] = p.image_ref;
  for (const auto& [network, address] : p.addresses) config.labels[kLabelNetworkPrefix + network] = address;
  for (const auto& [network, address] : p.addresses6) config.labels[kLabelNetwork6Prefix + network] = address;
  return config;
}

}  // namespace stack::scheduler
