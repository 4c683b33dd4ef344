// One container and its host resources. Order of creation, each step recorded or derivable by
// name so that destroy_container() (and `down` after a crash) can undo any prefix of it:
//   project record -> netns file -> addresses (IPAM, keyed by container name) -> veths (named
//   from container and network) -> etc files -> the runtime's container.
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "image/init_layer.hpp"
#include "net/dns/records.hpp"
#include "net/naming.hpp"
#include "net/netns.hpp"
#include "runtime/security/seccomp.hpp"
#include "scheduler/container_spec.hpp"
#include "scheduler/engine_impl.hpp"
#include "scheduler/file_mounts.hpp"
#include "scheduler/host_ports.hpp"
#include "spec/hash.hpp"
#include "util/atomic_file.hpp"
#include "util/top_directory.hpp"

namespace stack::scheduler {

using util::Errc;
using util::Error;
using util::Result;

namespace fs = std::filesystem;

namespace {

Result<void> make_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error(Errc::io, "create '" + dir + "': " + ec.message());
  return util::ok();
}

Ended ended_of(const runtime::shim::ContainerState& state) {
  using runtime::shim::Status;
  if (state.shim_died) return Ended::shim_died;
  if (state.status == Status::stopped) return Ended::by_user;
  if (state.status == Status::exited) return Ended::by_itself;
  return Ended::not_ended;
}

}  // namespace

std::string Engine::Impl::etc_dir(const std::string& project, const std::string& name) const {
  return project_dir(options.root, project) + "/etc/" + name;
}

std::string Engine::Impl::netns_path(const std::string& name) const {
  return options.root + "/run/netns/" + name;
}

Result<std::vector<Found>> Engine::Impl::find(const std::string& project) {
  STACK_ASSIGN_OR_RETURN(auto ids, runtime.list());
  // Reading a container is two small JSON files and two of /proc; `ps` and every `up` read them
  // all, so the reads are spread over the cores (half of `ps` of 50 containers was this loop).
  std::vector<std::optional<Found>> slots(ids.size());
  std::vector<std::optional<Error>> errors(ids.size());
  auto read_one = [&](size_t i) {
    const std::string& id = ids[i];
    auto config = runtime.config(id);
    if (!config) return;  // being created or removed right now, or not one of ours
    auto label = [&](const char* key) {
      auto it = config->labels.find(key);
      return it == config->labels.end() ? std::string() : it->second;
    };
    if (label(kLabelProject) != project) return;
    auto state = runtime.state(id);
    if (!state) {
      errors[i] = std::move(state).error();
      return;
    }
    if (!*state) return;
    Found f;
    f.observed.name = id;
    f.observed.service = label(kLabelService);
    f.observed.number = std::atoi(label(kLabelNumber).c_str());
    f.observed.config_hash = label(kLabelConfigHash);
    f.observed.one_off = label(kLabelOneOff) == "True";
    f.observed.running = (*state)->shim_alive && !runtime::shim::is_final((*state)->status);
    f.observed.ended = ended_of(**state);
    f.config = std::move(*config);
    f.state = **state;
    slots[i] = std::move(f);
  };
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t workers = std::clamp<size_t>((ids.size() + 15) / 16, 1, cores);  // 16 a thread at least
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) {
    threads.emplace_back([&, w] {
      for (size_t i = w; i < ids.size(); i += workers) read_one(i);
    });
  }
  for (size_t i = 0; i < ids.size(); i += workers) read_one(i);
  for (auto& t : threads) t.join();
  std::vector<Found> out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (errors[i]) return std::move(*errors[i]);
    if (slots[i]) out.push_back(std::move(*slots[i]));
  }
  return out;
}

