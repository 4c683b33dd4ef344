// Shared pieces of the shim's root tests: a state root and a cgroup project per test, the busybox
// rootfs, a ShimRuntime on the real `stack` binary, helpers to wait on state.json and to read the
// log, and a TearDown that removes every container the test made even when it failed.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <sstream>
#include <thread>

#include "runtime/cgroup/factory.hpp"
#include "runtime/shim_runtime.hpp"
#include "support/rootfs.hpp"

namespace stack::runtime::shim::testing {

inline const test::BusyboxRootfs& busybox() {
  static test::BusyboxRootfs rootfs;
  return rootfs;
}

struct LogEntry {
  std::string log;
  std::string stream;
  std::string time;
};

class ShimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "the shim's integration tests run as root";
    ASSERT_TRUE(busybox().ok()) << busybox().error();
    ASSERT_FALSE(root_.path().empty());
    project_ = "shimt" + std::to_string(::getpid());
  }

  void TearDown() override {
    for (const std::string& id : ids_) {
      auto removed = runtime_.remove(id);
      EXPECT_TRUE(removed) << id << ": " << removed.error().message();
    }
  }

  // A unique id per test (and per call).
  std::string new_id() {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::string id = "t" + std::to_string(ids_.size()) + "-" + name;
    for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ids_.push_back(id);
    return id;
  }

  ShimConfig config(const std::string& id, std::vector<std::string> args) const {
    ShimConfig c;
    c.container.rootfs.lower_layers = {busybox().path()};
    c.container.args = std::move(args);
    c.container.env = {"PATH=/bin"};
    c.cgroup_path = "stack/" + project_ + "/" + id;
    c.stop_grace_period = std::chrono::seconds(1);  // sleep as PID 1 ignores SIGTERM: keep teardown short
    return c;
  }

  static std::vector<std::string> sh(const std::string& script) { return {"/bin/sh", "-c", script}; }

  // Polls state() until pred holds; the last state seen, or nullopt if it never did in time.
  std::optional<ContainerState> wait_for(const std::string& id,
                                         const std::function<bool(const ContainerState&)>& pred,
                                         std::chrono::seconds limit = std::chrono::seconds(30)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto s = runtime_.state(id);
      if (s && *s && pred(**s)) return **s;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
  }

  std::optional<ContainerState> wait_final(const std::string& id) {
    return wait_for(id, [](const ContainerState& s) { return is_final(s.status); });
  }

  std::vector<LogEntry> log_entries(const std::string& id) const {
    std::vector<LogEntry> entries;
    std::istringstream in(test::read_text(runtime_.paths().log_file(id)));
    std::string line;
    while (std::getline(in, line)) {
      try {
        auto j = nlohmann::json::parse(line);
        entries.push_back({j.at("log"), j.at("stream"), j.at("time")});
      } catch (const nlohmann::json::exception& e) {
        ADD_FAILURE() << "bad log line '" << line << "': " << e.what();
      }
    }
    return entries;
  }

  // The cgroup's directories in every mounted hierarchy that exist now.
  std::vector<std::string> cgroup_dirs(const std::string& id) const {
    std::vector<std::string> found;
    auto h = cgroup::detect_hierarchy();
    if (!h) return {"detect_hierarchy failed: " + h.error().message()};
    std::string rel = "/stack/" + project_ + "/" + id;
    std::vector<std::string> roots;
    if (h->version == cgroup::Version::v2) roots.push_back(h->unified);
    for (const auto& [name, mount] : h->controllers) roots.push_back(mount);
    for (const auto& root : roots) {
      if (::access((root + rel).c_str(), F_OK) == 0) found.push_back(root + rel);
    }
    return found;
  }

  static bool process_gone(pid_t pid) {
    if (::kill(pid, 0) != 0) return true;
    std::string stat = test::read_text("/proc/" + std::to_string(pid) + "/stat");
    std::size_t paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
  }

  static bool wait_gone(pid_t pid, std::chrono::seconds limit = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (process_gone(pid)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  test::TempDir root_{"stack-shim"};
  std::string project_;
  std::vector<std::string> ids_;
  ShimRuntime runtime_{{root_.path(), STACK_BINARY}};
};

// Seconds since midnight of an RFC 3339 UTC time, enough to compare times of one test.
inline double seconds_of_day(const std::string& t) {
  if (t.size() < 20) return -1;
  return std::stoi(t.substr(11, 2)) * 3600.0 + std::stoi(t.substr(14, 2)) * 60.0 + std::stod(t.substr(17));
}

}  // namespace stack::runtime::shim::testing
