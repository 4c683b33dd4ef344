// x-health-on-failure through the binary: a container whose health check fails is restarted
// (whatever its restart policy) or stopped by its shim, without the daemon.
#include "e2e_fixture.hpp"

namespace stack::e2e {
namespace {

class HealthAction : public StackTest {
 protected:
  void write_unhealthy(const std::string& action) {
    write_stack(
        "  app:\n"
        "    image: busybox\n"
        "    command: [\"sleep\", \"600\"]\n"
        "    init: true\n"
        "    restart: \"no\"\n"
        "    x-health-on-failure: " + action + "\n"
        "    stop_grace_period: 1s\n"
        "    healthcheck:\n"
        "      test: [\"CMD\", \"false\"]\n"
        "      interval: 200ms\n"
        "      retries: 1\n");
  }
};

TEST_F(HealthAction, RestartRestartsAnUnhealthyContainerWhateverItsPolicy) {
  start(48);
  write_unhealthy("restart");
  ASSERT_EQ(stack("up -d").code, 0);
  EXPECT_TRUE(wait_until(container("app"), [](const nlohmann::json& c) {
    return c["RestartCount"].get<int>() >= 1 && c["State"] == "running";
  })) << ps()[container("app")].dump();
}

TEST_F(HealthAction, StopStopsItAndItStaysDown) {
  start(49);
  write_unhealthy("stop");
  ASSERT_EQ(stack("up -d").code, 0);
  EXPECT_TRUE(wait_until(container("app"), [](const nlohmann::json& c) { return c["State"] == "stopped"; }))
      << ps()[container("app")].dump();
  EXPECT_EQ(ps()[container("app")]["RestartCount"], 0);
}

}  // namespace
}  // namespace stack::e2e
