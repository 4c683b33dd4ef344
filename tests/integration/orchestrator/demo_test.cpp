// The Quick start's demo stack (examples/stacks/demo) as the README runs it: up --wait, the page
// through the published port, the probe's answer, then down -v with nothing left.
#include "integration/orchestrator/e2e_fixture.hpp"

namespace stack::e2e {
namespace {

using ::testing::HasSubstr;

class Demo : public StackTest {};

TEST_F(Demo, ServesThePageThroughThePublishedPort) {
  start(30);
  file_ = std::string(STACK_SOURCE_DIR) + "/examples/stacks/demo/stack.yaml";
  Outcome up = stack("up -d --wait --wait-timeout 60");
  ASSERT_EQ(up.code, 0) << up.err << up.out;
  auto all = ps();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[container("web")]["Health"], "healthy");
  EXPECT_THAT(all[container("web")]["Status"].get<std::string>(), HasSubstr("(healthy)"));
  std::string page = sh("curl -fsS --max-time 5 http://127.0.0.1:8080/");
  EXPECT_THAT(page, HasSubstr("Hello from stack"));
  // The probe waited for web to be healthy, then fetched the page by service name.
  EXPECT_TRUE(wait_until(container("probe"), [](const nlohmann::json& c) { return c["State"] == "exited"; }));
  EXPECT_EQ(ps()[container("probe")]["ExitCode"], 0);
  Outcome logs = stack("logs --no-color probe");
  EXPECT_THAT(logs.out, HasSubstr("200 OK"));
  Outcome down = stack("down -v");
  ASSERT_EQ(down.code, 0) << down.err;
  EXPECT_THAT(down.out, HasSubstr("Volume    " + project_ + "_site  Removed"));
  expect_no_residue();
}

}  // namespace
}  // namespace stack::e2e
