// UniqueFd, Pipe and ChildProcess (fork only: no root, no host changes).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "util/child_process.hpp"
#include "util/fd.hpp"

namespace stack::util {
namespace {

TEST(UniqueFd, OpenIsCloexecAndClosesOnDrop) {
  int raw;
  {
    auto fd = UniqueFd::open("/dev/null", O_RDONLY);
    ASSERT_TRUE(fd);
    raw = fd->get();
    EXPECT_TRUE(::fcntl(raw, F_GETFD) & FD_CLOEXEC);
  }
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);
}

TEST(UniqueFd, OpenMissingIsNotFound) {
  auto fd = UniqueFd::open("/nonexistent/x", O_RDONLY);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code(), Errc::not_found);
  EXPECT_EQ(fd.error().message(), "open '/nonexistent/x': No such file or directory");
}

TEST(UniqueFd, MoveTransfersOwnership) {
  auto fd = UniqueFd::open("/dev/null", O_RDONLY);
  ASSERT_TRUE(fd);
  UniqueFd a = std::move(*fd);
  EXPECT_FALSE(fd->valid());
  UniqueFd b;
  b = std::move(a);
  EXPECT_TRUE(b.valid());
  EXPECT_FALSE(a.valid());
}

TEST(Pipe, ReadExactAndEndOfFile) {
  auto p = Pipe::make();
  ASSERT_TRUE(p);
  ASSERT_TRUE(write_all(p->write.get(), "abcd"));
  p->write.reset();
  char buf[2];
  EXPECT_TRUE(read_exact(p->read.get(), buf, 2).value_or(false));
  auto rest = read_to_end(p->read.get());
  ASSERT_TRUE(rest);
  EXPECT_EQ(*rest, "cd");
  EXPECT_FALSE(read_exact(p->read.get(), buf, 1).value_or(true));
}

TEST(SocketPair, BothWays) {
  auto s = SocketPair::make();
  ASSERT_TRUE(s);
  ASSERT_TRUE(write_all(s->first.get(), "x"));
  EXPECT_TRUE(wait_readable(s->second.get(), 1000).value_or(false));
  EXPECT_FALSE(wait_readable(s->first.get(), 0).value_or(true));
}

TEST(ExitStatus, Describe) {
  EXPECT_EQ((ExitStatus{3, 0}).describe(), "exit code 3");
  EXPECT_EQ((ExitStatus{0, 9}).describe(), "killed by signal 9 (Killed)");
}

TEST(ChildProcess, WaitGivesTheExitCode) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(5);
  ChildProcess child(pid);
  auto status = child.wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, (ExitStatus{5, 0}));
  EXPECT_TRUE(child.reaped());
  EXPECT_FALSE(child.kill(SIGTERM));  // never signal a pid that may be reused
}

TEST(ChildProcess, DropKillsAndReaps) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  { ChildProcess child(pid); }
  // Reaped by the guard: no such child any more.
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(ChildProcess, KillThenWaitReportsTheSignal) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  ChildProcess child(pid);
  auto running = child.try_wait();
  ASSERT_TRUE(running);
  ASSERT_TRUE(child.kill(SIGTERM));
  auto status = child.wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, (ExitStatus{0, SIGTERM}));
}

}  // namespace
}  // namespace stack::util
