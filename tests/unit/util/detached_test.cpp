#include "util/detached.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "util/fd.hpp"

namespace stack::util {
namespace {

// Everything the helper wrote to fd 3, to end of file (it closes it by exiting).
std::string read_all(int fd) {
  std::string out;
  char buf[256];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(SpawnDetached, TheHelperBelongsToNoCallerAndKeepsOnlyItsPipe) {
  auto ready = Pipe::make(O_CLOEXEC);
  ASSERT_TRUE(ready);
  // A descriptor without close-on-exec must not reach the helper either.
  UniqueFd leaked(::dup(ready->read.get()));
  ASSERT_TRUE(leaked);
  const std::string script =
      "read -r _ _ _ ppid _ sid _ < /proc/$$/stat; "
      "echo $$ $ppid $sid $(readlink /proc/$$/fd/0) $(test -e /proc/$$/fd/" + std::to_string(leaked.get()) +
      " && echo leaked || echo closed) >&3";
  auto spawned = spawn_detached({"/bin/sh", "-c", script}, ready->write.get());
  ASSERT_TRUE(spawned) << spawned.error().message();
  ready->write.reset();
  std::istringstream in(read_all(ready->read.get()));
  pid_t pid = 0, ppid = 0, sid = 0;
  std::string stdin_target, leak;
  in >> pid >> ppid >> sid >> stdin_target >> leak;
  ASSERT_GT(pid, 0) << in.str();
  EXPECT_NE(ppid, ::getpid());        // reparented: nothing here reaps it
  EXPECT_NE(sid, ::getsid(0));        // a session of its own...
  EXPECT_NE(sid, pid);                // ...that it does not lead, so it never gets a terminal
  EXPECT_EQ(stdin_target, "/dev/null");
  EXPECT_EQ(leak, "closed");
}

TEST(SpawnDetached, AnExecFailureIsTheError) {
  auto spawned = spawn_detached({"/nonexistent/stack-helper"}, -1);
  ASSERT_FALSE(spawned);
  EXPECT_NE(spawned.error().message().find("starting '/nonexistent/stack-helper'"), std::string::npos)
      << spawned.error().message();
  EXPECT_NE(spawned.error().message().find("No such file or directory"), std::string::npos)
      << spawned.error().message();
}

}  // namespace
}  // namespace stack::util
