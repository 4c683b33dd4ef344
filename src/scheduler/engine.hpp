// scheduler::Engine: applies stacks to this host. up() plans (plan.hpp, pure) against what it
// observes and executes the plan, service by service as the dependency graph allows: independent
// services start in parallel, a service waits for the conditions of its depends_on. Everything
// else a user does to a project (down, start, stop, restart, kill, rm, ps) goes through here too,
// always under the project's lock (project_state.hpp).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "image/store.hpp"
#include "net/dns/upstream.hpp"
#include "runtime/runtime.hpp"
#include "scheduler/host_network.hpp"
#include "scheduler/plan.hpp"
#include "spec/model.hpp"

namespace stack::scheduler {

// One line of progress: "Container demo-web-1  Started". The CLI draws it.
struct ProgressEvent {
  std::string kind;    // Network, Volume, Container, Image
  std::string name;
  std::string status;  // Creating, Created, Starting, Started, Waiting, Healthy, Stopping, ...
  bool done = true;    // false while in progress
  bool failed = false;
};
using ProgressSink = std::function<void(const ProgressEvent&)>;

// What a service's image resolves to on this host: its config and unpacked layers, top first.
struct ResolvedImage {
  image::Image image;
  std::vector<std::string> layer_dirs;
};
// Asked before each container is created (concurrently: it must be thread-safe). The CLI gives
// one that pulls according to the service's pull_policy.
using ImageResolver = std::function<util::Result<ResolvedImage>(const spec::Service&)>;

struct EngineOptions {
  std::string root;            // the state root
  std::string binary;          // the `stack` executable (for helper processes)
  bool ip_masquerade = true;   // networks masquerade unless their driver_opts say not (--ip-masq)
  bool dns_forward = true;     // DNS servers forward outside names unless the network says not
  std::vector<net::dns::Upstream> dns_upstreams;  // where they forward; empty: the host's resolv.conf
};

struct UpOptions {
  std::set<std::string> services;  // `up SERVICE...`: these and (unless no_deps) their dependencies
  bool no_deps = false;
  RecreatePolicy recreate = RecreatePolicy::diverged;
  bool remove_orphans = false;
  std::map<std::string, int> scale;  // --scale S=N
  bool wait = false;                 // --wait: until every container runs and is healthy
  std::chrono::seconds wait_timeout{0};  // 0: no limit
  bool no_start = false;
  bool leave_exited = false;  // the daemon's resync: ended containers follow their restart policy
};

struct DownOptions {
  bool volumes = false;  // -v
  bool remove_orphans = false;
  std::optional<std::chrono::nanoseconds> timeout;  // -t
};

// A container of a project as `ps` shows it.
struct ContainerView {
  std::string name;
  std::string service;
  int number = 1;
  bool one_off = false;
  std::string image;
  std::vector<std::string> command;
  runtime::shim::ContainerState state;
  std::vector<net::proxy::Forward> ports;  // as bound, while a shim serves them
  std::string created;  // when the container dir was made, RFC 3339
  std::map<std::string, std::string> addresses;  // network -> IPv4
  std::map<std::string, std::string> addresses6;  // network -> IPv6, on networks with IPv6
};

// docker's status column: "Up 3 seconds (healthy)", "Exited (0) 2 minutes ago", "Restarting (1)".
std::string describe_status(const runtime::shim::ContainerState& state,
                            std::chrono::system_clock::time_point now);

class Engine {
 public:
  Engine(EngineOptions options, runtime::Runtime& runtime, HostNetwork& host,
         ImageResolver images, ProgressSink progress);
  ~Engine();

  util::Result<void> up(const spec::Stack& stack, const UpOptions& options);
  util::Result<void> down(const std::string& project, const spec::Stack* stack, const DownOptions& options);

  // The project's containers (one-off ones too), sorted by service and number.
  util::Result<std::vector<ContainerView>> containers(const std::string& project);

  // Lifecycle of existing containers; services empty = all of the project. With the stack file,
  // as compose: start and restart go dependencies first, stop dependents first (the graph's
  // waves, each in parallel), and the services' post_start and pre_stop hooks run; without it
  // (stack null), every container at once and no hooks.
  util::Result<void> start(const std::string& project, const std::vector<std::string>& services,
                           const spec::Stack* stack = nullptr);
  util::Result<void> stop(const std::string& project, const std::vector<std::string>& services,
                          std::optional<std::chrono::nanoseconds> timeout, const spec::Stack* stack = nullptr);
  util::Result<void> restart(const std::string& project, const std::vector<std::string>& services,
                             std::optional<std::chrono::nanoseconds> timeout, const spec::Stack* stack = nullptr);
  util::Result<void> kill(const std::string& project, const std::vector<std::string>& services, int signal);
  // Removes stopped containers (all, with force) of the services; anonymous volumes with volumes.
  util::Result<void> remove(const std::string& project, const std::vector<std::string>& services,
                            bool force, bool volumes);

  // `stack run`: a one-off container of a service, with command and environment overrides, not
  // part of the replicas. Returns its name.
  struct RunOptions {
    std::optional<std::vector<std::string>> command;
    std::optional<std::vector<std::string>> entrypoint;
    std::map<std::string, std::string> environment;
    std::string user;
    std::string working_dir;
    bool no_deps = false;
    bool publish_ports = false;  // --service-ports
    std::string name;            // --name
  };
  util::Result<std::string> run(const spec::Stack& stack, const std::string& service, const RunOptions& options);
  // Removes one container and every host resource it had (--rm after run).
  util::Result<void> remove_container(const std::string& project, const std::string& name);

  runtime::Runtime& runtime() { return runtime_; }

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
  runtime::Runtime& runtime_;
};

}  // namespace stack::scheduler
