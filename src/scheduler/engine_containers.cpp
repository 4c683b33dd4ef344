// A project's containers as found on the host, their removal, and their discovery files (hosts,
// DNS records). Creation is a table of steps (create_steps.cpp); each resource it makes is
// derivable from the container's name, so that destroy_container() (and `down` after a crash)
// removes any prefix of it.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "net/dns/records.hpp"
#include "net/naming.hpp"
#include "runtime/security/seccomp.hpp"
#include "scheduler/container_spec.hpp"
#include "scheduler/engine_impl.hpp"
#include "util/atomic_file.hpp"
#include "util/file_lock.hpp"
#include "util/state_root.hpp"

namespace stack::scheduler {

using util::Errc;
using util::Error;
using util::Result;

namespace fs = std::filesystem;

Result<void> make_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error(Errc::io, "create '" + dir + "': " + ec.message());
  return util::ok();
}

namespace {

Ended ended_of(const runtime::shim::ContainerState& state) {
  using runtime::shim::Status;
  if (state.shim_died) return Ended::shim_died;
  if (state.status == Status::stopped) return Ended::by_user;
  if (state.status == Status::exited) return Ended::by_itself;
  return Ended::not_ended;
}

}  // namespace

std::string Engine::Impl::etc_dir(const std::string& project, const std::string& name) const {
  return util::StateRoot(options.root).project_etc(project, name);
}

std::string Engine::Impl::netns_path(const std::string& name) const {
  return util::StateRoot(options.root).netns(name);
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

Result<void> Engine::Impl::add_seccomp_program(runtime::ContainerConfig& config) {
  runtime::SecurityConfig& s = config.security;
  // A privileged container loads no filter (runtime/container/steps.cpp, confined()).
  if (s.seccomp != runtime::SeccompMode::default_profile || s.capabilities.privileged) return util::ok();
  STACK_ASSIGN_OR_RETURN(runtime::security::CapSet caps,
                         runtime::security::compute_capabilities(s.capabilities));
  std::lock_guard lock(seccomp_mu);
  auto it = seccomp_program_files.find(caps);
  if (it == seccomp_program_files.end()) {
    // Named by what makes the program: the capability set and this very binary (the blocked list
    // and libseccomp are compiled into it), so that the next command loads it instead of
    // compiling it again (libseccomp's build was ~4 % of a `run --rm`'s CPU). A binary that
    // cannot be identified names the file by its content, compiled each time.
    const util::StateRoot root(options.root);
    struct stat self {};
    std::string file;
    if (::stat("/proc/self/exe", &self) == 0) {
      file = root.seccomp_program(net::sha256_hex(
          "caps " + std::to_string(caps) + " exe " + std::to_string(self.st_dev) + ":" + std::to_string(self.st_ino) +
          ":" + std::to_string(self.st_size) + ":" + std::to_string(self.st_mtim.tv_sec) + "." +
          std::to_string(self.st_mtim.tv_nsec)));
    }
    if (file.empty() || ::access(file.c_str(), F_OK) != 0) {
      STACK_ASSIGN_OR_RETURN(std::string program, runtime::security::compile_default_profile(caps));
      if (file.empty()) file = root.seccomp_program(net::sha256_hex(program));
      STACK_TRY(make_dir(root.seccomp()));
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
      requests[n->name].push_back({c.name, sn.ipv4_address, sn.ipv6_address});
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
    // A container that has ended is not waited for: its network and files go while its shim
    // removes the cgroup, and runtime.remove waits for the shim last.
    if (auto s = runtime.state(name); s && *s && !runtime::shim::is_final((*s)->status)) {
      STACK_TRY(runtime.stop(name, timeout));
    }
    // Host ends of the veths, then the addresses: every network that holds an address for it.
    STACK_ASSIGN_OR_RETURN(auto networks, ipam.list());
    for (const auto& n : networks) {
      if (!n.allocations.count(name)) continue;
      STACK_TRY(host.detach(net::host_veth_name(name, n.name)).context("network " + n.name));
      STACK_TRY(ipam.release(n.name, name).context("network " + n.name));
    }
    STACK_TRY(host.remove_netns(netns_path(name)));
    STACK_TRY(remove_etc_dir(project, name));
    STACK_TRY(runtime.remove(name).context("container " + name));
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
  const std::string etc = util::StateRoot(options.root).project_etc(project);
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
  for (auto& [endpoint, dir] : read_endpoints(util::StateRoot(options.root).project_etc(project))) {
    all.push_back(std::move(endpoint));
    dirs.push_back(std::move(dir));
  }
  for (size_t i = 0; i < all.size(); ++i) {
    STACK_TRY(write_hosts(dirs[i] + "/hosts", render_hosts(all[i], all)));
  }
  ProjectState state(options.root, project);
  STACK_TRY(state.load());
  return write_network_records(project, state.snapshot().networks, std::move(all));
}

// A network shared by projects (external in all but its owner) answers for the containers of all
// of them, as docker's does: the records of every network of the root are made from the endpoints
// of every project, by whichever project changed last (a container that left a network is dropped
// from it too), under one lock so that two writers never undo each other.
Result<void> Engine::Impl::write_network_records(const std::string& project, const std::set<std::string>& owned,
                                                 std::vector<Endpoint> all) {
  const util::StateRoot root(options.root);
  std::error_code ec;
  std::set<std::string> networks = owned;
  const std::string suffix = ".records.json";
  for (fs::directory_iterator it(root.dns_dir(), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() > suffix.size() && name.ends_with(suffix)) networks.insert(name.substr(0, name.size() - suffix.size()));
  }
  if (networks.empty()) return util::ok();
  for (fs::directory_iterator it(root.projects(), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string other = it->path().filename().string();
    if (other == project || !it->is_directory()) continue;
    for (auto& [endpoint, dir] : read_endpoints(root.project_etc(other))) all.push_back(std::move(endpoint));
  }
  fs::create_directories(root.dns_dir(), ec);
  STACK_ASSIGN_OR_RETURN(util::FileLock lock, util::FileLock::acquire_directory(root.dns_dir()));
  for (const std::string& network : networks) {
    auto file = net::dns::records_file(options.root, network);
    if (owned.count(network) == 0 && !fs::exists(file)) continue;  // its owner removed it meanwhile
    net::dns::Records records;
    for (const auto& [name, addresses] : dns_names(network, all)) {
      for (const std::string& a : addresses) {
        if (auto ip = util::Ipv4::parse(a)) records[name].v4.push_back(*ip);
        else if (auto ip6 = util::Ipv6::parse(a)) records[name].v6.push_back(*ip6);
      }
    }
    // Each write is a new file (the server notices the new inode): only when the names changed.
    auto written = util::read_file(file.string());
    if (written && *written == net::dns::encode_records(records)) continue;
    STACK_TRY(net::dns::write_dns_records(file, records));
  }
  return util::ok();
}

}  // namespace stack::scheduler
