#include "build/run_step.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "build/build_network.hpp"
#include "image/fs.hpp"
#include "runtime/cgroup/devices.hpp"
#include "runtime/cgroup/factory.hpp"
#include "runtime/container/cgroup_hook.hpp"
#include "runtime/container/container.hpp"
#include "util/fd.hpp"

namespace stack::build {

using util::Errc;
using util::Error;
using util::fail;

namespace {

Result<void> write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) return fail(Errc::io, "write '" + path + "'");
  return util::ok();
}

// hosts, hostname and resolv.conf for the step: the host's resolv.conf with the host network, the
// nameservers of it that the step can reach with the bridge, none without a network.
Result<runtime::EtcFiles> etc_files(const RunSpec& spec) {
  runtime::EtcFiles f{spec.scratch_dir + "/hosts", spec.scratch_dir + "/hostname", spec.scratch_dir + "/resolv.conf"};
  std::string hosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  for (const auto& [name, address] : spec.extra_hosts) hosts += address + "\t" + name + "\n";
  STACK_TRY(write_text(f.hosts, hosts));
  STACK_TRY(write_text(f.hostname, "stack-build\n"));
  std::string resolv;
  if (spec.network == RunNetwork::host) {
    std::ifstream in("/etc/resolv.conf");
    std::stringstream ss;
    ss << in.rdbuf();
    resolv = ss.str();
  } else if (spec.network == RunNetwork::bridge) {
    resolv = read_build_resolv_conf();
  }
  STACK_TRY(write_text(f.resolv_conf, resolv));
  return f;
}

void pump(int fd, const std::function<void(std::string_view)>& output) {
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    if (output) output(std::string_view(buf, static_cast<size_t>(n)));
  }
}

}  // namespace

Result<int> run_in_container(const RunSpec& spec) {
  if (spec.lower_layers.empty()) return fail(Errc::internal, "RUN without a lower layer");
  const std::string& id = spec.container_id;
  runtime::ContainerConfig c;
  c.id = id;
  c.rootfs.lower_layers = spec.lower_layers;
  c.rootfs.upper_dir = spec.scratch_dir + "/upper";
  c.rootfs.work_dir = spec.scratch_dir + "/work";
  c.rootfs.merged_dir = spec.scratch_dir + "/merged";
  c.args = spec.args;
  c.env = spec.env;
  c.cwd = spec.cwd.empty() ? "/" : spec.cwd;
  c.user = spec.user;
  c.hostname = "stack-build";
  c.die_with_parent = true;  // an interrupted or killed build leaves no step running
  if (spec.shm_size > 0) c.shm_size = static_cast<std::uint64_t>(spec.shm_size);
  for (const StepMount& m : spec.mounts) {
    runtime::MountConfig mount;
    mount.type = m.source.empty() ? runtime::MountType::tmpfs : runtime::MountType::bind;
    mount.source = m.source;
    mount.destination = m.target;
    mount.read_only = m.read_only;
    mount.tmpfs_size = m.tmpfs_size;
    c.mounts.push_back(std::move(mount));
  }
  c.network.mode = spec.network == RunNetwork::host   ? runtime::NetworkMode::host
                   : spec.network == RunNetwork::bridge ? runtime::NetworkMode::own
                                                        : runtime::NetworkMode::none;
  // Made here, not by Container::create(): remove() deletes what create() made, and the upper
  // directory must outlive the container to become the layer.
  for (const std::string* dir : {&c.rootfs.upper_dir, &c.rootfs.work_dir, &c.rootfs.merged_dir}) {
    if (::mkdir(dir->c_str(), 0755) != 0) return Error::from_errno("mkdir '" + *dir + "'");
  }
  STACK_ASSIGN_OR_RETURN(c.etc_files, etc_files(spec));
  STACK_ASSIGN_OR_RETURN(util::Pipe out, util::Pipe::make());
  c.stdout_fd = out.write.get();
  c.stderr_fd = out.write.get();

  STACK_ASSIGN_OR_RETURN(auto cgroup, runtime::cgroup::open_cgroup("stack/_build/" + id));
  runtime::CreateHooks hooks{.join_cgroup = runtime::join_cgroup_hook(*cgroup)};
  std::unique_ptr<net::Network> links;
  if (spec.network == RunNetwork::bridge) {
    links = net::make_netlink_network();
    hooks.setup_network = [&](pid_t pid) { return links->attach_pid(pid, spec.attachment); };
  }
  auto result = [&]() -> Result<int> {
    runtime::cgroup::Limits limits;
    limits.devices = runtime::cgroup::default_device_rules();
    STACK_TRY(cgroup->create(limits).context("cgroup 'stack/_build/" + id + "'"));
    runtime::CgroupEntry entry = runtime::cgroup_entry(*cgroup);  // no move by this process
    hooks.clone_into_cgroup = entry.clone_target.get();
    hooks.cgroup_tasks = entry.task_fds();
    STACK_ASSIGN_OR_RETURN(runtime::Container container,
                           runtime::Container::create(c, hooks));
    auto started = container.start();
    out.write.reset();  // the container holds the only write end now: end of file when it is done
    if (!started) {
      (void)container.remove();
      return std::move(started).error();
    }
    pump(out.read.get(), spec.output);
    auto status = container.wait();
    STACK_TRY(container.remove());
    if (!status) return std::move(status).error();
    return status->signal ? 128 + status->signal : status->code;
  }();
  auto destroyed = cgroup->destroy();
  // The kernel deletes the veth with the step's netns, but later, from a work queue: deleted now,
  // the bridge that the build removes at its end has no port left.
  auto detached = links ? links->detach(spec.attachment.host_veth) : Result<bool>(false);
  if (result && !destroyed) return std::move(destroyed).error();
  if (result && !detached) return std::move(detached).error();
  return result;
}

}  // namespace stack::build
