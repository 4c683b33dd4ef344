// Fakes of the engine's two host seams, for the executor's unit tests: FakeRuntime (containers as
// values) and FakeHostNetwork (links, namespaces, firewall tables, DNS servers as sets). Both write
// what they are asked to do to one Journal, in order, and fail an action on request, so that a
// test can see the steps an `up` takes and the undo that follows a failure.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/runtime.hpp"
#include "scheduler/host_network.hpp"
#include "util/fd.hpp"

namespace stack::scheduler::testing {

using util::Errc;
using util::Error;
using util::Result;

class Journal {
 public:
  // Records action; an error if the test asked for this action to fail.
  Result<void> record(const std::string& action) {
    std::lock_guard lock(mu_);
    entries_.push_back(action);
    if (failing_.count(action)) return Error(Errc::io, action + ": injected failure");
    return util::ok();
  }
  void fail(const std::string& action) {
    std::lock_guard lock(mu_);
    failing_.insert(action);
  }
  void heal(const std::string& action) {
    std::lock_guard lock(mu_);
    failing_.erase(action);
  }
  std::vector<std::string> entries() const {
    std::lock_guard lock(mu_);
    return entries_;
  }
  void clear() {
    std::lock_guard lock(mu_);
    entries_.clear();
  }
  // Position of the first entry equal to action, or -1.
  long index_of(const std::string& action) const {
    std::lock_guard lock(mu_);
    auto it = std::find(entries_.begin(), entries_.end(), action);
    return it == entries_.end() ? -1 : it - entries_.begin();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> entries_;
  std::set<std::string> failing_;
};

class FakeHostNetwork final : public HostNetwork {
 public:
  explicit FakeHostNetwork(Journal& journal) : journal_(journal) {}

  Result<net::BridgeInfo> ensure_bridge(const net::NetworkSpec& spec) override {
    STACK_TRY(journal_.record("bridge " + spec.name));
    std::lock_guard lock(mu_);
    bool created = bridges.insert(spec.bridge).second;
    return net::BridgeInfo{spec.bridge, 1, spec.mtu, "", created};
  }
  Result<bool> remove_bridge(const std::string& bridge) override {
    STACK_TRY(journal_.record("remove bridge"));
    std::lock_guard lock(mu_);
    return bridges.erase(bridge) > 0;
  }
  Result<void> attach(const std::string& netns_path, const net::Attachment& a) override {
    STACK_TRY(journal_.record("attach " + a.host_veth));
    std::lock_guard lock(mu_);
    if (!netns.count(netns_path)) return Error(Errc::not_found, netns_path + ": no such namespace");
    if (!bridges.count(a.bridge)) return Error(Errc::not_found, a.bridge + ": no such bridge");
    if (!veths.emplace(a.host_veth, a.bridge).second) return Error(Errc::already_exists, a.host_veth + " exists");
    return util::ok();
  }
  Result<bool> detach(const std::string& host_veth) override {
    STACK_TRY(journal_.record("detach " + host_veth));
    std::lock_guard lock(mu_);
    return veths.erase(host_veth) > 0;
  }
  Result<bool> is_attached(const std::string& host_veth, const std::string& bridge) override {
    std::lock_guard lock(mu_);
    auto it = veths.find(host_veth);
    return it != veths.end() && it->second == bridge && bridges.count(bridge) > 0;
  }
  Result<bool> bridge_exists(const std::string& bridge) override {
    std::lock_guard lock(mu_);
    return bridges.count(bridge) > 0;
  }
  Result<std::vector<util::Subnet>> used_subnets(const std::string&) override { return std::vector<util::Subnet>{}; }

  Result<void> create_netns(const std::string& path) override {
    STACK_TRY(journal_.record("netns " + basename(path)));
    std::lock_guard lock(mu_);
    if (!netns.insert(path).second) return Error(Errc::already_exists, path + " exists");
    return util::ok();
  }
  Result<bool> remove_netns(const std::string& path) override {
    std::lock_guard lock(mu_);
    if (!netns.count(path)) return false;
    netns.erase(path);
    journal_unlocked("remove netns " + basename(path));
    return true;
  }
  bool netns_exists(const std::string& path) override {
    std::lock_guard lock(mu_);
    return netns.count(path) > 0;
  }

