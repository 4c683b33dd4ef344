// state.json, config.json and the control protocol: round trips and the paths of the state root.
#include <gtest/gtest.h>

#include <csignal>

#include "runtime/shim/container_state.hpp"
#include "runtime/shim/control.hpp"
#include "runtime/shim/health.hpp"
#include "runtime/shim/shim_config.hpp"
#include "runtime/state_paths.hpp"
#include "support/rootfs.hpp"

namespace stack::runtime::shim {
namespace {

using namespace std::chrono_literals;

ContainerState sample_state() {
  ContainerState s;
  s.status = Status::restarting;
  s.pid = 4242;
  s.shim_pid = 4200;
  s.shim_start_ticks = 987654321;
  s.started_at = "2026-11-28T04:12:01.123456789Z";
  s.finished_at = "2026-11-28T04:12:02.000000001Z";
  s.exit_code = 137;
  s.signal = 9;
  s.oom_killed = true;
  s.restart_count = 3;
  s.health = Health{HealthStatus::unhealthy, 4, "curl: (7) \"refused\"\n"};
  s.error = "exec \"/nope\": No such file or directory";
  s.error_code = util::Errc::not_found;
  s.error_subject = "exec";
  s.shim_died = true;
  s.ports = {{net::proxy::Protocol::tcp, "0.0.0.0", 8004, *util::Ipv4::parse("10.231.128.2"), 80}};
  return s;
}

TEST(State, RoundTripsThroughJson) {
  ContainerState s = sample_state();
  auto back = decode_state(encode_state(s));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, s);
  s.health.reset();
  s.status = Status::stopped;
  EXPECT_EQ(*decode_state(encode_state(s)), s);
}

TEST(State, RejectsUnknownStatusAndBadJson) {
  EXPECT_FALSE(decode_state("{\"status\":\"paused\"}"));
  EXPECT_FALSE(decode_state("{"));
  EXPECT_FALSE(decode_state("[]"));
}

TEST(State, WritesAtomicallyAndReadsBack) {
  test::TempDir dir("stack-state");
  std::string path = dir / "state.json";
  EXPECT_EQ(read_state(path).error().code(), util::Errc::not_found);
  ASSERT_TRUE(write_state(path, sample_state()));
  auto back = read_state(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, sample_state());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(State, FinalStatuses) {
  EXPECT_TRUE(is_final(Status::exited));
  EXPECT_TRUE(is_final(Status::stopped));
  EXPECT_FALSE(is_final(Status::running));
  EXPECT_FALSE(is_final(Status::restarting));
  EXPECT_FALSE(is_final(Status::created));
}

TEST(ShimConfig, RoundTripsThroughJson) {
  ShimConfig c;
  c.container.id = "web-1";
  c.container.args = {"/bin/sh", "-c", "echo hi"};
  c.container.rootfs.directory = "/srv/root";
  c.cgroup_path = "stack/demo/web-1";
  c.limits.memory_bytes = 16 << 20;
  c.limits.cpu_shares = 512;
  c.limits.read_bps = {{8, 0, 1048576}};
  c.restart = {RestartMode::on_failure, 2};
  c.stop_signal = SIGINT;
  c.stop_grace_period = 3s;
  c.log = {1 << 20, 4};
  c.healthcheck = HealthCheck{HealthTestKind::cmd_shell, {"true"}, 2s, 1s, 5, 10s, 500ms, HealthAction::restart};
  c.ports = {{net::proxy::Protocol::udp, "127.0.0.1", 5353, *util::Ipv4::parse("10.231.128.2"), 53},
             {net::proxy::Protocol::tcp, "0.0.0.0", 8000, *util::Ipv4::parse("10.231.128.2"), 80, 8010}};
  c.labels = {{"stack.project", "demo"}, {"stack.service", "web"}};
  auto back = decode_shim_config(encode_shim_config(c));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->container.args, c.container.args);
  EXPECT_EQ(back->container.rootfs.directory, "/srv/root");
  EXPECT_EQ(back->cgroup_path, c.cgroup_path);
  EXPECT_EQ(back->limits, c.limits);
  EXPECT_EQ(back->restart, c.restart);
  EXPECT_EQ(back->stop_signal, SIGINT);
  EXPECT_EQ(back->stop_grace_period, 3s);
  EXPECT_EQ(back->log, c.log);
  EXPECT_EQ(back->healthcheck, c.healthcheck);
  EXPECT_EQ(back->ports, c.ports);
  EXPECT_EQ(back->labels, c.labels);
}

TEST(ShimConfig, ParsesSignals) {
  EXPECT_EQ(*parse_signal("SIGTERM"), SIGTERM);
  EXPECT_EQ(*parse_signal("KILL"), SIGKILL);
  EXPECT_EQ(*parse_signal("2"), 2);
  EXPECT_FALSE(parse_signal("SIGNOPE"));
  EXPECT_FALSE(parse_signal("0"));
  // The real-time forms the stack file stores (spec: stop_signal 37 -> SIGRTMIN+3).
  EXPECT_EQ(*parse_signal("SIGRTMIN"), 34);
  EXPECT_EQ(*parse_signal("SIGRTMIN+3"), 37);
  EXPECT_EQ(*parse_signal("SIGRTMAX-1"), 63);
  EXPECT_EQ(*parse_signal("SIGRTMAX"), 64);
  EXPECT_FALSE(parse_signal("SIGRTMIN+31"));
  EXPECT_FALSE(parse_signal("SIGRTMIN-1"));
}

TEST(Control, RequestsRoundTrip) {
  ControlRequest stop{ControlOp::stop, 2500ms, 0};
  EXPECT_EQ(*parse_request(encode_request(stop)), stop);
  ControlRequest kill{ControlOp::kill, std::nullopt, SIGHUP};
  EXPECT_EQ(*parse_request(encode_request(kill)), kill);
  ControlRequest status{ControlOp::status, std::nullopt, 0};
  EXPECT_EQ(*parse_request(encode_request(status)), status);
  EXPECT_FALSE(parse_request("{\"op\":\"pause\"}"));
  EXPECT_FALSE(parse_request("{\"op\":\"kill\",\"signal\":0}"));
  EXPECT_FALSE(parse_request("garbage"));
}

TEST(Control, RepliesCarryErrorsAndState) {
  EXPECT_EQ(encode_reply(util::ok()), "{\"ok\":true}\n");
  std::string failed = encode_reply(util::Error(util::Errc::conflict, "not running"));
  EXPECT_NE(failed.find("\"ok\":false"), std::string::npos);
  EXPECT_NE(failed.find("not running"), std::string::npos);
  EXPECT_NE(failed.find("\"code\":\"conflict\""), std::string::npos);  // the kind crosses too
  EXPECT_EQ(failed.find("subject"), std::string::npos);
  std::string step = encode_reply(util::Error(util::Errc::not_found, "unable to find user 'x'").with_subject("user"));
  EXPECT_NE(step.find("\"subject\":\"user\""), std::string::npos);  // and what failed
  std::string with_state = encode_reply(util::ok(), encode_state(sample_state()));
  EXPECT_NE(with_state.find("\"restart_count\": 3"), std::string::npos);
}

TEST(Health, ProbeResultsMoveTheStatusAsDocker) {
  Health h;
  h = apply_probe(h, false, "no", /*in_start_period=*/true, 3);
  EXPECT_EQ(h.status, HealthStatus::starting);
  EXPECT_EQ(h.failing_streak, 0);
  h = apply_probe(h, false, "no", false, 2);
  EXPECT_EQ(h.failing_streak, 1);
  EXPECT_EQ(h.status, HealthStatus::starting);
  h = apply_probe(h, false, "no", false, 2);
  EXPECT_EQ(h.status, HealthStatus::unhealthy);
  h = apply_probe(h, true, "ok", false, 2);
  EXPECT_EQ(h.status, HealthStatus::healthy);
  EXPECT_EQ(h.failing_streak, 0);
  EXPECT_EQ(h.last_output, "ok");
  h = apply_probe(h, false, std::string(10000, 'x'), true, 2);  // counts: it had passed already
  EXPECT_EQ(h.failing_streak, 1);
  EXPECT_EQ(h.last_output.size(), kMaxHealthOutput);
}

TEST(StatePaths, LayoutOfTheStateRoot) {
  StatePaths p("/var/lib/stack");
  EXPECT_EQ(p.container_dir("web-1"), "/var/lib/stack/containers/web-1");
  EXPECT_EQ(p.config_file("web-1"), "/var/lib/stack/containers/web-1/config.json");
  EXPECT_EQ(p.state_file("web-1"), "/var/lib/stack/containers/web-1/state.json");
  EXPECT_EQ(p.log_file("web-1"), "/var/lib/stack/containers/web-1/web-1-json.log");
  EXPECT_EQ(p.rotated_log_file("web-1", 2), "/var/lib/stack/containers/web-1/web-1-json.log.2");
  EXPECT_EQ(p.upper_dir("web-1"), "/var/lib/stack/containers/web-1/upper");
  EXPECT_EQ(p.work_dir("web-1"), "/var/lib/stack/containers/web-1/work");
  EXPECT_EQ(p.rootfs_dir("web-1"), "/var/lib/stack/containers/web-1/rootfs");
  EXPECT_EQ(p.socket_file("web-1"), "/var/lib/stack/run/web-1.sock");
}

TEST(StatePaths, ContainerIds) {
  EXPECT_TRUE(check_container_id("demo_web-1.x"));
  EXPECT_FALSE(check_container_id(""));
  EXPECT_FALSE(check_container_id(".."));
  EXPECT_FALSE(check_container_id("a/b"));
  EXPECT_FALSE(check_container_id("-x"));
  EXPECT_FALSE(check_container_id(std::string(65, 'a')));
}

}  // namespace
}  // namespace stack::runtime::shim
