// The engine's internals, shared by its source files (engine_*.cpp); not for other modules.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "net/ipam_store.hpp"
#include "scheduler/discovery.hpp"
#include "scheduler/network_plan.hpp"
#include "scheduler/engine.hpp"
#include "scheduler/project_state.hpp"

namespace stack::scheduler {

// A container of the project as found on the host.
struct Found {
  ObservedContainer observed;
  runtime::shim::ShimConfig config;
  runtime::shim::ContainerState state;
};

// At most this many threads work on one command's containers at once: each waits mostly on the
// kernel and on shims (stop grace periods), so more than the cores, but not one per container
// (a `down` of 200 made 200 threads, each with an 8 MiB stack reserved).
inline constexpr size_t kMaxWorkers = 16;

// Runs fn(item) for every item on up to kMaxWorkers threads (the caller's one of them) and
// returns the first error, in item order. The items must not wait on each other.
template <class T, class F>
util::Result<void> parallel(const std::vector<T>& items, F&& fn) {
  std::vector<std::optional<util::Error>> errors(items.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < items.size(); i = next++) {
      util::Result<void> r = fn(items[i]);
      if (!r) errors[i] = std::move(r).error();
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < std::min(items.size(), kMaxWorkers); ++w) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) return std::move(*e);
  }
  return util::ok();
}

// create_directories with the error as one line.
util::Result<void> make_dir(const std::string& dir);

// The veth that puts a container on network n (its index-th): name, MAC, address, default route.
net::Attachment attachment_for(const std::string& container, const spec::ServiceNetwork& sn,
                               const spec::Network& n, const net::IpamNetwork& stored, util::Ipv4 address,
                               int index);

class Engine::Impl {
 public:
  Impl(EngineOptions options, runtime::Runtime& runtime, HostNetwork& host, ImageResolver images,
       ProgressSink progress);

  // Paths of what the engine keeps per project and per container.
  std::string etc_dir(const std::string& project, const std::string& name) const;
  std::string netns_path(const std::string& name) const;
  std::string volume_dir(const std::string& volume) const;
  util::Result<std::string> container_using_volume(const std::string& volume);

  void report(const std::string& kind, const std::string& name, const std::string& status,
              bool done = true, bool failed = false);

  // Every container labelled with the project (state checked against the shims' liveness).
  util::Result<std::vector<Found>> find(const std::string& project);

  // Project networks and volumes (engine_networks.cpp). A network's bridge is made at once, its
  // firewall table and DNS server are started and not waited for: a container waits for them
  // (await_network) before its process starts. Each takes tens of milliseconds; the first
  // containers' setup runs meanwhile. await_networks() waits for all of them and must be called
  // before the command returns.
  // observe -> plan_networks (network_plan.hpp) -> apply: a converged network costs no host call
  // but the observation; found (the project's containers) gives the endpoints to check.
  util::Result<void> ensure_networks(const spec::Stack& stack, ProjectState& state,
                                     const std::vector<Found>& found = {});
  util::Result<ObservedNetwork> observe_network(const spec::Network& n);
  util::Result<net::FirewallRules> firewall_rules(const spec::Network& n, const net::IpamNetwork& stored) const;
  util::Result<void> apply_network_step(const spec::Stack& stack, const spec::Network& n,
                                        const NetworkStep& step, ProjectState& state);
  util::Result<void> await_network(const std::string& network);
  util::Result<void> await_networks();
  util::Result<void> ensure_volumes(const spec::Stack& stack, ProjectState& state);
  // A network this project made, once no container is attached to it any more.
  util::Result<void> remove_network(const std::string& name, ProjectState& state);
  util::Result<void> remove_volume(const std::string& name, ProjectState& state);
  // The full name of the network with this key; error if the stack has none.
  const spec::Network* network_of(const spec::Stack& stack, const std::string& key) const;

  // The running containers' veths on the project's networks (engine_endpoints.cpp), and their
  // repair: made again with the same name, address and MAC in the container's persistent netns.
  util::Result<std::vector<ObservedEndpoint>> observe_endpoints(const spec::Stack& stack,
                                                                const std::vector<Found>& found);
  util::Result<void> reattach(const spec::Stack& stack, const spec::Network& n, const net::IpamNetwork& stored,
                              const std::vector<std::string>& containers);

