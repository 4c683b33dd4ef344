// Creating one container, as an ordered table of named steps (as the runtime's container setup,
// runtime/container/steps.hpp). Each step registers the undo of what it made as it makes it; when
// a step fails, the undos run in reverse order, so that a failed creation leaves nothing behind.
// An undo that fails stops the unwinding: what is left stays in the project record, where `down`
// finds it (destroy_container derives every resource from the container's name).
//
//   record -> image -> volumes -> volumes_from -> file mounts -> devices -> network (netns, per network an address
//   and a veth) -> etc files -> ports -> shim config -> networks ready -> container
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <span>

#include "image/init_layer.hpp"
#include "net/naming.hpp"
#include "scheduler/container_spec.hpp"
#include "scheduler/engine_impl.hpp"
#include "scheduler/file_mounts.hpp"
#include "scheduler/host_devices.hpp"
#include "scheduler/host_ports.hpp"
#include "scheduler/runtime_failure.hpp"
#include "spec/hash.hpp"
#include "util/atomic_file.hpp"
#include "util/top_directory.hpp"
#include "util/state_root.hpp"

namespace stack::scheduler {

using util::Errc;
using util::Error;
using util::Result;

namespace fs = std::filesystem;

namespace {

struct Creation {
  Engine::Impl& impl;
  const Engine::Impl::CreateRequest& req;
  ProjectState& state;
  const spec::Stack& stack = *req.stack;
  const spec::Service& service = *req.service;
  const std::string& name = req.name;

  ResolvedImage resolved;
  image::RunConfig run;
  Placement p;
  Endpoint endpoint;
  std::string first_address;
  runtime::shim::ShimConfig config;

  struct Undo {
    std::string what;
    std::function<Result<void>()> action;
  };
  std::vector<Undo> undos;  // in the order made
  bool etc_dir_undo = false;

