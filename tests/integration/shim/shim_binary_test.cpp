// ROOT: which executable supervises: `stack-shim` next to `stack` by default, and `stack shim` when
// asked for (or when stack-shim is absent); both are recognised as the container's shim.
#include <climits>

#include "integration/shim/shim_fixture.hpp"

namespace stack::runtime::shim::testing {
namespace {

std::string exe_of(pid_t pid) {
  char buf[PATH_MAX] = {};
  ssize_t n = ::readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
}

TEST_F(ShimTest, StackShimNextToStackIsUsed) {
  std::string dir = std::string(STACK_BINARY).substr(0, std::string(STACK_BINARY).rfind('/'));
  EXPECT_EQ(find_shim_binary(STACK_BINARY), dir + "/stack-shim");
  EXPECT_EQ(find_shim_binary("/nonexistent/stack"), "/nonexistent/stack");
  std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, config(id, {"/bin/sleep", "1000"})));
  auto s = runtime_.state(id);
  ASSERT_TRUE(s && *s);
  EXPECT_TRUE((*s)->shim_alive);
  EXPECT_TRUE(exe_of((*s)->shim_pid).ends_with("/stack-shim")) << exe_of((*s)->shim_pid);
}

TEST_F(ShimTest, StackShimVerbStillWorks) {
  ShimRuntime full({root_.path(), STACK_BINARY, STACK_BINARY});
  std::string id = new_id();
  ASSERT_TRUE(full.create(id, config(id, sh("echo via-stack; sleep 1000"))));
  auto s = full.state(id);
  ASSERT_TRUE(s && *s);
  EXPECT_TRUE((*s)->shim_alive);
  EXPECT_TRUE(exe_of((*s)->shim_pid).ends_with("/stack")) << exe_of((*s)->shim_pid);
  ExecConfig e;
  e.args = {"/bin/true"};
  auto code = full.exec(id, e);
  ASSERT_TRUE(code) << code.error().message();
  EXPECT_EQ(*code, 0);
  // The default runtime (stack-shim) manages it as well: same state directory, same shim check.
  auto seen = runtime_.state(id);
  ASSERT_TRUE(seen && *seen);
  EXPECT_TRUE((*seen)->shim_alive);
}

// `stack shim` is a dynamically linked PIE: its relocated GOT is a written page that a forked child,
// the container's init, shares. The shim's drop of its start-up code pages (1 s after start) once
// took that page for a clean one and reloaded it from the file: the next call into libc jumped to
// address 0 and the shim died.
TEST_F(ShimTest, StackShimVerbOutlivesItsPageDropWithAnInitChild) {
  ShimRuntime full({root_.path(), STACK_BINARY, STACK_BINARY});
  std::string id = new_id();
  auto c = config(id, {"/bin/sleep", "1000"});
  c.container.init = true;
  ASSERT_TRUE(full.create(id, c));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto s = full.state(id);
  ASSERT_TRUE(s && *s);
  EXPECT_TRUE((*s)->shim_alive);
  EXPECT_EQ((*s)->status, Status::running);
  ExecConfig e;
  e.args = {"/bin/true"};
  auto code = full.exec(id, e);
  ASSERT_TRUE(code) << code.error().message();
  EXPECT_EQ(*code, 0);
}

}  // namespace
}  // namespace stack::runtime::shim::testing
