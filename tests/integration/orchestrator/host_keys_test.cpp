// Service keys that reach the host's kernel, through the real binary: the devices cgroup (a
// container may make any node but open only the ones it was given, as in docker), compose
// `devices` with their permissions, dns_search and dns_opt in resolv.conf, oom_score_adj and
// mem_swappiness.
#include <fstream>

#include "integration/orchestrator/e2e_fixture.hpp"

namespace stack::e2e {
namespace {

using ::testing::HasSubstr;

class HostKeys : public StackTest {};

TEST_F(HostKeys, DevicesAreTheOnlyHostNodesAContainerCanOpen) {
  ASSERT_TRUE(std::filesystem::exists("/dev/loop0")) << "the test needs the host's /dev/loop0 (b 7:0)";
  start(73);
  write_stack(
      "  probe:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    devices: [\"/dev/loop0:/dev/xloop:r\"]\n"
      "  plain:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;

  Outcome node = stack("exec -T probe stat -c '%F %t:%T' /dev/xloop");
  EXPECT_EQ(node.out, "block special file 7:0\n") << node.err;
  Outcome read = stack("exec -T probe sh -c 'exec 3</dev/xloop && echo read-ok'");
  EXPECT_EQ(read.out, "read-ok\n") << read.err;
  Outcome write = stack("exec -T probe sh -c 'exec 3>/dev/xloop && echo write-ok'");
  EXPECT_NE(write.code, 0);
  EXPECT_THAT(write.err, HasSubstr("Operation not permitted"));

  // Without the devices cgroup a container could make the host's disk and read it: CAP_MKNOD is
  // one of docker's default capabilities. Making the node stays allowed; opening it is not.
  Outcome made = stack("exec -T plain sh -c 'mknod /tmp/l b 7 0 && echo made && exec 3</tmp/l && echo opened'");
  EXPECT_EQ(made.out, "made\n") << made.err;
  EXPECT_THAT(made.err, HasSubstr("Operation not permitted"));
  Outcome null = stack("exec -T plain sh -c 'echo x >/dev/null && head -c 4 /dev/urandom | wc -c'");
  EXPECT_EQ(null.out, "4\n") << null.err;
}

TEST_F(HostKeys, ResolvConfOomScoreAndSwappinessAreAsWritten) {
  start(74);
  write_stack(
      "  app:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    dns_search: [example.test]\n"
      "    dns_opt: [\"ndots:3\", \"timeout:2\"]\n"
      "    oom_score_adj: 300\n"
      "    mem_swappiness: 7\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  Outcome resolv = stack("exec -T app cat /etc/resolv.conf");
  EXPECT_THAT(resolv.out, HasSubstr("\nsearch example.test\n"));
  EXPECT_THAT(resolv.out, HasSubstr("\noptions ndots:3 timeout:2\n")) << resolv.out;
  Outcome score = stack("exec -T app cat /proc/1/oom_score_adj");
  EXPECT_EQ(score.out, "300\n") << score.err;
  std::ifstream swappiness("/sys/fs/cgroup/memory/stack/" + project_ + "/" + container("app") + "/memory.swappiness");
  std::string value;
  swappiness >> value;
  EXPECT_EQ(value, "7") << "expects cgroup v1 controllers, as this machine and CI have";
}

}  // namespace
}  // namespace stack::e2e