  // One container with its netns, veths, addresses, etc files and ports (engine_containers.cpp).
  struct CreateRequest {
    const spec::Stack* stack = nullptr;
    const spec::Service* service = nullptr;
    int number = 1;
    std::string name;
    bool one_off = false;
    bool publish_ports = true;
  };
  util::Result<void> create_container(const CreateRequest& request, ProjectState& state);
  // Records the containers that `up` is about to create in one write of the project record and
  // takes their addresses in one write per network (create_container then finds both done):
  // a rewrite per container queued the creations behind each other, as every replaced file
  // frees its blocks synchronously on a filesystem mounted with discard.
  struct NewContainer {
    const spec::Service* service = nullptr;
    std::string name;
  };
  util::Result<void> reserve_new_containers(const spec::Stack& stack,
                                            const std::vector<NewContainer>& containers,
                                            ProjectState& state);
  // Gives back every address held under the container's name; idempotent.
  util::Result<void> release_addresses(const std::string& name);
  // Removes the container's etc directory and what this process knows of its files; idempotent.
  util::Result<void> remove_etc_dir(const std::string& project, const std::string& name);
  // post_start and pre_stop of a service (scheduler/hooks.hpp). After a start: a failed hook is
  // the command's error, the container stays running (as compose). Before a stop: only when the
  // container runs, and a failed hook is reported, not an error: the stop goes on, so that
  // nothing stays behind because of a hook. service may be null (no stack file): no hooks.
  util::Result<void> after_start(const spec::Service* service, const std::string& name);
  void before_stop(const spec::Service* service, const std::string& name);
  // Stops and removes the container and every host resource recorded for it; idempotent.
  util::Result<void> destroy_container(const std::string& project, const std::string& name,
                                       ProjectState& state,
                                       std::optional<std::chrono::nanoseconds> timeout);
  // Rewrites every container's /etc/hosts and every network's DNS records of the project.
  // Requests made while a pass runs are folded into one more pass by the thread running it (each
  // pass reads and writes every container's files, so one per new container was quadratic).
  // Sync::wait returns after a pass that began after the call; Sync::no_wait returns at once when
  // another thread is already refreshing.
  enum class Sync { wait, no_wait };
  util::Result<void> refresh_discovery(const std::string& project, Sync sync = Sync::wait);
  // Writes the /etc/hosts of one container (endpoint in dir) from every endpoint of the project.
  util::Result<void> refresh_discovery_pass(const std::string& project);
  // The DNS records of the root's networks: owned = the networks this project made.
  util::Result<void> write_network_records(const std::string& project, const std::set<std::string>& owned,
                                           std::vector<Endpoint> all);
  util::Result<void> write_own_hosts(const std::string& project, const Endpoint& endpoint,
                                     const std::string& dir);

  // Blocks until the service's containers meet the condition (engine_wait.cpp).
  util::Result<void> wait_for(const std::string& project, const std::string& service,
                              spec::Condition condition);
  // --wait: every container of the services running, and healthy where it has a health check.
  util::Result<void> wait_ready(const std::string& project, const std::set<std::string>& services,
                                std::chrono::seconds timeout);

  // The default seccomp profile compiled once per set of capabilities by this process, kept in
  // <root>/seccomp/<sha256 of the program>.bpf (runtime::SecurityConfig::seccomp_program_file).
  util::Result<void> add_seccomp_program(runtime::ContainerConfig& config);
  std::mutex seccomp_mu;
  std::map<std::uint64_t, std::string> seccomp_program_files;  // by capability set
  std::mutex network_tasks_mu;  // guards network_tasks
  std::map<std::string, std::vector<std::shared_future<util::Result<void>>>> network_tasks;  // by network

  EngineOptions options;
  runtime::Runtime& runtime;
  HostNetwork& host;
  ImageResolver images;
  ProgressSink progress;
  net::IpamStore ipam;
  struct DiscoveryPasses {
    uint64_t requested = 0;
    uint64_t completed = 0;
    bool running = false;
  };
  std::mutex discovery_mu;  // guards discovery_passes
  std::condition_variable discovery_done;
  std::map<std::string, DiscoveryPasses> discovery_passes;  // per project
  // What this process read and wrote of the project's discovery files: each pass re-read every
  // endpoint.json and every hosts file (about 700 and 400 opens in an `up` of 50). An endpoint is
  // re-read when its file was replaced (endpoint files are renamed into place: a new inode, and
  // a new modification time should the inode number be reused).
  struct KnownEndpoint {
    Endpoint endpoint;
    ino_t inode = 0;
    timespec modified{};
  };
  std::vector<std::pair<Endpoint, std::string>> read_endpoints(const std::string& etc);
  util::Result<void> write_hosts(const std::string& path, const std::string& content);
  std::mutex known_mu;  // guards the maps below; held while a hosts or records file is written
  std::map<std::string, KnownEndpoint> known_endpoints;  // by etc directory of a container
  // The etc directories read whole at least once by this process: a new container's own hosts
  // file is then rendered from known_endpoints (kept current by create and destroy) instead of a
  // scan of every peer's file per container, O(N^2) stat calls in an `up` of N; the discovery
  // passes, which follow, still read the directory.
  std::set<std::string> scanned_etc_dirs;
  std::map<std::string, std::string> known_hosts;        // hosts file -> content written
  std::mutex progress_mu;
};

}  // namespace stack::scheduler