  void on_undo(std::string what, std::function<Result<void>()> action) {
    undos.push_back({std::move(what), std::move(action)});
  }
  // The container's etc directory (its files, its secrets and configs), removed once on undo.
  void undo_etc_dir() {
    if (etc_dir_undo) return;
    etc_dir_undo = true;
    on_undo("etc files", [this] { return impl.remove_etc_dir(stack.name, name); });
  }
};

struct CreateStep {
  const char* name;
  Result<void> (*run)(Creation&);
};

Result<void> step_record(Creation& c) {
  STACK_TRY(c.state.add_container(c.name));
  c.on_undo("record", [&c]() -> Result<void> {
    // With the addresses reserved for it before it was made (reserve_new_containers).
    STACK_TRY(c.impl.release_addresses(c.name));
    return c.state.remove_container(c.name);
  });
  return util::ok();
}

Result<void> step_image(Creation& c) {
  STACK_ASSIGN_OR_RETURN(c.resolved, c.impl.images(c.service));
  Placement& p = c.p;
  p.project = c.stack.name;
  p.name = c.name;
  p.number = c.req.number;
  p.config_hash = spec::config_hash(c.service);
  p.one_off = c.req.one_off;
  p.image_ref = c.service.image;
  p.layer_dirs = c.resolved.layer_dirs;
  c.run = image::combine(c.resolved.image.config, run_overrides(c.service));
  return util::ok();
}

// volume.subpath: it must exist in the volume, as docker requires, and stay inside it (a symlink
// in the volume must not lead the mount out).
Result<void> check_subpath(const std::string& volume_dir, const std::string& subpath, const std::string& key,
                           const std::string& volume) {
  std::error_code ec;
  const fs::path root = fs::canonical(volume_dir, ec);
  if (ec) return Error::from_errno(key + ": volume '" + volume + "'", ec.value());
  const fs::path target = fs::canonical(fs::path(volume_dir) / subpath, ec);
  if (ec) return Error(Errc::not_found, key + ": '" + subpath + "' does not exist in volume '" + volume + "'");
  auto [end, _] = std::mismatch(root.begin(), root.end(), target.begin(), target.end());
  if (end != root.end()) return Error(Errc::invalid_argument, key + ": '" + subpath + "' leads out of volume '" + volume + "'");
  return util::ok();
}

Result<void> step_volumes(Creation& c) {
  for (size_t i = 0; i < c.service.mounts.size(); ++i) {
    const spec::Mount& m = c.service.mounts[i];
    if (m.type == spec::MountType::volume && !m.subpath.empty()) {
      const spec::Volume* v = m.source.empty() ? nullptr : c.stack.find_volume(m.source);
      const std::string key = "services." + c.service.name + ".volumes[" + std::to_string(i) + "].volume.subpath";
      if (v != nullptr) {
        STACK_TRY(make_dir(c.impl.volume_dir(v->name)));
        STACK_TRY(check_subpath(c.impl.volume_dir(v->name), m.subpath, key, v->name));
      } else {
        return Error(Errc::not_found, key + ": '" + m.subpath + "' does not exist in a new anonymous volume");
      }
    }
    if (m.type == spec::MountType::volume && m.source.empty()) {
      // Anonymous volumes outlive a failed creation, as docker's do: `down -v` removes them.
      std::string volume = anonymous_volume_name(c.name, m.target);
      STACK_TRY(c.state.add_volume(volume));
      STACK_TRY(make_dir(c.impl.volume_dir(volume)));
      c.p.anonymous_volume_dirs[m.target] = c.impl.volume_dir(volume);
    } else if (m.type == spec::MountType::volume) {
      const spec::Volume* v = c.stack.find_volume(m.source);
      if (v == nullptr) return Error(Errc::internal, "volume '" + m.source + "' is not declared");
      c.p.volume_dirs[m.source] = c.impl.volume_dir(v->name);
    } else if (m.type == spec::MountType::bind && m.create_host_path) {
      std::error_code ec;
      if (!fs::exists(m.source, ec)) STACK_TRY(make_dir(m.source));
    } else if (m.type == spec::MountType::image) {
      // Found, or pulled when missing, as docker does for an image mount; errors name the item
      // ("services.web.volumes[0].image: ...").
      spec::Service source;
      source.name = c.service.name + ".volumes[" + std::to_string(i) + "]";
      source.image = m.source;
      STACK_ASSIGN_OR_RETURN(ResolvedImage image, c.impl.images(source));
      c.p.image_mount_layers[m.target] = std::move(image.layer_dirs);
    }
  }
  return util::ok();
}

// Whether the service mounts something of its own at target (a volume, bind, tmpfs, secret or
// config): volumes_from leaves that path alone, as docker does.
bool mounts_itself(const spec::Service& service, const std::string& target) {
  auto at = [&](const auto& m) { return m.target == target; };
  return std::any_of(service.mounts.begin(), service.mounts.end(), at) ||
         std::any_of(service.secrets.begin(), service.secrets.end(), at) ||
         std::any_of(service.configs.begin(), service.configs.end(), at);
}

// volumes_from: container:NAME, any container of this state root: its volumes and binds as its
// runtime config has them. Not its tmpfs, nor the secrets, configs and etc files that stack made
// for it (under the projects directory): those are that container's own, as in docker.
Result<void> inherit_from_container(Creation& c, const spec::VolumesFrom& from, const std::string& key,
                                    std::set<std::string>& taken) {
  auto config = c.impl.runtime.config(from.container);
  if (!config) {
    if (config.error().code() == Errc::not_found || config.error().code() == Errc::invalid_argument) {
      return Error(Errc::not_found, key + "no container '" + from.container + "'");
    }
    return std::move(config).error().context(key + "container '" + from.container + "'");
  }
  const std::string made_by_stack = util::StateRoot(c.impl.options.root).projects() + "/";
  for (const runtime::MountConfig& m : config->container.mounts) {
    if (m.type == runtime::MountType::tmpfs || m.source.starts_with(made_by_stack)) continue;
    if (mounts_itself(c.service, m.destination) || !taken.insert(m.destination).second) continue;
    runtime::MountConfig mount = m;
    mount.read_only = from.read_only.value_or(m.read_only);
    c.p.inherited_mounts.push_back(std::move(mount));
  }
  return util::ok();
}

// volumes_from: the volumes and binds of the source service's first container (its anonymous
// volumes too: the "data container" pattern); tmpfs is not copied, as in docker.
Result<void> step_volumes_from(Creation& c) {
  std::set<std::string> taken;
  for (const spec::VolumesFrom& from : c.service.volumes_from) {
    const std::string key = "services." + c.service.name + ".volumes_from: ";
    if (!from.container.empty()) {
      STACK_TRY(inherit_from_container(c, from, key, taken));
      continue;
    }
    const spec::Service* source = c.stack.find_service(from.service);
    if (source == nullptr) return Error(Errc::internal, key + "no service '" + from.service + "'");
    DesiredService d{source->name, "", 1, source->container_name};
    const std::string owner = container_name(c.stack.name, d, 1);
    for (const spec::Mount& m : source->mounts) {
      // Not its tmpfs (docker copies none), nor an image mount (its layers are resolved for its own
      // containers only).
      if (m.type == spec::MountType::tmpfs || m.type == spec::MountType::image || mounts_itself(c.service, m.target) ||
          !taken.insert(m.target).second) {
        continue;
      }
      runtime::MountConfig mount;
      mount.destination = m.target;
      mount.read_only = from.read_only.value_or(m.read_only);
      mount.type = m.type == spec::MountType::bind ? runtime::MountType::bind : runtime::MountType::volume;
      mount.source = m.source;
      if (m.type == spec::MountType::volume) {
        const spec::Volume* v = m.source.empty() ? nullptr : c.stack.find_volume(m.source);
        if (!m.source.empty() && v == nullptr) return Error(Errc::internal, key + "volume '" + m.source + "' is not declared");
        mount.source = c.impl.volume_dir(v ? v->name : anonymous_volume_name(owner, m.target));
        if (!fs::exists(mount.source)) {
          return Error(Errc::not_found, key + "'" + owner + "' has no volume at " + m.target + " (is it created?)");
        }
      }
      c.p.inherited_mounts.push_back(std::move(mount));
    }
  }
  return util::ok();
}

// Secrets and configs, in the container's etc directory.
Result<void> step_file_mounts(Creation& c) {
  c.undo_etc_dir();
  STACK_ASSIGN_OR_RETURN(c.p.file_mount_sources,
                         write_file_mounts(c.stack, c.service, c.impl.etc_dir(c.stack.name, c.name) + "/files"));
  return util::ok();
}

Result<void> step_devices(Creation& c) {
  const auto& blkio = c.service.resources.blkio;
  for (const auto* list : {&blkio.device_read_bps, &blkio.device_write_bps, &blkio.device_read_iops,
                           &blkio.device_write_iops}) {
    for (const auto& d : *list) {
      struct stat st {};
      if (::stat(d.path.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) {
        return Error(Errc::invalid_argument, "'" + d.path + "' is not a block device");
      }
      c.p.devices[d.path] = {major(st.st_rdev), minor(st.st_rdev)};
    }
  }
  for (const spec::DeviceMapping& m : c.service.devices) {
    STACK_ASSIGN_OR_RETURN(std::vector<runtime::DeviceNode> nodes, host_device_nodes(m));
    c.p.device_nodes.insert(c.p.device_nodes.end(), nodes.begin(), nodes.end());
  }
  if (c.service.privileged) {
    // Every host device too, as docker's privileged; a `devices` entry at the same path wins.
    for (runtime::DeviceNode& n : all_host_device_nodes()) {
      bool mapped = std::any_of(c.p.device_nodes.begin(), c.p.device_nodes.end(),
                                [&](const runtime::DeviceNode& d) { return d.path == n.path; });
      if (!mapped) c.p.device_nodes.push_back(std::move(n));
    }
  }
  return util::ok();
}

// ipc, pid and uts: which container's namespaces to join. The shim looks the container's process
// up at each start (a restarted target has a new one); service:X is X's first replica, as for
// network_mode.
Result<void> step_namespaces(Creation& c) {
  using Kind = spec::NamespaceMode::Kind;
  for (auto [mode, share] : {std::pair{&c.service.ipc, &c.p.ipc}, std::pair{&c.service.pid, &c.p.pid},
                             std::pair{&c.service.uts, &c.p.uts}}) {
    switch (mode->kind) {
      case Kind::own: break;
      case Kind::host: share->mode = runtime::ShareMode::host; break;
      case Kind::container: *share = {runtime::ShareMode::join, "", mode->target}; break;
      case Kind::service: {
        const spec::Service* other = c.stack.find_service(mode->target);
        if (other == nullptr) return Error(Errc::not_found, "no service '" + mode->target + "'");
        DesiredService d{other->name, "", 1, other->container_name};
        *share = {runtime::ShareMode::join, "", container_name(c.stack.name, d, 1)};
        break;
      }
    }
  }
  return util::ok();
}

// Its own namespace, kept by a file so that a restart comes back into it, with a veth per network.
Result<void> join_bridge_networks(Creation& c) {
  Engine::Impl& impl = c.impl;
  STACK_TRY(make_dir(util::StateRoot(impl.options.root).netns_dir()));
  const std::string path = impl.netns_path(c.name);
  (void)impl.host.remove_netns(path);  // a leftover of a crashed run
  STACK_TRY(impl.host.create_netns(path));
  c.on_undo("netns", [&impl, path]() -> Result<void> {
    STACK_TRY(impl.host.remove_netns(path));
    return util::ok();
  });
  c.p.network.mode = runtime::NetworkMode::join;
  c.p.network.join_path = path;
  int index = 0;
  for (const spec::ServiceNetwork& sn : c.service.networks) {
    const spec::Network* n = c.stack.find_network(sn.key);
    if (n == nullptr) return Error(Errc::internal, "network '" + sn.key + "' is not declared");
    auto address = impl.ipam.allocate(n->name, c.name, sn.ipv4_address, sn.ipv6_address);
    if (!address) return std::move(address).error().context("network " + n->name);
    c.on_undo("address on " + n->name, [&impl, network = n->name, name = c.name]() -> Result<void> {
      STACK_TRY(impl.ipam.release(network, name));
      return util::ok();
    });
    STACK_ASSIGN_OR_RETURN(auto stored, impl.ipam.load(n->name));
    if (!stored) return Error(Errc::not_found, "network " + n->name + " has no IPAM record");
    net::Attachment a = attachment_for(c.name, sn, *n, *stored, *address, index);
    auto attached = impl.host.attach(path, a);
    if (!attached && attached.error().code() == Errc::already_exists) {
      // The netns is new: a host end of that name is a leftover of a crashed run.
      (void)impl.host.detach(a.host_veth);
      attached = impl.host.attach(path, a);
    }
    if (!attached) return std::move(attached).error().context("network " + n->name);
    c.on_undo("veth on " + n->name, [&impl, veth = a.host_veth]() -> Result<void> {
      STACK_TRY(impl.host.detach(veth));
      return util::ok();
    });
    c.endpoint.networks[n->name] = {address->str(), sn.aliases, a.address6 ? a.address6->address.str() : ""};
    c.p.addresses[n->name] = address->str();
    if (a.address6) c.p.addresses6[n->name] = a.address6->address.str();
    if (index == 0) c.first_address = address->str();
    if (c.endpoint.dns.empty() && !n->internal) c.endpoint.dns.push_back(stored->gateway.str());
    ++index;
  }
  c.p.etc_dir = impl.etc_dir(c.stack.name, c.name);
  return util::ok();
}

Result<void> step_network(Creation& c) {
  const spec::Service& service = c.service;
  c.endpoint.container = c.name;
  c.endpoint.service = service.name;
  c.endpoint.hostname = service.hostname.empty() ? c.name : service.hostname;
  c.endpoint.extra_hosts = service.extra_hosts;
  for (const spec::Link& link : service.links) c.endpoint.links[link.alias] = link.service;
  for (const spec::ExternalLink& link : service.external_links) {
    // Looked up as docker does when the container is made: a missing one is the error.
    if (auto made = c.impl.runtime.config(link.container); !made) {
      return Error(Errc::not_found, "services." + service.name + ".external_links: no container '" + link.container + "'");
    }
    c.endpoint.external_links[link.alias] = link.container;
  }
  c.endpoint.dns = service.dns;
  using Kind = spec::NetworkMode::Kind;
  switch (service.network_mode.kind) {
    case Kind::host:
      c.p.network.mode = runtime::NetworkMode::host;
      return util::ok();
    case Kind::none:
      c.p.network.mode = runtime::NetworkMode::none;
      return util::ok();
    case Kind::service:
    case Kind::container: {
      std::string target = service.network_mode.target;
      if (service.network_mode.kind == Kind::service) {
        const spec::Service* other = c.stack.find_service(target);
        if (other == nullptr) return Error(Errc::not_found, "network_mode: no service '" + target + "'");
        DesiredService d{other->name, "", 1, other->container_name};
        target = container_name(c.stack.name, d, 1);
      }
      c.p.network.mode = runtime::NetworkMode::join;
      c.p.network.join_path = c.impl.netns_path(target);
      if (!c.impl.host.netns_exists(c.p.network.join_path)) {
        return Error(Errc::not_found, "network_mode: container '" + target + "' has no network namespace (is it running?)");
      }
      c.p.etc_dir = c.impl.etc_dir(c.stack.name, target);
      return util::ok();
    }
    case Kind::bridge:
      return join_bridge_networks(c);
  }
  return util::ok();
}

// Its hostname, resolv.conf and own /etc/hosts (with every peer) before it starts; the peers'
// files and the DNS records follow in the pass after its service (Engine::up), off its path.
Result<void> step_etc_files(Creation& c) {
  using Kind = spec::NetworkMode::Kind;
  if (c.service.network_mode.kind != Kind::bridge && c.service.network_mode.kind != Kind::none) {
    return util::ok();  // the host's files, or those of the container it joins
  }
  const std::string dir = c.impl.etc_dir(c.stack.name, c.name);
  c.undo_etc_dir();
  STACK_TRY(make_dir(dir));
  util::mark_top_directory(fs::path(dir).parent_path());  // see util/top_directory.hpp
  c.p.etc_dir = dir;
  const Endpoint& e = c.endpoint;
  STACK_TRY(util::write_file_atomic(dir + "/endpoint.json", encode_endpoint(e), util::Durability::process_crash));
  STACK_TRY(util::write_file_atomic(dir + "/hostname", e.hostname + "\n", util::Durability::process_crash));
  STACK_TRY(util::write_file_atomic(dir + "/resolv.conf", render_resolv_conf(e.dns, c.service.dns_search, c.service.dns_opt), util::Durability::process_crash));
  return c.impl.write_own_hosts(c.stack.name, e, dir);
}

Result<void> step_ports(Creation& c) {
  if (!c.req.publish_ports || c.service.ports.empty()) return util::ok();
  if (c.first_address.empty()) {
    if (c.service.network_mode.kind == spec::NetworkMode::Kind::host) return util::ok();
    return Error(Errc::invalid_argument, "ports: publishing needs a bridge network (network_mode is " +
                                             std::string(spec::to_string(c.service.network_mode.kind)) + ")");
  }
  // The shim binds them, once: it picks from a range (or the kernel picks) and holds the sockets.
  STACK_ASSIGN_OR_RETURN(util::Ipv4 target_ip, util::Ipv4::parse(c.first_address));
  for (const spec::Port& port : c.service.ports) {
    STACK_ASSIGN_OR_RETURN(net::proxy::Forward f, published_forward(port, target_ip));
    c.p.ports.push_back(f);
  }
  return util::ok();
}

Result<void> step_shim_config(Creation& c) {
  if (!c.p.etc_dir.empty()) {
    // The etc files' mount points, so that the container makes none in its writable layer.
    STACK_ASSIGN_OR_RETURN(std::string init_layer, image::ensure_init_layer(util::StateRoot(c.impl.options.root).images()));
    c.p.layer_dirs.insert(c.p.layer_dirs.begin(), init_layer);
  }
  STACK_ASSIGN_OR_RETURN(c.config, make_shim_config(c.service, c.run, c.p));
  return c.impl.add_seccomp_program(c.config.container);
}

// Its networks' isolation and names are in place before its first instruction.
Result<void> step_networks_ready(Creation& c) {
  for (const auto& [network_name, address] : c.p.addresses) STACK_TRY(c.impl.await_network(network_name));
  return util::ok();
}

// The last step: the runtime removes what it made itself when the start fails.
Result<void> step_container(Creation& c) {
  auto created = c.impl.runtime.create(c.name, c.config);
  if (!created) return in_service_terms(c.service.name, std::move(created).error(), &c.service);
  return util::ok();
}

constexpr CreateStep kCreateSteps[] = {
    {"record", step_record},
    {"image", step_image},
    {"volumes", step_volumes},
    {"volumes_from", step_volumes_from},
    {"file mounts", step_file_mounts},
    {"devices", step_devices},
    {"namespaces", step_namespaces},
    {"network", step_network},
    {"etc files", step_etc_files},
    {"ports", step_ports},
    {"shim config", step_shim_config},
    {"networks ready", step_networks_ready},
    {"container", step_container},
};

}  // namespace

Result<void> Engine::Impl::create_container(const CreateRequest& req, ProjectState& state) {
  report("Container", req.name, "Creating", false);
  Creation c{*this, req, state};
  Result<void> made = util::ok();
  for (const CreateStep& step : std::span(kCreateSteps)) {
    made = step.run(c);
    if (!made) break;
  }
  if (made) {
    report("Container", req.name, "Started");
    return after_start(req.service, req.name);  // a failed hook leaves the container running
  }
  Error error = std::move(made).error().context("container " + req.name);
  for (auto it = c.undos.rbegin(); it != c.undos.rend(); ++it) {
    if (auto undone = it->action(); !undone) {
      error = Error(error.code(), error.message() + " (undoing its " + it->what + " failed too: " +
                                      undone.error().message() + "; `down` removes what is left)");
      break;
    }
  }
  report("Container", req.name, "Error", true, true);
  return error;
}

Result<void> Engine::Impl::release_addresses(const std::string& name) {
  STACK_ASSIGN_OR_RETURN(auto networks, ipam.list());
  for (const auto& n : networks) {
    if (n.allocations.count(name)) STACK_TRY(ipam.release(n.name, name).context("network " + n.name));
  }
  return util::ok();
}

Result<void> Engine::Impl::remove_etc_dir(const std::string& project, const std::string& name) {
  const std::string dir = etc_dir(project, name);
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return Error(Errc::io, "remove '" + dir + "': " + ec.message());
  std::lock_guard lock(known_mu);
  known_endpoints.erase(dir);
  known_hosts.erase(dir + "/hosts");
  return util::ok();
}

}  // namespace stack::scheduler