Result<void> Engine::Impl::create_container(const CreateRequest& req, ProjectState& state) {
  const spec::Stack& stack = *req.stack;
  const spec::Service& service = *req.service;
  const std::string& name = req.name;
  STACK_TRY(state.add_container(name));
  report("Container", name, "Creating", false);

  auto made = [&]() -> Result<void> {
    STACK_ASSIGN_OR_RETURN(ResolvedImage resolved, images(service));
    const image::Image& img = resolved.image;
    Placement p;
    p.project = stack.name;
    p.name = name;
    p.number = req.number;
    p.config_hash = spec::config_hash(service);
    p.one_off = req.one_off;
    p.image_ref = service.image;
    p.layer_dirs = resolved.layer_dirs;
    image::RunConfig run = image::combine(img.config, run_overrides(service));

    for (const spec::Mount& m : service.mounts) {
      if (m.type == spec::MountType::volume && m.source.empty()) {
        std::string volume = name + "_" + net::sha256_hex(m.target, 12);
        STACK_TRY(state.add_volume(volume));
        STACK_TRY(make_dir(volume_dir(volume)));
        p.anonymous_volume_dirs[m.target] = volume_dir(volume);
      } else if (m.type == spec::MountType::volume) {
        const spec::Volume* v = stack.find_volume(m.source);
        if (v == nullptr) return Error(Errc::internal, "volume '" + m.source + "' is not declared");
        p.volume_dirs[m.source] = volume_dir(v->name);
      } else if (m.type == spec::MountType::bind && m.create_host_path) {
        std::error_code ec;
        if (!fs::exists(m.source, ec)) STACK_TRY(make_dir(m.source));
      }
    }
    // Secrets and configs beside its etc files: destroy_container removes the directory.
    STACK_ASSIGN_OR_RETURN(p.file_mount_sources,
                           write_file_mounts(stack, service, etc_dir(stack.name, name) + "/files"));
    for (const auto* list : {&service.resources.blkio.device_read_bps, &service.resources.blkio.device_write_bps,
                             &service.resources.blkio.device_read_iops, &service.resources.blkio.device_write_iops}) {
      for (const auto& d : *list) {
        struct stat st {};
        if (::stat(d.path.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) {
          return Error(Errc::invalid_argument, "'" + d.path + "' is not a block device");
        }
        p.devices[d.path] = {major(st.st_rdev), minor(st.st_rdev)};
      }
    }

    Endpoint endpoint;
    endpoint.container = name;
    endpoint.service = service.name;
    endpoint.hostname = service.hostname.empty() ? name : service.hostname;
    endpoint.extra_hosts = service.extra_hosts;
    endpoint.dns = service.dns;
    std::string first_address;
    using Kind = spec::NetworkMode::Kind;
    switch (service.network_mode.kind) {
      case Kind::host:
        p.network.mode = runtime::NetworkMode::host;
        break;
      case Kind::none:
        p.network.mode = runtime::NetworkMode::none;
        break;
      case Kind::service:
      case Kind::container: {
        std::string target = service.network_mode.target;
        if (service.network_mode.kind == Kind::service) {
          const spec::Service* other = stack.find_service(target);
          if (other == nullptr) return Error(Errc::not_found, "network_mode: no service '" + target + "'");
          DesiredService d{other->name, "", 1, other->container_name};
          target = container_name(stack.name, d, 1);
        }
        p.network.mode = runtime::NetworkMode::join;
        p.network.join_path = netns_path(target);
        if (::access(p.network.join_path.c_str(), F_OK) != 0) {
          return Error(Errc::not_found, "network_mode: container '" + target + "' has no network namespace (is it running?)");
        }
        p.etc_dir = etc_dir(stack.name, target);
        break;
      }
      case Kind::bridge: {
        STACK_TRY(make_dir(options.root + "/run/netns"));
        std::string path = netns_path(name);
        (void)net::remove_named_netns(path);  // a leftover of a crashed run
        STACK_TRY(net::create_named_netns(path));
        p.network.mode = runtime::NetworkMode::join;
        p.network.join_path = path;
        STACK_ASSIGN_OR_RETURN(net::Netns ns, net::Netns::open(path));
        int index = 0;
        for (const spec::ServiceNetwork& sn : service.networks) {
          const spec::Network* n = stack.find_network(sn.key);
          if (n == nullptr) return Error(Errc::internal, "network '" + sn.key + "' is not declared");
          std::optional<net::Ipv4> requested;
          if (sn.ipv4_address) {
    STACK_ASSIGN_OR_RETURN(requested, net::Ipv4::parse(*sn.ipv4_address));
  }
          auto address = ipam.allocate(n->name, name, requested);
          if (!address) return std::move(address).error().context("network " + n->name);
          STACK_ASSIGN_OR_RETURN(auto stored, ipam.load(n->name));
          if (!stored) return Error(Errc::not_found, "network " + n->name + " has no IPAM record");
          net::Attachment a = attachment_for(name, sn, *n, *stored, *address, index);
          auto attached = network.attach(ns.fd(), a);
          if (!attached && attached.error().code() == Errc::already_exists) {
            // The netns is new: a host end of that name is a leftover of a crashed run.
            (void)network.detach(a.host_veth);
            attached = network.attach(ns.fd(), a);
          }
          if (!attached) return std::move(attached).error().context("network " + n->name);
          endpoint.networks[n->name] = {address->str(), sn.aliases};
          p.addresses[n->name] = address->str();
          if (index == 0) first_address = address->str();
          if (endpoint.dns.empty() && !n->internal) endpoint.dns.push_back(stored->gateway.str());
          ++index;
        }
        p.etc_dir = etc_dir(stack.name, name);
        break;
      }
    }
    if (service.network_mode.kind == Kind::bridge || service.network_mode.kind == Kind::none) {
      std::string dir = etc_dir(stack.name, name);
      STACK_TRY(make_dir(dir));
      util::mark_top_directory(fs::path(dir).parent_path());  // see util/top_directory.hpp
      p.etc_dir = dir;
      STACK_TRY(util::write_file_atomic(dir + "/endpoint.json", encode_endpoint(endpoint), util::Durability::process_crash));
      STACK_TRY(util::write_file_atomic(dir + "/hostname", endpoint.hostname + "\n", util::Durability::process_crash));
      STACK_TRY(util::write_file_atomic(dir + "/resolv.conf", render_resolv_conf(endpoint.dns), util::Durability::process_crash));
      // Its own /etc/hosts, with every peer, before it starts; the peers' files and the DNS
      // records follow in the pass after its service (Engine::up), off its path to starting.
      STACK_TRY(write_own_hosts(stack.name, endpoint, dir));
    }
    if (req.publish_ports && !service.ports.empty()) {
      if (first_address.empty()) {
        if (service.network_mode.kind != Kind::host) {
          return Error(Errc::invalid_argument, "ports: publishing needs a bridge network (network_mode is " +
                       std::string(spec::to_string(service.network_mode.kind)) + ")");
        }
      } else {
        for (const spec::Port& port : service.ports) {
          if (port.protocol != "tcp" && port.protocol != "udp") {
            return Error(Errc::unsupported, "ports: protocol " + port.protocol + " is not supported");
          }
          std::string host_ip = port.host_ip.empty() ? "0.0.0.0" : port.host_ip;
          STACK_ASSIGN_OR_RETURN(uint16_t host_port, pick_host_port(port, host_ip));
          p.ports.push_back({port.protocol, host_ip, host_port, first_address, port.target});
        }
      }
    }
    if (!p.etc_dir.empty()) {
      // The etc files' mount points, so that the container makes none in its writable layer.
      STACK_ASSIGN_OR_RETURN(std::string init_layer, image::ensure_init_layer(options.root + "/images"));
      p.layer_dirs.insert(p.layer_dirs.begin(), init_layer);
    }
    STACK_ASSIGN_OR_RETURN(auto config, make_shim_config(service, run, p));
    STACK_TRY(add_seccomp_program(config.container));
    // Its network's isolation and names are in place before its first instruction.
    for (const auto& [network_name, address] : p.addresses) STACK_TRY(await_network(network_name));
    return runtime.create(name, config);
  }();
  if (!made) {
    (void)destroy_container(stack.name, name, state, std::chrono::seconds(0));
    report("Container", name, "Error", true, true);
    return std::move(made).error().context("container " + name);
  }
  report("Container", name, "Started");
  return util::ok();
}

Result<void> Engine::Impl::add_seccomp_program(runtime::ContainerConfig& config) {
  runtime::SecurityConfig& s = config.security;
  if (s.seccomp != runtime::SeccompMode::default_profile) return util::ok();
  STACK_ASSIGN_OR_RETURN(runtime::security::CapSet caps,
                         runtime::security::compute_capabilities(s.capabilities));
  std::lock_guard lock(seccomp_mu);
  auto it = seccomp_program_files.find(caps);
  if (it == seccomp_program_files.end()) {
    STACK_ASSIGN_OR_RETURN(std::string program, runtime::security::compile_default_profile(caps));
    // Named by its content: a file of that name is this program, whichever stack wrote it.
    std::string file = options.root + "/seccomp/" + net::sha256_hex(program) + ".bpf";
    if (::access(file.c_str(), F_OK) != 0) {
      STACK_TRY(make_dir(options.root + "/seccomp"));
      STACK_TRY(util::write_file_atomic(file, program, util::Durability::process_crash));
    }
    it = seccomp_program_files.emplace(caps, file).first;
  }
  s.seccomp_program_file = it->second;
  s.seccomp_program_caps = caps;
  return util::ok();
}

Result<void> Engine::Impl::reserve_new_containers(const spec::Stack& stack,
                                                  const std::vector<NewContainer>& containers,
                                                  ProjectState& state) {
  std::vector<std::string> names;
  std::map<std::string, std::vector<net::IpamStore::Request>> requests;  // by network
  for (const NewContainer& c : containers) {
    names.push_back(c.name);
    if (c.service->network_mode.kind != spec::NetworkMode::Kind::bridge) continue;
    for (const spec::ServiceNetwork& sn : c.service->networks) {
      const spec::Network* n = stack.find_network(sn.key);
      if (n == nullptr) continue;  // create_container reports it
      std::optional<net::Ipv4> requested;
      if (sn.ipv4_address) {
        auto parsed = net::Ipv4::parse(*sn.ipv4_address);
        if (!parsed) continue;
        requested = *parsed;
      }
      requests[n->name].push_back({c.name, requested});
    }
  }
  // The record first: `down` after a crash must find every name that holds an address.
  STACK_TRY(state.add_containers(names));
  for (const auto& [network_name, list] : requests) {
    STACK_TRY(ipam.reserve(network_name, list).context("network " + network_name));
  }
  return util::ok();
}

Result<void> Engine::Impl::destroy_container(const std::string& project, const std::string& name,
                                             ProjectState& state,
                                             std::optional<std::chrono::nanoseconds> timeout) {
  auto removed = [&]() -> Result<void> {
    if (auto s = runtime.state(name); s && *s) {
      STACK_TRY(runtime.stop(name, timeout));
    }
    STACK_TRY(runtime.remove(name).context("container " + name));
    // Host ends of the veths, then the addresses: every network that holds an address for it.
    STACK_ASSIGN_OR_RETURN(auto networks, ipam.list());
    for (const auto& n : networks) {
      if (!n.allocations.count(name)) continue;
      STACK_TRY(network.detach(net::host_veth_name(name, n.name)).context("network " + n.name));
      STACK_TRY(ipam.release(n.name, name).context("network " + n.name));
    }
    STACK_TRY(net::remove_named_netns(netns_path(name)));
    std::error_code ec;
    fs::remove_all(etc_dir(project, name), ec);
    if (ec) return Error(Errc::io, "remove '" + etc_dir(project, name) + "': " + ec.message());
    std::lock_guard lock(known_mu);
    known_endpoints.erase(etc_dir(project, name));
    known_hosts.erase(etc_dir(project, name) + "/hosts");
    return util::ok();
  }();
  if (!removed) return std::move(removed).error().context("removing container " + name);
  STACK_TRY(state.remove_container(name));
  return util::ok();
}

// Every endpoint of the project with the etc directory it was read from.
std::vector<std::pair<Endpoint, std::string>> Engine::Impl::read_endpoints(const std::string& etc) {
  std::vector<std::pair<Endpoint, std::string>> out;
  std::error_code ec;
  {
    std::lock_guard lock(known_mu);
    scanned_etc_dirs.insert(etc);
  }
  for (fs::directory_iterator it(etc, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string dir = it->path().string();
    struct stat st {};
    if (::stat((dir + "/endpoint.json").c_str(), &st) != 0) continue;
    {
      std::lock_guard lock(known_mu);
      auto known = known_endpoints.find(dir);
      if (known != known_endpoints.end() && known->second.inode == st.st_ino &&
          known->second.modified.tv_sec == st.st_mtim.tv_sec &&
          known->second.modified.tv_nsec == st.st_mtim.tv_nsec) {
        out.emplace_back(known->second.endpoint, dir);
        continue;
      }
    }
    auto text = util::read_file(dir + "/endpoint.json");
    if (!text) continue;
    auto endpoint = decode_endpoint(*text);
    if (!endpoint) continue;
    std::lock_guard lock(known_mu);
    known_endpoints[dir] = {*endpoint, st.st_ino, st.st_mtim};
    out.emplace_back(std::move(*endpoint), dir);
  }
  // In name order, as write_own_hosts renders them: the same peers give the same file.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  // Containers gone from the directory leave what this process knows of them too; not the ones
  // this process is making right now (inode 0), which the listing may have missed.
  std::set<std::string> seen;
  for (const auto& [endpoint, dir] : out) seen.insert(dir);
  std::lock_guard lock(known_mu);
  for (auto it = known_endpoints.lower_bound(etc + "/"); it != known_endpoints.end() && it->first.starts_with(etc + "/");) {
    bool keep = seen.count(it->first) > 0 || it->second.inode == 0;
    it = keep ? std::next(it) : known_endpoints.erase(it);
  }
  return out;
}

Result<void> Engine::Impl::write_hosts(const std::string& path, const std::string& content) {
  std::lock_guard lock(known_mu);
  auto known = known_hosts.find(path);
  if (known != known_hosts.end() && known->second == content) return util::ok();
  STACK_TRY(write_in_place(path, content, known == known_hosts.end() ? Known::unknown : Known::differs));
  known_hosts[path] = content;
  return util::ok();
}

Result<void> Engine::Impl::write_own_hosts(const std::string& project, const Endpoint& endpoint,
                                           const std::string& dir) {
  const std::string etc = project_dir(options.root, project) + "/etc";
  bool scanned = false;
  {
    std::lock_guard lock(known_mu);
    scanned = scanned_etc_dirs.count(etc) > 0;
    // Its own endpoint, as written: a pass re-reads it once (inode 0 never matches the file's).
    known_endpoints[dir] = {endpoint, 0, {}};
  }
  if (!scanned) (void)read_endpoints(etc);
  std::vector<Endpoint> all;
  {
    std::lock_guard lock(known_mu);
    for (auto it = known_endpoints.lower_bound(etc + "/"); it != known_endpoints.end() && it->first.starts_with(etc + "/"); ++it) {
      if (it->second.endpoint.container != endpoint.container) all.push_back(it->second.endpoint);
    }
  }
  all.push_back(endpoint);
  return write_hosts(dir + "/hosts", render_hosts(endpoint, all));
}

Result<void> Engine::Impl::refresh_discovery(const std::string& project, Sync sync) {
  std::unique_lock lock(discovery_mu);
  DiscoveryPasses& passes = discovery_passes[project];
  const uint64_t mine = ++passes.requested;
  if (passes.running) {
    if (sync == Sync::no_wait) return util::ok();
    discovery_done.wait(lock, [&] { return passes.completed >= mine; });
    return util::ok();
  }
  passes.running = true;
  Result<void> result = util::ok();
  while (passes.completed < passes.requested) {
    const uint64_t target = passes.requested;
    lock.unlock();
    result = refresh_discovery_pass(project);
    lock.lock();
    passes.completed = target;
    discovery_done.notify_all();
  }
  passes.running = false;
  return result;
}

Result<void> Engine::Impl::refresh_discovery_pass(const std::string& project) {
  std::vector<Endpoint> all;
  std::vector<std::string> dirs;
  for (auto& [endpoint, dir] : read_endpoints(project_dir(options.root, project) + "/etc")) {
    all.push_back(std::move(endpoint));
    dirs.push_back(std::move(dir));
  }
  for (size_t i = 0; i < all.size(); ++i) {
    STACK_TRY(write_hosts(dirs[i] + "/hosts", render_hosts(all[i], all)));
  }
  // The DNS records of the networks this project made (an external network's belong to its owner).
  ProjectState state(options.root, project);
  STACK_TRY(state.load());
  std::error_code ec;
  for (const std::string& network : state.snapshot().networks) {
    std::map<std::string, std::vector<net::Ipv4>> records;
    for (const auto& [name, addresses] : dns_names(network, all)) {
      for (const std::string& a : addresses) {
        if (auto ip = net::Ipv4::parse(a)) records[name].push_back(*ip);
      }
    }
    auto file = net::dns::records_file(options.root, network);
    std::string content = net::dns::encode_records(records);
    std::lock_guard lock(known_mu);
    auto known = known_records.find(file.string());
    if (known != known_records.end() && known->second == content) continue;
    // Each write is a new file (the server notices the new inode): only when the names changed.
    fs::create_directories(file.parent_path(), ec);
    STACK_TRY(net::dns::write_dns_records(file, records));
    known_records[file.string()] = std::move(content);
  }
  return util::ok();
}

}  // namespace stack::scheduler
