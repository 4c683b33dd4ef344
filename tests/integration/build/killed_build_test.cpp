// A build killed with SIGKILL in the middle of a RUN step: its step does not outlive it (nor does
// the step's veth, which goes with its namespace), and the next build removes what it left
// (scratch directory, secrets tmpfs, cgroup, the build network's bridge, nft table and record).
// The build network is on 10.231.8.0/24.
#include "build_fixture.hpp"

#include <fcntl.h>

#include <csignal>

namespace stack::build {
namespace {

TEST_F(BuildTest, AKilledBuildLeavesNothingAfterTheNextBuild) {
  ::setenv("STACK_BUILD_POOL", "10.231.8.0/24", 1);
  const std::string bridge = build_bridge_name(root_.path(), *net::Subnet::parse("10.231.8.0/24"));
  ASSERT_TRUE(test::write_text(root_ / "token", "t"));
  write("Dockerfile",
        "FROM busybox\n"
        "RUN --mount=type=secret,id=token sleep 600\n");
  pid_t builder = ::fork();
  ASSERT_GE(builder, 0);
  if (builder == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::execl(STACK_BINARY, STACK_BINARY, "--root", root_.path().c_str(), "image", "build", "--progress", "plain",
            "--secret", ("id=token,src=" + root_ / "token").c_str(), "-t", "bld-killed:1", context().c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait (bounded) until the step's container runs: its cgroup has a process.
  namespace fs = std::filesystem;
  const std::string builds = root_ / "builds";
  const std::string cgroups = fs::exists("/sys/fs/cgroup/pids/stack") ? "/sys/fs/cgroup/pids/stack/_build" : "/sys/fs/cgroup/stack/_build";
  std::string running_cgroup;
  for (int i = 0; i < 300 && running_cgroup.empty(); ++i) {
    std::error_code ec;
    for (fs::directory_iterator it(cgroups, ec), end; !ec && it != end; it.increment(ec)) {
      std::string procs = test::read_text(it->path().string() + "/cgroup.procs");
      if (!procs.empty() && fs::exists(builds + "/" + it->path().filename().string().substr(6))) {
        running_cgroup = it->path();
      }
    }
    if (running_cgroup.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(running_cgroup.empty()) << "the RUN step never started";
  std::string name = fs::path(running_cgroup).filename().string().substr(6);  // "build-<name>"
  std::string ports = sh("ip -o link show master " + bridge);
  ASSERT_NE(ports.find(": stv"), std::string::npos) << "the step is not on the build bridge: " << ports;
  std::string veth = ports.substr(ports.find("stv"), 13);
  ASSERT_EQ(::kill(builder, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(builder, &status, 0), builder);

  // The step died with its builder; what it stood in is still there until the next build.
  bool step_gone = false;
  for (int i = 0; i < 250 && !step_gone; ++i) {
    step_gone = test::read_text(running_cgroup + "/cgroup.procs").empty();
    if (!step_gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(step_gone) << "the RUN step outlived its killed builder";
  EXPECT_TRUE(fs::exists(builds + "/" + name)) << "nothing was left to clean: the test proves nothing";
  EXPECT_EQ(sh("grep -c " + builds + "/" + name + "/secrets /proc/self/mountinfo"), "1\n") << "the secrets tmpfs";
  EXPECT_NE(sh("ip -o link show " + bridge), "") << "the build bridge";
  EXPECT_NE(sh("nft list table ip " + bridge), "") << "the build network's table";
  EXPECT_TRUE(fs::exists(root_ / ("build-net/" + bridge + ".lock"))) << "the build network's record";
  bool veth_gone = false;  // with the step's namespace, which the kernel frees a little later
  for (int i = 0; i < 250 && !veth_gone; ++i) {
    veth_gone = sh("ip -o link show " + veth).empty();
    if (!veth_gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(veth_gone) << "the step's veth outlived its namespace: " << veth;

  write("Dockerfile", "FROM busybox\nRUN true\n");
  built_id(build("-t bld-after:1"));
  EXPECT_FALSE(fs::exists(builds + "/" + name));
  EXPECT_FALSE(fs::exists(builds + "/" + name + ".lock"));
  EXPECT_FALSE(fs::exists(running_cgroup));
  EXPECT_EQ(sh("ip -o link show " + bridge), "") << "the killed build's bridge";
  // TearDown: no scratch directory, no mount under the root, no build cgroup, no process.
}

}  // namespace
}  // namespace stack::build
