// The container process against the real kernel: namespaces, mounts, security defaults, errors
// from the setup steps and from exec, and cleanup. Root only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <string>

#include "harness.hpp"
#include "util/atomic_file.hpp"
#include "runtime/security/seccomp.hpp"

namespace stack::runtime::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(RuntimeTest, SeesItselfAsPidOneWithItsOwnHostname) {
  auto c = config(sh("echo pid=$$; hostname; cat /proc/sys/kernel/domainname"));
  c.hostname = "box-one";
  c.domainname = "example.test";
  auto r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out, "pid=1\nbox-one\nexample.test\n");
  EXPECT_TRUE(r->status.success());
}

TEST_F(RuntimeTest, SeesOnlyItsOwnMounts) {
  auto r = run(config(sh("cut -d' ' -f5 /proc/self/mountinfo")));
  ASSERT_TRUE(r) << r.error().message();
  for (const char* want : {"/\n", "/proc\n", "/dev\n", "/dev/pts\n", "/dev/shm\n", "/dev/mqueue\n",
                           "/sys\n", "/proc/sys\n", "/proc/keys\n"}) {
    EXPECT_THAT(r->out, HasSubstr(want));
  }
  // Its own view of the cgroup hierarchies (cgroup_fs.hpp), in its own cgroup namespace.
  EXPECT_THAT(r->out, HasSubstr("/sys/fs/cgroup\n"));
  EXPECT_THAT(r->out, Not(HasSubstr(dir_.path())));
}

TEST_F(RuntimeTest, ReadOnlyRootfsRefusesWritesButTmpfsMountIsWritable) {
  auto c = config(sh("touch /x; echo root=$?; touch /scratch/y; echo tmpfs=$?"));
  c.read_only = true;
  c.mounts.push_back({MountType::tmpfs, "", "/scratch", false, 1 << 20, 01777});
  auto r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_THAT(r->out, HasSubstr("Read-only file system"));
  EXPECT_THAT(r->out, HasSubstr("root=1\n"));
  EXPECT_THAT(r->out, HasSubstr("tmpfs=0\n"));
}

TEST_F(RuntimeTest, HasDockersDefaultCapabilitiesSeccompAndNoNewPrivs) {
  auto r = run(config(sh("mount -t tmpfs x /mnt; echo mount=$?; grep -E '^(CapEff|CapBnd|"
                         "NoNewPrivs|Seccomp):' /proc/self/status")));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_THAT(r->out, Not(HasSubstr("mount=0")));
  // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW
  // SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP: no CAP_SYS_ADMIN (bit 21).
  EXPECT_THAT(r->out, HasSubstr("CapEff:\t00000000a80425fb\n"));
  EXPECT_THAT(r->out, HasSubstr("CapBnd:\t00000000a80425fb\n"));
  EXPECT_THAT(r->out, HasSubstr("NoNewPrivs:\t1\n"));
  EXPECT_THAT(r->out, HasSubstr("Seccomp:\t2\n"));
}

// A user namespace needs no capability: only the seccomp filter refuses unshare(2) here.
TEST_F(RuntimeTest, APrecompiledFilterIsTheDefaultProfile) {
  auto c = config(sh("unshare -U true 2>/dev/null; echo unshare=$?; grep '^Seccomp:' /proc/self/status"));
  auto caps = security::compute_capabilities(c.security.capabilities);
  ASSERT_TRUE(caps.has_value());
  auto program = security::compile_default_profile(*caps);
  ASSERT_TRUE(program.has_value()) << program.error().message();
  const std::string file = dir_.path() + "/default.bpf";
  ASSERT_TRUE(util::write_file_atomic(file, *program, util::Durability::process_crash));
  c.security.seccomp_program_file = file;
  c.security.seccomp_program_caps = *caps;
  auto r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out, "unshare=1\nSeccomp:\t2\n");

  // Compiled for other capabilities: the child builds its own filter, with the same effect.
  c.security.seccomp_program_caps = *caps | 1;
  r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out, "unshare=1\nSeccomp:\t2\n");

  // Unconfined, the same command succeeds: the refusal above was the filter's.
  c.security.seccomp = SeccompMode::unconfined;
  r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out, "unshare=0\nSeccomp:\t0\n");

  // Without its file, the child builds the filter.
  c.security.seccomp = SeccompMode::default_profile;
  c.security.seccomp_program_file = dir_.path() + "/absent.bpf";
  r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out, "unshare=1\nSeccomp:\t2\n");

  // A damaged program is a setup error naming the step, not an unconfined container.
  ASSERT_TRUE(util::write_file_atomic(file, program->substr(1), util::Durability::process_crash));
  c.security.seccomp_program_file = file;
  auto bad = run(c);
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message(), HasSubstr("seccomp"));
}

