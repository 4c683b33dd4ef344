// Builds through the real `stack` binary, each test in its own state root with the busybox test
// image loaded, its own context directory and tags prefixed "bld". Teardown checks that nothing
// the builds made is left: no RUN scratch directory, no mount under the root, no build cgroup, no
// build network (record, bridge or nft table). RUN steps on the default network take their subnet
// from 10.231.6.0/23 (kTestBuildPool; 10.231.8.0/24 and 10.231.9.0/24 are for the tests that name
// theirs), without masquerading: no test but none turns ip_forward on.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <optional>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "build/build_network.hpp"
#include "build/rootfs_view.hpp"
#include "image/store.hpp"
#include "support/rootfs.hpp"

namespace stack::build {

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

inline const std::string& busybox_image() {
  static test::TempDir dir("stack-bld-image");
  static std::string path = [] {
    std::string out = dir / "busybox.tar";
    std::string cmd = std::string(STACK_SOURCE_DIR) + "/scripts/make-test-image.sh " + out + " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0 ? out : std::string();
  }();
  return path;
}

inline constexpr const char* kTestBuildPool = "10.231.6.0/23";

// The build networks a build in root may have made: one per /24 of the tests' range, and the two
// /25s of 10.231.9.0/24 (build_network_test.cpp).
inline std::vector<std::string> test_build_bridges(const std::string& root) {
  std::vector<std::string> out;
  for (const char* subnet : {"10.231.6.0/24", "10.231.7.0/24", "10.231.8.0/24", "10.231.9.0/24", "10.231.9.0/25",
                             "10.231.9.128/25"}) {
    out.push_back(build_bridge_name(root, *net::Subnet::parse(subnet)));
  }
  return out;
}

class BuildTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "integration tests run as root";
    ::setenv("STACK_IP_MASQ", "false", 1);
    ::setenv("STACK_BUILD_POOL", kTestBuildPool, 1);
    ASSERT_FALSE(busybox_image().empty()) << "scripts/make-test-image.sh failed";
    auto store = image::Store::open(root_.path());
    ASSERT_TRUE(store) << store.error().message();
    auto loaded = (*store)->load(busybox_image());
    ASSERT_TRUE(loaded) << loaded.error().message();
    std::filesystem::create_directories(context());
  }

  void TearDown() override { expect_no_residue(); }

  std::string context() const { return root_ / "ctx"; }

  void write(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(context() + "/" + rel).parent_path());
    ASSERT_TRUE(test::write_text(context() + "/" + rel, text));
  }

  // In root_ unless another state root is given.
  Outcome stack(const std::string& args, const std::string& env = "", const std::string& root = "") const {
    std::string out = root_ / "out.txt", err = root_ / "err.txt";
    std::string cmd = env + " " + std::string(STACK_BINARY) + " --root " + (root.empty() ? root_.path() : root) + " " +
                      args + " >" + out + " 2>" + err + " </dev/null";
    Outcome r;
    int status = std::system(cmd.c_str());
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = test::read_text(out);
    r.err = test::read_text(err);
    return r;
  }

  Outcome build(const std::string& args) const {
    return stack("image build --progress plain " + args + " " + context());
  }

  // The id a successful build printed on stdout.
  std::string built_id(const Outcome& r) const {
    EXPECT_EQ(r.code, 0) << r.err;
    std::string id = r.out.substr(0, r.out.find('\n'));
    EXPECT_TRUE(std::regex_match(id, std::regex("sha256:[0-9a-f]{64}"))) << r.out << r.err;
    return id;
  }

  std::optional<image::Image> find(const std::string& ref) const {
    auto store = image::Store::open(root_.path());
    if (!store) return std::nullopt;
    auto found = (*store)->find(ref);
    EXPECT_TRUE(found) << found.error().message();
    return found ? *found : std::nullopt;
  }

  // The image's merged file system, read without mounting.
  RootfsView view(const std::string& ref) const {
    auto image = find(ref);
    EXPECT_TRUE(image.has_value()) << ref;
    if (!image) return RootfsView({});
    auto store = image::Store::open(root_.path());
    auto dirs = (*store)->layer_dirs(*image);
    EXPECT_TRUE(dirs) << dirs.error().message();
    return RootfsView(dirs ? *dirs : std::vector<std::string>{});
  }

  // A shell line's standard output, through a file in the test's root.
  std::string sh(const std::string& cmd) const {
    std::string file = root_ / "sh.txt";
    if (std::system((cmd + " >" + file + " 2>/dev/null").c_str()) == -1) return "<system failed>";
    return test::read_text(file);
  }

  void expect_no_residue() const {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (fs::directory_iterator it(root_ / "builds", ec), end; !ec && it != end; it.increment(ec)) {
      ADD_FAILURE() << "build scratch dir left: " << it->path();
    }
    EXPECT_EQ(sh("grep -c " + root_.path() + " /proc/self/mountinfo"), "0\n") << "mounts left under the root";
    EXPECT_FALSE(fs::exists(root_ / "build-net")) << "a build network's record is left";
    for (const std::string& bridge : test_build_bridges(root_.path())) {
      EXPECT_EQ(sh("ip -o link show " + bridge), "") << "build bridge left: " << bridge;
      EXPECT_EQ(sh("nft list table ip " + bridge), "") << "build network's nft table left: " << bridge;
    }
    for (const char* controller : {"memory", "pids", "cpu,cpuacct", "unified"}) {
      std::string dir = std::string("/sys/fs/cgroup/") + controller + "/stack/_build";
      for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        // The parent is shared with the build tests running at once: only a cgroup that is still
        // there a few seconds later (no RUN step of theirs lasts so long) was left behind.
        if (!it->is_directory()) continue;
        std::this_thread::sleep_for(std::chrono::seconds(3));
        if (fs::exists(it->path())) ADD_FAILURE() << "build cgroup left: " << it->path();
      }
    }
    EXPECT_EQ(sh("ps -eo args | grep -F -- '--root " + root_.path() + "' | grep -v grep"), "") << "process left";
  }

  test::TempDir root_{"stack-bld"};
};

inline std::string read_view(const RootfsView& v, const std::string& path) {
  return v.read_small_file(path).value_or("<missing " + path + ">");
}

}  // namespace stack::build
