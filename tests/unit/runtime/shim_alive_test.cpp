// shim_alive: a live process is the container's shim only if its start time matches the one the
// shim recorded (or, for states without one, if its command line names the shim and the id).
#include <unistd.h>

#include <gtest/gtest.h>

#include "runtime/shim_runtime.hpp"
#include "runtime/sys/procfs.hpp"

namespace stack::runtime {
namespace {

TEST(ShimAlive, TheRecordedStartTimeIdentifiesTheProcess) {
  auto self = sys::read_proc_stat(::getpid());
  ASSERT_TRUE(self) << self.error().message();
  EXPECT_TRUE(shim_alive(::getpid(), "demo-web-1", self->start_ticks));
  // The same pid with another start time is a recycled pid: some other process.
  EXPECT_FALSE(shim_alive(::getpid(), "demo-web-1", self->start_ticks + 1));
}

TEST(ShimAlive, WithoutAStartTimeTheCommandLineMustNameTheShim) {
  EXPECT_FALSE(shim_alive(::getpid(), "demo-web-1"));  // this test binary is no shim
}

TEST(ShimAlive, NoProcessNoShim) {
  EXPECT_FALSE(shim_alive(0, "demo-web-1", 1));
  EXPECT_FALSE(shim_alive(-1, "demo-web-1", 1));
  EXPECT_FALSE(shim_alive(0x3fffffff, "demo-web-1", 1));  // above any pid_max
}

}  // namespace
}  // namespace stack::runtime
