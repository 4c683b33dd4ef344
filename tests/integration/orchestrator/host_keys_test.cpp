// Service keys that reach the host's kernel, through the real binary: the devices cgroup (a
// container may make any node but open only the ones it was given, as in docker), compose
// `devices` with their permissions, a privileged container's host devices, dns_search and dns_opt in resolv.conf, oom_score_adj,
// mem_swappiness, group_add, cgroup, ipc/pid/uts shared with another service or the host, and
// attach.
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
      "    command: [\"sleep\", \"600\"]\n"
      "  admin:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    privileged: true\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;

  // privileged: the host's device nodes at their own paths, opened as docker's privileged would.
  Outcome host_node = stack("exec -T admin sh -c \"stat -c '%F %t:%T' /dev/loop0 && exec 3</dev/loop0 && echo read-ok\"");
  EXPECT_EQ(host_node.out, "block special file 7:0\nread-ok\n") << host_node.err;
  Outcome unprivileged = stack("exec -T plain sh -c 'test -e /dev/loop0 && echo has-loop0 || echo none'");
  EXPECT_EQ(unprivileged.out, "none\n") << unprivileged.err;

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

// A private cgroup namespace made after the process joined its cgroups: every controller's path is
// "/", and /sys/fs/cgroup shows the container's own limits, read-only, as in docker (JVMs and Go
// tuners size themselves from it). `exec` sees the same.
TEST_F(HostKeys, ContainerSeesItsOwnCgroupsAsTheRootReadOnly) {
  start(6);
  write_stack(
      "  app:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    mem_limit: 48m\n"
      "    pids_limit: 77\n"
      "  admin:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    privileged: true\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  Outcome paths = stack("exec -T app sh -c 'grep -v -e name= -e freezer /proc/1/cgroup | cut -d: -f3 | sort -u'");
  EXPECT_EQ(paths.out, "/\n") << paths.out << paths.err;
  Outcome limits = stack("exec -T app sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max'");
  EXPECT_EQ(limits.out, std::to_string(48 << 20) + "\n77\n") << limits.err;
  Outcome write = stack("exec -T app sh -c 'echo 1 > /sys/fs/cgroup/pids/pids.max'");
  EXPECT_NE(write.code, 0);
  EXPECT_THAT(write.err, HasSubstr("Read-only file system"));
  Outcome unified = stack("exec -T app sh -c 'grep \" /sys/fs/cgroup/unified \" /proc/1/mountinfo | wc -l'");
  EXPECT_EQ(unified.out, "1\n") << "the hybrid host's cgroup2 mount is mirrored: " << unified.err;
  Outcome privileged = stack("exec -T admin sh -c 'grep \" /sys/fs/cgroup/memory \" /proc/1/mountinfo | cut -d\" \" -f6 | cut -d, -f1'");
  EXPECT_EQ(privileged.out, "rw\n") << privileged.err;
}

TEST_F(HostKeys, ResolvConfOomScoreSwappinessGroupsAndCgroupAreAsWritten) {
  start(74);
  write_stack(
      "  app:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    dns_search: [example.test]\n"
      "    dns_opt: [\"ndots:3\", \"timeout:2\"]\n"
      "    oom_score_adj: 300\n"
      "    mem_swappiness: 7\n"
      "    group_add: [nogroup, \"4242\"]\n"
      "    cgroup: host\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  Outcome resolv = stack("exec -T app cat /etc/resolv.conf");
  EXPECT_THAT(resolv.out, HasSubstr("\nsearch example.test\n"));
  EXPECT_THAT(resolv.out, HasSubstr("\noptions ndots:3 timeout:2\n")) << resolv.out;
  Outcome score = stack("exec -T app cat /proc/1/oom_score_adj");
  EXPECT_EQ(score.out, "300\n") << score.err;
  Outcome groups = stack("exec -T app sh -c 'id -G; grep ^Groups /proc/1/status'");
  // The kernel keeps supplementary groups sorted; exec keeps them too.
  EXPECT_EQ(groups.out, "0 4242 65534\nGroups:\t4242 65534 \n") << groups.err;
  // The host's cgroup namespace: the container's own cgroup path is visible, not "/".
  Outcome cgroup = stack("exec -T app cat /proc/1/cgroup");
  EXPECT_THAT(cgroup.out, HasSubstr("/stack/" + project_ + "/" + container("app"))) << cgroup.out;
  std::ifstream swappiness("/sys/fs/cgroup/memory/stack/" + project_ + "/" + container("app") + "/memory.swappiness");
  std::string value;
  swappiness >> value;
  EXPECT_EQ(value, "7") << "expects cgroup v1 controllers, as this machine and CI have";
}

// Namespaces as `readlink /proc/self/ns/X` names them: equal names are one namespace.
TEST_F(HostKeys, IpcAndPidOfAServiceAndTheHostsUtsAndPid) {
  start(75);
  write_stack(
      "  a:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "  b:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    ipc: service:a\n"
      "    pid: service:a\n"
      "  h:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    uts: host\n"
      "    pid: host\n"
      "  i:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    ipc: host\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  auto ns = [&](const std::string& service, const std::string& kind) {
    Outcome r = stack("exec -T " + service + " readlink /proc/self/ns/" + kind);
    EXPECT_EQ(r.code, 0) << r.err;
    return r.out;
  };
  EXPECT_EQ(ns("b", "ipc"), ns("a", "ipc"));
  EXPECT_EQ(ns("b", "pid"), ns("a", "pid"));
  EXPECT_NE(ns("b", "uts"), ns("a", "uts"));  // only what was asked is shared
  // With the IPC namespace, a's /dev/shm: POSIX shared memory both ways; h's is its own.
  ASSERT_EQ(stack("exec -T a sh -c 'echo from-a > /dev/shm/x'").code, 0);
  EXPECT_EQ(stack("exec -T b cat /dev/shm/x").out, "from-a\n");
  ASSERT_EQ(stack("exec -T b sh -c 'echo from-b > /dev/shm/y'").code, 0);
  EXPECT_EQ(stack("exec -T a cat /dev/shm/y").out, "from-b\n");
  EXPECT_NE(stack("exec -T h test -e /dev/shm/x").code, 0);
  // b sees a's sleep as PID 1 of their namespace.
  Outcome init = stack("exec -T b cat /proc/1/cmdline");
  EXPECT_EQ(init.out, std::string("sleep\0" "600\0", 10)) << init.err;

  auto host_ns = [](const std::string& kind) { return std::filesystem::read_symlink("/proc/self/ns/" + kind).string() + "\n"; };
  EXPECT_EQ(ns("h", "pid"), host_ns("pid"));
  EXPECT_EQ(ns("h", "uts"), host_ns("uts"));
  EXPECT_NE(ns("h", "ipc"), host_ns("ipc"));
  EXPECT_EQ(ns("i", "ipc"), host_ns("ipc"));
  const std::string host_shm = "/dev/shm/" + project_;  // the host's, with the host's IPC namespace
  ASSERT_TRUE(test::write_text(host_shm, "from-host\n"));
  EXPECT_EQ(stack("exec -T i cat " + host_shm).out, "from-host\n");
  ::unlink(host_shm.c_str());
  char host_name[256] = {};
  ::gethostname(host_name, sizeof host_name);
  EXPECT_EQ(stack("exec -T h hostname").out, std::string(host_name) + "\n");

  // A restarted a has a new PID namespace (its end ended b, as in docker); b, made for the old
  // one, joins the new one when it is started again.
  Outcome restart = stack("restart a");
  ASSERT_EQ(restart.code, 0) << restart.err;
  restart = stack("restart b");
  ASSERT_EQ(restart.code, 0) << restart.err;
  EXPECT_EQ(ns("b", "pid"), ns("a", "pid"));
  // and a's new /dev/shm.
  ASSERT_EQ(stack("exec -T a sh -c 'echo again > /dev/shm/z'").code, 0);
  EXPECT_EQ(stack("exec -T b cat /dev/shm/z").out, "again\n");
}

// attach: false keeps a service out of an attached `up`'s output; `up` still waits for it.
TEST_F(HostKeys, AnUnattachedServiceIsNotInUpsOutput) {
  start(76);
  write_stack(
      "  shown:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"echo hello-shown\"]\n"
      "  quiet:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"sleep 1; echo hello-quiet\"]\n"
      "    attach: false\n");
  Outcome up = stack("up");
  EXPECT_EQ(up.code, 0) << up.err;
  EXPECT_THAT(up.out, HasSubstr("hello-shown"));
  EXPECT_THAT(up.out, ::testing::Not(HasSubstr("hello-quiet")));
  auto all = ps();
  ASSERT_TRUE(all.count(container("quiet")));
  EXPECT_EQ(all[container("quiet")]["State"], "exited");  // up waited for it
  EXPECT_THAT(stack("logs quiet").out, HasSubstr("hello-quiet"));
}

}  // namespace
}  // namespace stack::e2e