  Result<void> ensure_firewall(const net::FirewallRules& rules) override {
    STACK_TRY(journal_.record("firewall " + rules.bridge));
    std::lock_guard lock(mu_);
    firewalls.insert(rules.bridge);
    return util::ok();
  }
  Result<bool> firewall_holds(const net::FirewallRules& rules) override {
    std::lock_guard lock(mu_);
    return firewalls.count(rules.bridge) > 0;
  }
  Result<void> remove_firewall(const std::string& bridge) override {
    STACK_TRY(journal_.record("remove firewall"));
    std::lock_guard lock(mu_);
    firewalls.erase(bridge);
    return util::ok();
  }
  Result<void> ensure_dns_server(const std::string&, const net::dns::DnsServerOptions& o) override {
    STACK_TRY(journal_.record("dns " + o.network));
    std::lock_guard lock(mu_);
    dns_servers.insert(o.network);
    return util::ok();
  }
  Result<bool> stop_dns_server(const std::string&, const std::string& network) override {
    STACK_TRY(journal_.record("stop dns " + network));
    std::lock_guard lock(mu_);
    return dns_servers.erase(network) > 0;
  }

  bool dns_server_running(const std::string&, const std::string& network) override {
    std::lock_guard lock(mu_);
    return dns_servers.count(network) > 0;
  }

  Result<void> check_port_free(const net::proxy::Forward&) override { return util::ok(); }

  bool empty() {
    std::lock_guard lock(mu_);
    return bridges.empty() && veths.empty() && netns.empty() && firewalls.empty() && dns_servers.empty();
  }

  std::set<std::string> bridges;
  std::map<std::string, std::string> veths;  // host end -> bridge
  std::set<std::string> netns;               // paths
  std::set<std::string> firewalls;
  std::set<std::string> dns_servers;

 private:
  static std::string basename(const std::string& path) { return path.substr(path.rfind('/') + 1); }
  void journal_unlocked(const std::string& action) { (void)journal_.record(action); }

  Journal& journal_;
  std::mutex mu_;
};

// Containers that run until the test ends them (finish()); waiters are woken as by the shims.
class FakeRuntime final : public runtime::Runtime {
 public:
  explicit FakeRuntime(Journal& journal) : journal_(journal) {}

