// Shared pieces of the runtime's root tests: one busybox rootfs per process, a config with its own
// overlay dirs per test, and run() that captures stdout and cleans up.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "runtime/container/container.hpp"
#include "support/rootfs.hpp"
#include "util/fd.hpp"

namespace stack::runtime::testing {

inline const test::BusyboxRootfs& busybox() {
  static test::BusyboxRootfs rootfs;
  return rootfs;
}

// Each test: its own dir holding the overlay's upper, work and merged dirs (made by create()).
class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "the runtime's integration tests run as root";
    ASSERT_TRUE(busybox().ok()) << busybox().error();
    ASSERT_FALSE(dir_.path().empty());
  }

  ContainerConfig config(std::vector<std::string> args) const {
    ContainerConfig c;
    c.id = "test-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    c.rootfs.lower_layers = {busybox().path()};
    c.rootfs.upper_dir = dir_ / "upper";
    c.rootfs.work_dir = dir_ / "work";
    c.rootfs.merged_dir = dir_ / "merged";
    c.args = std::move(args);
    c.env = {"PATH=/bin"};
    return c;
  }

  static std::vector<std::string> sh(const std::string& script) { return {"/bin/sh", "-c", script}; }

  struct Run {
    std::string out;
    ExitStatus status;
  };

  // create + start + read stdout (and stderr) until the container ends + remove.
  static util::Result<Run> run(ContainerConfig c) {
    STACK_ASSIGN_OR_RETURN(auto pipe, util::Pipe::make());
    c.stdout_fd = pipe.write.get();
    c.stderr_fd = pipe.write.get();
    STACK_ASSIGN_OR_RETURN(Container container, Container::create(c));
    pipe.write.reset();  // the container holds its own copy
    STACK_TRY(container.start());
    STACK_ASSIGN_OR_RETURN(std::string out, util::read_to_end(pipe.read.get()));
    STACK_ASSIGN_OR_RETURN(ExitStatus status, container.wait());
    STACK_TRY(container.remove());
    return Run{out, status};
  }

  // Lines of /proc/self/mountinfo that mention path.
  static std::string host_mounts_under(const std::string& path) {
    std::string hits;
    std::string info = test::read_text("/proc/self/mountinfo");
    std::size_t start = 0;
    while (start < info.size()) {
      std::size_t end = info.find('\n', start);
      if (end == std::string::npos) end = info.size();
      std::string line = info.substr(start, end - start);
      if (line.find(path) != std::string::npos) hits += line + "\n";
      start = end + 1;
    }
    return hits;
  }

  test::TempDir dir_{"stack-rt"};
};

}  // namespace stack::runtime::testing
