// up / ps / logs / exec / run / down through the real binary.
#include <filesystem>

#include "integration/orchestrator/e2e_fixture.hpp"

namespace stack::e2e {
namespace {

using ::testing::HasSubstr;

class UpDown : public StackTest {};

TEST_F(UpDown, BringsUpListsExecsRunsAndTearsDownWithoutResidue) {
  start(0);
  write_stack(
      "  web:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"echo web says hello; exec sleep 600\"]\n"
      "    init: true\n"
      "    environment:\n"
      "      GREETING: hi\n"
      "  worker:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"echo working; exec sleep 600\"]\n"
      "    init: true\n"
      "    depends_on: [web]\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err << up.out;
  EXPECT_THAT(up.out, HasSubstr("Container " + container("web") + "  Started"));
  auto all = ps();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[container("web")]["State"], "running");
  EXPECT_EQ(all[container("worker")]["Service"], "worker");
  EXPECT_THAT(all[container("web")]["Networks"].dump(), HasSubstr(prefix_));

  Outcome logs = stack("logs --no-color web");
  EXPECT_EQ(logs.code, 0);
  EXPECT_THAT(logs.out, HasSubstr(container("web") + "  | web says hello"));

  Outcome exec = stack("exec -T web sh -c 'echo $GREETING; exit 7'");
  EXPECT_EQ(exec.code, 7) << exec.err;
  EXPECT_EQ(exec.out, "hi\n");

  // The etc files' mount points come from the init layer: nothing was copied up for them.
  EXPECT_FALSE(std::filesystem::exists(root_.path() + "/containers/" + container("web") + "/upper/etc"));
  Outcome etc = stack("exec -T web sh -c 'test -s /etc/hosts && test -s /etc/resolv.conf && cat /etc/hostname'");
  EXPECT_EQ(etc.code, 0) << etc.err;
  EXPECT_EQ(etc.out, container("web") + "\n");

  // A one-off container: output streamed, exit code returned, removed with --rm. Its standard
  // output is the container's alone (the progress lines go to standard error, as compose's).
  Outcome run = stack("run --rm --no-deps worker sh -c 'echo one-off; exit 3'");
  EXPECT_EQ(run.code, 3) << run.err;
  EXPECT_EQ(run.out, "one-off\n");
  EXPECT_THAT(run.err, HasSubstr("  Started"));
  EXPECT_EQ(ps().size(), 2u);
  // Gone when `run` returns: its state, etc files and cgroups (removed while its shim ended).
  for (const std::string& dir : {root_.path() + "/containers", root_.path() + "/projects/" + project_ + "/etc",
                                "/sys/fs/cgroup/memory/stack/" + project_, "/sys/fs/cgroup/pids/stack/" + project_}) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      EXPECT_EQ(it->path().filename().string().find("-run-"), std::string::npos) << "left: " << it->path();
    }
  }
  EXPECT_EQ(sh("ps -eo args | grep -F -- '--root " + root_.path() + " shim' | grep -F -- '-run-' | grep -v grep"), "");

  Outcome down = stack("down -t 0");
  ASSERT_EQ(down.code, 0) << down.err;
  EXPECT_TRUE(ps().empty());
  expect_no_residue();
}

TEST_F(UpDown, ServicesReachEachOtherByNameOverTcp) {
  start(1);
  write_stack(
      "  server:\n"
      "    image: busybox\n"
      "    command: [\"nc\", \"-ll\", \"-p\", \"7000\", \"-e\", \"echo\", \"pong\"]\n"
      "  client:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n");
  ASSERT_EQ(stack("up -d").code, 0);
  Outcome talk = stack("exec -T client sh -c 'nc -w 2 server 7000 </dev/null'");
  EXPECT_EQ(talk.code, 0) << talk.err;
  EXPECT_EQ(talk.out, "pong\n");
  Outcome by_container = stack("exec -T client sh -c 'nc -w 2 " + container("server") + " 7000 </dev/null'");
  EXPECT_EQ(by_container.out, "pong\n") << by_container.err;
}

TEST_F(UpDown, ServicesOnDifferentNetworksCannotReachEachOther) {
  start(2);
  std::string other = e2e_prefix(67) + "0/24";
  write_stack(
      "  server:\n"
      "    image: busybox\n"
      "    command: [\"nc\", \"-ll\", \"-p\", \"7000\", \"-e\", \"echo\", \"pong\"]\n"
      "  outsider:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "    networks: [other]\n",
      "  other:\n    ipam:\n      config:\n        - subnet: " + other + "\n");
  ASSERT_EQ(stack("up -d").code, 0);
  auto all = ps();
  std::string server_ip = all[container("server")]["Networks"][project_ + "_default"];
  ASSERT_FALSE(server_ip.empty());
  Outcome by_name = stack("exec -T outsider sh -c 'nc -w 1 server 7000 </dev/null'");
  EXPECT_NE(by_name.out, "pong\n");
  Outcome by_ip = stack("exec -T outsider sh -c 'nc -w 1 " + server_ip + " 7000 </dev/null'");
  EXPECT_NE(by_ip.code, 0);
  EXPECT_NE(by_ip.out, "pong\n");
  Outcome down = stack("down -t 0");
  ASSERT_EQ(down.code, 0) << down.err;
  EXPECT_EQ(sh("ip -o link show " + net::bridge_name(project_ + "_other") + " 2>/dev/null"), "");
}

TEST_F(UpDown, HostPortInUseFailsBeforeAnythingStarts) {
  start(3);
  // Hold a port on loopback, then ask the stack to publish it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  write_stack(
      "  first:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "  web:\n"
      "    image: busybox\n"
      "    command: [\"httpd\", \"-f\", \"-p\", \"80\"]\n"
      "    ports: [\"127.0.0.1:" + std::to_string(port) + ":80\"]\n");
  Outcome up = stack("up -d");
  ::close(fd);
  EXPECT_EQ(up.code, 1);
  EXPECT_EQ(up.err, "stack: services.web.ports[0]: port 127.0.0.1:" + std::to_string(port) + "/tcp is already in use\n");
  EXPECT_TRUE(ps().empty());
  EXPECT_EQ(sh("ip -o link show " + net::bridge_name(project_ + "_default") + " 2>/dev/null"), "");
}

TEST_F(UpDown, MissingImageIsOneLineAndLeavesNothing) {
  start(4);
  write_stack(
      "  app:\n"
      "    image: nosuchimage:1\n"
      "    pull_policy: never\n");
  Outcome up = stack("up -d");
  EXPECT_EQ(up.code, 1);
  EXPECT_THAT(up.err, HasSubstr("'nosuchimage:1' is not in the store"));
  EXPECT_EQ(std::count(up.err.begin(), up.err.end(), '\n'), 1) << up.err;
  EXPECT_TRUE(ps().empty());
}

}  // namespace
}  // namespace stack::e2e