  Result<void> create(const std::string& id, const runtime::shim::ShimConfig& config) override {
    STACK_TRY(journal_.record("create " + id));
    std::lock_guard lock(mu_);
    if (containers_.count(id)) return Error(Errc::already_exists, "container '" + id + "' already exists");
    containers_[id] = {config, running()};
    changed();
    return util::ok();
  }
  Result<void> start(const std::string& id) override {
    STACK_TRY(journal_.record("start " + id));
    std::lock_guard lock(mu_);
    auto it = containers_.find(id);
    if (it == containers_.end()) return Error(Errc::not_found, "no such container '" + id + "'");
    it->second.state = running();
    changed();
    return util::ok();
  }
  Result<std::optional<runtime::shim::ContainerState>> state(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto it = containers_.find(id);
    if (it == containers_.end()) return std::optional<runtime::shim::ContainerState>();
    return std::optional<runtime::shim::ContainerState>(it->second.state);
  }
  Result<void> stop(const std::string& id, std::optional<std::chrono::nanoseconds>) override {
    {
      std::lock_guard lock(mu_);
      max_stopping = std::max(max_stopping, ++stopping_);
    }
    // Long enough for every worker of a parallel stop to be inside at once.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    STACK_TRY(journal_.record("stop " + id));
    std::lock_guard lock(mu_);
    --stopping_;
    auto it = containers_.find(id);
    if (it != containers_.end() && !runtime::shim::is_final(it->second.state.status)) {
      it->second.state.status = runtime::shim::Status::stopped;
      it->second.state.shim_alive = false;
      changed();
    }
    return util::ok();
  }
  Result<void> kill(const std::string& id, int signal) override {
    return journal_.record("kill " + id + " " + std::to_string(signal));
  }
  Result<bool> remove(const std::string& id) override {
    std::lock_guard lock(mu_);
    bool removed = containers_.erase(id) > 0;
    if (removed) {
      (void)journal_.record("remove " + id);
      changed();
    }
    return removed;
  }
  Result<std::vector<std::string>> list() override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [id, c] : containers_) out.push_back(id);
    return out;
  }
  Result<runtime::shim::ShimConfig> config(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto it = containers_.find(id);
    if (it == containers_.end()) return Error(Errc::not_found, "no such container '" + id + "'");
    return it->second.config;
  }
  Result<runtime::shim::ContainerState> recover(const std::string& id) override {
    STACK_ASSIGN_OR_RETURN(auto s, state(id));
    if (!s) return Error(Errc::not_found, "no such container '" + id + "'");
    return *s;
  }
  // Journals "exec <id> <args>", prints "ran <args>" to its stdout and exits with exec_exit[args[0]]
  // (0 when not set): enough for the lifecycle hooks.
  Result<int> exec(const std::string& id, const runtime::ExecConfig& c) override {
    std::string line;
    for (const auto& a : c.args) line += (line.empty() ? "" : " ") + a;
    STACK_TRY(journal_.record("exec " + id + " " + line));
    if (c.stdout_fd >= 0) (void)util::write_all(c.stdout_fd, "ran " + line + "\n");
    std::lock_guard lock(mu_);
    auto it = exec_exit.find(c.args.empty() ? "" : c.args[0]);
    return it == exec_exit.end() ? 0 : it->second;
  }
  std::map<std::string, int> exec_exit;
  Result<runtime::TerminalProcess> exec_terminal(const std::string&, const runtime::ExecConfig&) override {
    return Error(Errc::unsupported, "the fake runtime runs no process");
  }
  Result<runtime::ContainerStats> stats(const std::string&) override {
    return Error(Errc::unsupported, "the fake runtime has no cgroups");
  }
  Result<std::vector<runtime::ProcessInfo>> top(const std::string&) override {
    return Error(Errc::unsupported, "the fake runtime has no processes");
  }
  Result<std::unique_ptr<runtime::StateWatch>> watch(runtime::WatchOptions) override {
    return std::unique_ptr<runtime::StateWatch>(new Watch(*this));
  }

  // The container's command ends with exit_code, as its shim would report it.
  void finish(const std::string& id, int exit_code) {
    std::lock_guard lock(mu_);
    auto& s = containers_.at(id).state;
    s.status = runtime::shim::Status::exited;
    s.exit_code = exit_code;
    s.shim_alive = false;
    changed();
  }
  // Blocks until container id exists.
  void await_created(const std::string& id) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return containers_.count(id) > 0; });
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return containers_.size();
  }

  int max_stopping = 0;  // the most stop() calls in flight at once

 private:
  struct Entry {
    runtime::shim::ShimConfig config;
    runtime::shim::ContainerState state;
  };
  class Watch final : public runtime::StateWatch {
   public:
    explicit Watch(FakeRuntime& r) : r_(r), seen_(r.generation()) {}
    Result<void> add(const std::string&, const runtime::shim::ContainerState&) override { return util::ok(); }
    Result<bool> wait(std::chrono::milliseconds timeout) override {
      std::unique_lock lock(r_.mu_);
      bool woke = r_.cv_.wait_for(lock, timeout, [&] { return r_.generation_ != seen_; });
      seen_ = r_.generation_;
      return woke;
    }

   private:
    FakeRuntime& r_;
    uint64_t seen_;
  };
  static runtime::shim::ContainerState running() {
    runtime::shim::ContainerState s;
    s.status = runtime::shim::Status::running;
    s.shim_alive = true;
    return s;
  }
  uint64_t generation() {
    std::lock_guard lock(mu_);
    return generation_;
  }
  void changed() {  // mu_ held
    ++generation_;
    cv_.notify_all();
  }

  Journal& journal_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Entry> containers_;
  uint64_t generation_ = 0;
  int stopping_ = 0;
};

}  // namespace stack::scheduler::testing
