// ROOT: the Runtime seam around the shim: a killed shim is recovered, remove is idempotent and
// leaves nothing, exec runs in the container, health checks reach state.json.
#include <sys/stat.h>
#include <sys/wait.h>

#include <csignal>

#include "integration/shim/shim_fixture.hpp"
#include "util/dir.hpp"

namespace stack::runtime::shim::testing {
namespace {

using namespace std::chrono_literals;

std::string mounts_mentioning(const std::string& path) {
  std::string hits;
  std::istringstream in(test::read_text("/proc/self/mountinfo"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(path) != std::string::npos) hits += line + "\n";
  }
  return hits;
}

TEST_F(ShimTest, KilledShimIsRecoveredAndNothingIsLeft) {
  std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, config(id, {"/bin/sleep", "1000"})));
  auto before = runtime_.state(id);
  ASSERT_TRUE(before && *before);
  pid_t shim_pid = (*before)->shim_pid;
  pid_t pid = (*before)->pid;
  ASSERT_GT(shim_pid, 0);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(shim_pid, SIGKILL), 0);
  ASSERT_TRUE(wait_gone(shim_pid));
  EXPECT_FALSE(process_gone(pid)) << "the container outlives its shim until recovered";

  auto after = runtime_.state(id);  // finds the dead shim and cleans up
  ASSERT_TRUE(after && *after) << (after ? "absent" : after.error().message());
  EXPECT_EQ((*after)->status, Status::exited);
  EXPECT_FALSE((*after)->shim_alive);
  EXPECT_NE((*after)->error.find("died"), std::string::npos) << (*after)->error;
  EXPECT_TRUE(wait_gone(pid));
  EXPECT_TRUE(cgroup_dirs(id).empty());
  EXPECT_EQ(mounts_mentioning(runtime_.paths().container_dir(id)), "");
  auto again = runtime_.recover(id);  // idempotent
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, Status::exited);

  auto removed = runtime_.remove(id);
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  EXPECT_EQ(::access(runtime_.paths().container_dir(id).c_str(), F_OK), -1);
  EXPECT_EQ(::access(runtime_.paths().socket_file(id).c_str(), F_OK), -1);
}

TEST_F(ShimTest, RemoveStopsDeletesAndIsIdempotent) {
  std::string id = new_id();
  ShimConfig c = config(id, {"/bin/sleep", "1000"});
  c.stop_grace_period = 1s;
  ASSERT_TRUE(runtime_.create(id, c));
  auto ids = runtime_.list();
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, std::vector<std::string>{id});
  auto s = runtime_.state(id);
  ASSERT_TRUE(s && *s);
  auto removed = runtime_.remove(id);
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_TRUE(*removed);
  EXPECT_TRUE(wait_gone((*s)->shim_pid));
  EXPECT_TRUE(process_gone((*s)->pid));
  EXPECT_TRUE(cgroup_dirs(id).empty());
  EXPECT_EQ(mounts_mentioning(runtime_.paths().container_dir(id)), "");
  EXPECT_EQ(::access(runtime_.paths().container_dir(id).c_str(), F_OK), -1);
  auto twice = runtime_.remove(id);
  ASSERT_TRUE(twice);
  EXPECT_FALSE(*twice);
  auto gone = runtime_.state(id);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
  EXPECT_TRUE(runtime_.list()->empty());
}

TEST_F(ShimTest, CreateRefusesAnExistingId) {
  std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, config(id, {"/bin/sleep", "1000"})));
  auto again = runtime_.create(id, config(id, {"/bin/true"}));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), util::Errc::already_exists);
}

// What a CLI killed in the middle of create or remove leaves must not be in the way of the next
// create, nor outlive the next list.
TEST_F(ShimTest, WhatAKilledCreateOrRemoveLeftIsSweptOrReplaced) {
  const std::string containers = runtime_.paths().containers_dir();
  ASSERT_EQ(::mkdir(containers.c_str(), 0711) == 0 || errno == EEXIST, true);
  pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ASSERT_GT(dead, 0);
  ASSERT_EQ(::waitpid(dead, nullptr, 0), dead);
  auto hidden = [&](const char* prefix, pid_t pid, const std::string& id) {
    std::string dir = containers + "/" + prefix + std::to_string(pid) + "-" + id;
    EXPECT_EQ(::mkdir(dir.c_str(), 0700), 0) << dir;
    test::write_text(dir + "/config.json", "{}");
    return dir;
  };
  std::string staged_by_dead = hidden(".new-", dead, new_id());
  std::string retired_by_dead = hidden(".old-", dead, new_id());
  std::string staged_by_live = hidden(".new-", ::getpid(), new_id());
  // An older stack's remnant: the id's own directory, with no config.json.
  std::string id = new_id();
  std::string remnant = runtime_.paths().container_dir(id);
  ASSERT_EQ(::mkdir(remnant.c_str(), 0700), 0);
  test::write_text(remnant + "/state.json", "{}");

  auto ids = runtime_.list();
  ASSERT_TRUE(ids);
  EXPECT_EQ(::access(staged_by_dead.c_str(), F_OK), -1);
  EXPECT_EQ(::access(retired_by_dead.c_str(), F_OK), -1);
  EXPECT_EQ(::access(staged_by_live.c_str(), F_OK), 0) << "its maker may still be at work";
  ASSERT_TRUE(util::remove_tree(staged_by_live));

  auto created = runtime_.create(id, config(id, {"/bin/sleep", "1000"}));
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_TRUE(runtime_.list()->size() == 1u);
  ASSERT_TRUE(runtime_.remove(id));
  EXPECT_TRUE(util::list_dir(containers)->empty());
}

TEST_F(ShimTest, ExecRunsInTheContainer) {
  std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, config(id, sh("echo ready > /tmp/mark; sleep 1000"))));
  ASSERT_TRUE(wait_for(id, [](const ContainerState& s) { return s.status == Status::running; }));
  ExecConfig e;
  e.env = {"PATH=/bin"};
  e.args = {"/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do test -f /tmp/mark && exit 7; sleep 0.2; done; exit 1"};
  auto code = runtime_.exec(id, e);
  ASSERT_TRUE(code) << code.error().message();
  EXPECT_EQ(*code, 7);
}

TEST_F(ShimTest, HealthCheckReachesHealthyOrUnhealthy) {
  std::string good = new_id();
  ShimConfig c = config(good, sh("sleep 0.5; touch /tmp/ok; sleep 1000"));
  c.healthcheck = HealthCheck{HealthTestKind::cmd_shell, {"test -f /tmp/ok && echo fine"}, 200ms, 5s, 2, 0s, 0s};
  ASSERT_TRUE(runtime_.create(good, c));
  std::string bad = new_id();
  ShimConfig b = config(bad, {"/bin/sleep", "1000"});
  b.healthcheck = HealthCheck{HealthTestKind::cmd, {"/bin/false"}, 200ms, 5s, 2, 0s, 0s};
  ASSERT_TRUE(runtime_.create(bad, b));

  auto healthy = wait_for(good, [](const ContainerState& s) {
    return s.health && s.health->status == HealthStatus::healthy;
  });
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->health->last_output, "fine\n");
  auto unhealthy = wait_for(bad, [](const ContainerState& s) {
    return s.health && s.health->status == HealthStatus::unhealthy;
  });
  ASSERT_TRUE(unhealthy);
  EXPECT_GE(unhealthy->health->failing_streak, 2);
}

}  // namespace
}  // namespace stack::runtime::shim::testing