TEST_F(RuntimeTest, CapDropAndAddChangeTheSet) {
  auto c = config(sh("grep '^CapEff:' /proc/self/status"));
  c.security.capabilities.drop = {"ALL"};
  c.security.capabilities.add = {"NET_ADMIN", "CAP_KILL"};
  auto r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out, "CapEff:\t0000000000001020\n");  // KILL (5) and NET_ADMIN (12)
}

TEST_F(RuntimeTest, ExitCodeComesThrough) {
  auto r = run(config(sh("exit 7")));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, (ExitStatus{7, 0}));
}

TEST_F(RuntimeTest, DeathBySignalComesThrough) {
  auto created = Container::create(config({"sleep", "100"}));
  ASSERT_TRUE(created) << created.error().message();
  ASSERT_TRUE(created->start());
  EXPECT_EQ(created->state(), ContainerState::running);
  ASSERT_TRUE(created->kill(SIGKILL));
  auto status = created->wait();
  ASSERT_TRUE(status) << status.error().message();
  EXPECT_EQ(*status, (ExitStatus{0, SIGKILL}));
  EXPECT_TRUE(created->remove());
}

TEST_F(RuntimeTest, MissingExecutableIsAClearErrorAndLeavesNothing) {
  auto created = Container::create(config({"/nope"}));
  ASSERT_TRUE(created) << created.error().message();
  auto started = created->start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(), "exec \"/nope\": No such file or directory");
  EXPECT_EQ(started.error().sys_errno(), ENOENT);
  EXPECT_EQ(created->state(), ContainerState::stopped);
  ASSERT_TRUE(created->remove());
  EXPECT_EQ(host_mounts_under(dir_.path()), "");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "merged"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "upper"));
}

TEST_F(RuntimeTest, CommandNotInPathIsAClearError) {
  auto created = Container::create(config({"no-such-command"}));
  ASSERT_TRUE(created) << created.error().message();
  auto started = created->start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(), "exec \"no-such-command\": executable file not found in $PATH");
}

TEST_F(RuntimeTest, UserByNameFromTheContainersPasswd) {
  auto c = config(sh("id -u; id -g; id -G; echo $HOME; grep '^CapEff:' /proc/self/status"));
  c.user = "app";
  auto r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  // app is 1000:1000 and a member of staff (50) in the rootfs; the host has no such user.
  EXPECT_EQ(r->out, "1000\n1000\n1000 50\n/home/app\nCapEff:\t0000000000000000\n");
}

TEST_F(RuntimeTest, UnknownUserIsAClearError) {
  auto c = config({"true"});
  c.user = "ghost";
  auto created = Container::create(c);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().message(), "unable to find user 'ghost'");
  EXPECT_EQ(created.error().subject(), "user");  // the setup step, for the scheduler to name
}

// tty: PID 1's stdin, stdout and stderr are one terminal of the container's own /dev/pts, its
// controlling terminal, owned by its user; the parent reads it from the master.
TEST_F(RuntimeTest, WithTtyPid1HasATerminalOfItsOwn) {
  auto c = config(sh("tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-terminal; stat -c %U $(tty); "
                     "cat /proc/self/stat | cut -d' ' -f7"));
  c.tty = true;
  c.user = "app";
  auto created = Container::create(c);
  ASSERT_TRUE(created) << created.error().message();
  util::UniqueFd master = created->take_terminal();
  ASSERT_TRUE(master);
  EXPECT_FALSE(created->take_terminal());  // given once
  ASSERT_TRUE(created->start());
  std::string out;
  char buf[512];
  for (;;) {  // until every slave is closed: EIO
    ssize_t n = ::read(master.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  auto status = created->wait();
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->success()) << status->describe() << out;
  // The terminal turns "\n" into "\r\n"; tty_nr (field 7) is that of /dev/pts/0: major 136.
  EXPECT_EQ(out, "/dev/pts/0\r\nall-terminal\r\napp\r\n" + std::to_string(136 << 8) + "\r\n");
  EXPECT_TRUE(created->remove());
}

TEST_F(RuntimeTest, NonNamespacedSysctlIsRefused) {
  auto c = config({"true"});
  c.sysctls = {{"kernel.hostname", "x"}};
  auto created = Container::create(c);
  ASSERT_FALSE(created);
  EXPECT_THAT(created.error().message(),
              HasSubstr("sysctl 'kernel.hostname' is not namespaced (it would change the host)"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "merged"));
}

TEST_F(RuntimeTest, NamespacedSysctlsApply) {
  auto c = config(sh("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni"));
  c.sysctls = {{"net.ipv4.ip_forward", "1"}, {"kernel.shmmni", "1234"}};
  auto r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out, "1\n1234\n");
}

