// exec into a running container, and init: true. Root only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "harness.hpp"
#include "runtime/container/exec.hpp"

namespace stack::runtime::testing {
namespace {

using ::testing::HasSubstr;

struct Output {
  std::string text;
  ExitStatus status;
};

util::Result<Output> exec_and_wait(pid_t container_pid, ExecConfig exec) {
  STACK_ASSIGN_OR_RETURN(auto pipe, util::Pipe::make());
  exec.stdout_fd = pipe.write.get();
  exec.stderr_fd = pipe.write.get();
  STACK_ASSIGN_OR_RETURN(Process p, exec_in(container_pid, exec));
  pipe.write.reset();
  STACK_ASSIGN_OR_RETURN(std::string text, util::read_to_end(pipe.read.get()));
  STACK_ASSIGN_OR_RETURN(ExitStatus status, p.wait());
  return Output{text, status};
}

ExecConfig exec_sh(const std::string& script) {
  ExecConfig e;
  e.args = {"/bin/sh", "-c", script};
  e.env = {"PATH=/bin"};
  return e;
}

TEST_F(RuntimeTest, ExecSeesTheSameHostnameAndPidNamespace) {
  auto c = config({"sleep", "100"});
  c.hostname = "exec-box";
  auto container = Container::create(c);
  ASSERT_TRUE(container) << container.error().message();
  ASSERT_TRUE(container->start());
  auto out = exec_and_wait(container->pid(), exec_sh("hostname; cat /proc/1/comm; echo $$ > /tmp/p; "
                                                     "grep -E '^(CapEff|Seccomp):' /proc/self/status; "
                                                     "exit 3"));
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_THAT(out->text, HasSubstr("exec-box\nsleep\n"));
  EXPECT_THAT(out->text, HasSubstr("CapEff:\t00000000a80425fb\nSeccomp:\t2\n"));
  EXPECT_EQ(out->status, (ExitStatus{3, 0}));
  // The pid it saw is small and in the container's namespace, not the host's.
  auto seen = exec_and_wait(container->pid(), exec_sh("cat /tmp/p"));
  ASSERT_TRUE(seen);
  int pid_inside = std::stoi(seen->text);
  EXPECT_GT(pid_inside, 1);
  EXPECT_LT(pid_inside, 100);
  EXPECT_TRUE(container->remove());
}

TEST_F(RuntimeTest, ExecAsUserAndCwd) {
  auto container = Container::create(config({"sleep", "100"}));
  ASSERT_TRUE(container) << container.error().message();
  ASSERT_TRUE(container->start());
  ExecConfig e = exec_sh("id -u; pwd");
  e.user = "nobody";
  e.cwd = "/tmp";
  auto out = exec_and_wait(container->pid(), e);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->text, "65534\n/tmp\n");
  EXPECT_TRUE(container->remove());
}

TEST_F(RuntimeTest, ExecMissingExecutableIsAClearError) {
  auto container = Container::create(config({"sleep", "100"}));
  ASSERT_TRUE(container) << container.error().message();
  ASSERT_TRUE(container->start());
  ExecConfig e;
  e.args = {"/nope"};
  auto p = exec_in(container->pid(), e);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message(), "exec \"/nope\": No such file or directory");
  ExecConfig bad_user = exec_sh("true");
  bad_user.user = "ghost";
  auto q = exec_in(container->pid(), bad_user);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().message(), "unable to find user 'ghost'");
  EXPECT_TRUE(container->remove());
}

// The orphan: a child of a shell that exits at once, so that whoever is PID 1 inherits it. The
// main command then execs sleep, which never reaps. Its pid is left in /tmp/orphan.
const char* kOrphanScript = "sh -c 'sleep 0.2 & echo $! > /tmp/orphan'; exec sleep 100";

// The orphan's state letter ("S", "Z") or "gone" once reaped; "" before it is known.
std::string orphan_state(pid_t container_pid) {
  auto out = exec_and_wait(container_pid, exec_sh(
      "p=$(cat /tmp/orphan 2>/dev/null) || exit 0; "
      "if [ -e /proc/$p/stat ]; then cut -d' ' -f3 /proc/$p/stat; else echo gone; fi"));
  if (!out) return "error: " + out.error().message();
  std::string s = out->text;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// Polls (up to 10 s, the machine may be loaded) until the orphan has ended: "Z" or "gone".
std::string orphan_after_exit(pid_t container_pid) {
  std::string state;
  for (int i = 0; i < 200; ++i) {
    state = orphan_state(container_pid);
    if (state == "Z" || state == "gone" || state.rfind("error", 0) == 0) return state;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return state;
}

TEST_F(RuntimeTest, InitReapsAnOrphanedZombie) {
  auto c = config(sh(kOrphanScript));
  c.init = true;
  auto container = Container::create(c);
  ASSERT_TRUE(container) << container.error().message();
  ASSERT_TRUE(container->start());
  std::string state = orphan_after_exit(container->pid());
  // A zombie may be seen for the moment between its exit and init's SIGCHLD; then it goes.
  for (int i = 0; i < 100 && state == "Z"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    state = orphan_state(container->pid());
  }
  EXPECT_EQ(state, "gone");
  EXPECT_TRUE(container->remove());
}

TEST_F(RuntimeTest, WithoutInitTheOrphanStaysAZombie) {
  // The control for the test above: proves that the check can fail.
  auto container = Container::create(config(sh(kOrphanScript)));
  ASSERT_TRUE(container) << container.error().message();
  ASSERT_TRUE(container->start());
  EXPECT_EQ(orphan_after_exit(container->pid()), "Z");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(orphan_state(container->pid()), "Z");
  EXPECT_TRUE(container->remove());
}

TEST_F(RuntimeTest, InitForwardsSignalsAndExitsWithTheCommandsStatus) {
  auto c = config({"sleep", "100"});
  c.init = true;
  auto container = Container::create(c);
  ASSERT_TRUE(container) << container.error().message();
  ASSERT_TRUE(container->start());
  // Without init, PID 1 (sleep) would ignore SIGTERM; init forwards it to sleep, which dies.
  ASSERT_TRUE(container->kill(SIGTERM));
  auto status = container->wait();
  ASSERT_TRUE(status) << status.error().message();
  EXPECT_EQ(*status, (ExitStatus{128 + SIGTERM, 0}));
  EXPECT_TRUE(container->remove());
}

TEST_F(RuntimeTest, InitPassesTheExitCodeThrough) {
  auto c = config(sh("echo $$; exit 4"));
  c.init = true;
  auto r = run(c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out, "2\n");  // init is 1
  EXPECT_EQ(r->status, (ExitStatus{4, 0}));
}

TEST_F(RuntimeTest, InitWithMissingExecutableIsAClearError) {
  auto c = config({"/nope"});
  c.init = true;
  auto container = Container::create(c);
  ASSERT_TRUE(container) << container.error().message();
  auto started = container->start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(), "exec \"/nope\": No such file or directory");
  EXPECT_TRUE(container->remove());
}

}  // namespace
}  // namespace stack::runtime::testing