TEST_F(RuntimeTest, RlimitAboveTheHardLimitIsAClearError) {
  // Above fs.nr_open no process may raise nofile, CAP_SYS_RESOURCE or not.
  std::uint64_t nr_open = std::stoull(test::read_text("/proc/sys/fs/nr_open"));
  auto c = config({"true"});
  c.rlimits = {{"nofile", {1024, nr_open + 1}}};
  auto created = Container::create(c);
  ASSERT_FALSE(created);
  EXPECT_THAT(created.error().message(), HasSubstr("setrlimit 'nofile' to 1024/"));
  EXPECT_THAT(created.error().message(), HasSubstr("above the inherited hard limit"));
}

TEST_F(RuntimeTest, RlimitsApply) {
  auto c = config(sh("ulimit -n; ulimit -Hn"));
  c.rlimits = {{"nofile", {100, 200}}};
  auto r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out, "100\n200\n");
}

// The caller's blocked signals and ignored dispositions must not reach the container's program.
TEST_F(RuntimeTest, StartsWithNoBlockedOrIgnoredSignals) {
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(::sigprocmask(SIG_BLOCK, &term, &old), 0);
  auto previous = ::signal(SIGUSR1, SIG_IGN);
  auto r = run(config(sh("grep -E '^Sig(Blk|Ign)' /proc/self/status")));
  ::signal(SIGUSR1, previous);
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_THAT(r->out, HasSubstr("SigBlk:\t0000000000000000"));
  auto at = r->out.find("SigIgn:\t");
  ASSERT_NE(at, std::string::npos) << r->out;
  unsigned long long ignored = std::stoull(r->out.substr(at + 8, 16), nullptr, 16);
  EXPECT_EQ(ignored & (1ull << (SIGUSR1 - 1)), 0u) << r->out;
}

TEST_F(RuntimeTest, VolumeIsSharedWithTheHostAndReadOnlyBindIsNot) {
  test::TempDir volume("stack-vol");
  test::write_text(volume / "in.txt", "from host\n");
  auto c = config(sh("cat /data/in.txt; echo hi > /data/out.txt; echo > /ro/x; echo ro=$?"));
  c.mounts.push_back({MountType::volume, volume.path(), "/data", false});
  c.mounts.push_back({MountType::bind, volume.path(), "/ro", true});
  auto r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_THAT(r->out, HasSubstr("from host\n"));
  EXPECT_THAT(r->out, HasSubstr("ro=1\n"));
  EXPECT_EQ(test::read_text(volume / "out.txt"), "hi\n");
  EXPECT_FALSE(std::filesystem::exists(volume / "x"));
}

TEST_F(RuntimeTest, MissingVolumeSourceNamesTheMount) {
  auto c = config({"true"});
  c.mounts.push_back({MountType::volume, dir_ / "absent", "/data", false});
  auto created = Container::create(c);
  ASSERT_FALSE(created);
  EXPECT_THAT(created.error().message(), HasSubstr("mount volume '/data': source '"));
}

TEST_F(RuntimeTest, EtcFilesAreBindMounted) {
  test::write_text(dir_ / "hosts", "10.1.2.3 db\n");
  auto c = config(sh("cat /etc/hosts"));
  c.etc_files.hosts = dir_ / "hosts";
  auto r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out, "10.1.2.3 db\n");
}

TEST_F(RuntimeTest, OwnNetworkNamespaceHasOnlyLoopbackAndItIsUp) {
  auto c = config(sh("ls /sys/class/net; cat /sys/class/net/lo/flags"));
  c.network.mode = NetworkMode::none;
  auto r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out, "lo\n0x9\n");  // IFF_UP | IFF_LOOPBACK
}

TEST_F(RuntimeTest, PlainDirectoryRootfs) {
  auto c = config(sh("echo ok"));
  c.rootfs = {};
  c.rootfs.directory = busybox().path();
  c.read_only = true;  // the directory is shared with the other tests
  auto r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out, "ok\n");
}

TEST_F(RuntimeTest, RemoveLeavesNoMountAndNoDir) {
  auto created = Container::create(config({"sleep", "100"}));
  ASSERT_TRUE(created) << created.error().message();
  ASSERT_TRUE(created->start());
  EXPECT_TRUE(std::filesystem::exists(dir_ / "merged"));
  ASSERT_TRUE(created->remove());
  EXPECT_EQ(created->state(), ContainerState::removed);
  EXPECT_EQ(host_mounts_under(dir_.path()), "");
  for (const char* d : {"merged", "work", "upper"}) {
    EXPECT_FALSE(std::filesystem::exists(dir_ / d)) << d;
  }
  EXPECT_NE(::kill(created->pid(), 0), 0);  // reaped: the pid is gone
}

}  // namespace
}  // namespace stack::runtime::testing
