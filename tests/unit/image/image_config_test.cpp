#include "image/image_config.hpp"

#include <gtest/gtest.h>

namespace stack::image {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

const char* kConfig = R"({
  "architecture": "amd64", "os": "linux", "created": "2024-01-02T03:04:05Z",
  "config": {
    "Entrypoint": ["/docker-entrypoint.sh"], "Cmd": ["nginx", "-g", "daemon off;"],
    "Env": ["PATH=/usr/bin:/bin", "NGINX_VERSION=1.25", "EMPTY="],
    "WorkingDir": "/srv", "User": "101:101", "StopSignal": "SIGQUIT",
    "ExposedPorts": {"80/tcp": {}}, "Volumes": {"/cache": {}}, "Labels": {"maintainer": "x", "tier": "web"},
    "Healthcheck": {"Test": ["CMD", "curl", "-f", "http://localhost"], "Interval": 30000000000,
                    "Timeout": 5000000000, "Retries": 3}
  },
  "rootfs": {"type": "layers", "diff_ids": [
    "sha256:1111111111111111111111111111111111111111111111111111111111111111",
    "sha256:2222222222222222222222222222222222222222222222222222222222222222"]}
})";

ImageConfig image() {
  auto c = parse_image_config(kConfig);
  EXPECT_TRUE(c) << c.error().message();
  return *c;
}

TEST(ImageConfig, ParsesEveryField) {
  ImageConfig c = image();
  EXPECT_EQ(c.os, "linux");
  EXPECT_EQ(c.architecture, "amd64");
  EXPECT_EQ(c.entrypoint, Strings{"/docker-entrypoint.sh"});
  EXPECT_EQ(c.cmd, (Strings{"nginx", "-g", "daemon off;"}));
  EXPECT_EQ(c.env.size(), 3u);
  EXPECT_EQ(c.working_dir, "/srv");
  EXPECT_EQ(c.user, "101:101");
  EXPECT_EQ(c.stop_signal, "SIGQUIT");
  EXPECT_EQ(c.exposed_ports, std::set<std::string>{"80/tcp"});
  EXPECT_EQ(c.volumes, std::set<std::string>{"/cache"});
  EXPECT_EQ(c.labels.at("tier"), "web");
  ASSERT_TRUE(c.healthcheck);
  EXPECT_EQ(c.healthcheck->interval, 30s);
  EXPECT_EQ(c.healthcheck->retries, 3);
  ASSERT_EQ(c.diff_ids.size(), 2u);
  EXPECT_EQ(c.diff_ids[1].hex(), std::string(64, '2'));
}

TEST(ImageConfig, NullAndStringForms) {
  auto c = parse_image_config(R"({"config": {"Entrypoint": null, "Cmd": "sh"}, "rootfs": {"diff_ids": []}})");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(c->entrypoint.empty());
  EXPECT_EQ(c->cmd, Strings{"sh"});
}

TEST(ImageConfig, Errors) {
  EXPECT_FALSE(parse_image_config("{"));
  EXPECT_FALSE(parse_image_config("[]"));
  EXPECT_FALSE(parse_image_config(R"({"config": {}})"));  // no rootfs
  auto bad = parse_image_config(R"({"rootfs": {"diff_ids": ["sha256:nothex"]}})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("rootfs.diff_ids"), std::string::npos);
}

TEST(Combine, NoOverridesIsTheImage) {
  RunConfig r = combine(image(), {});
  EXPECT_EQ(r.argv(), (Strings{"/docker-entrypoint.sh", "nginx", "-g", "daemon off;"}));
  EXPECT_EQ(r.env, image().env);
  EXPECT_EQ(r.working_dir, "/srv");
  EXPECT_EQ(r.user, "101:101");
  EXPECT_EQ(r.stop_signal, "SIGQUIT");
  EXPECT_EQ(r.healthcheck, image().healthcheck);
}

TEST(Combine, CommandReplacesCmdKeepsEntrypoint) {
  RunOverrides o;
  o.command = Strings{"nginx-debug"};
  RunConfig r = combine(image(), o);
  EXPECT_EQ(r.entrypoint, Strings{"/docker-entrypoint.sh"});
  EXPECT_EQ(r.cmd, Strings{"nginx-debug"});
}

TEST(Combine, EntrypointClearsCmd) {
  RunOverrides o;
  o.entrypoint = Strings{"/bin/sh", "-c"};
  RunConfig r = combine(image(), o);
  EXPECT_EQ(r.argv(), (Strings{"/bin/sh", "-c"}));
}

TEST(Combine, EntrypointAndCommand) {
  RunOverrides o;
  o.entrypoint = Strings{"/bin/sh", "-c"};
  o.command = Strings{"echo hi"};
  EXPECT_EQ(combine(image(), o).argv(), (Strings{"/bin/sh", "-c", "echo hi"}));
}

TEST(Combine, EmptyEntrypointClearsBoth) {
  RunOverrides o;
  o.entrypoint = Strings{};
  EXPECT_TRUE(combine(image(), o).argv().empty());
}

TEST(Combine, EnvironmentOverridesByKeyUserFirst) {
  RunOverrides o;
  o.environment = {{"NGINX_VERSION", "custom"}, {"NEW", "1"}, {"EMPTY", "set"}};
  RunConfig r = combine(image(), o);
  EXPECT_EQ(r.env, (Strings{"NGINX_VERSION=custom", "NEW=1", "EMPTY=set", "PATH=/usr/bin:/bin"}));
}

TEST(Combine, ScalarsOverride) {
  RunOverrides o;
  o.working_dir = "/app";
  o.user = "nobody";
  o.stop_signal = "SIGINT";
  RunConfig r = combine(image(), o);
  EXPECT_EQ(r.working_dir, "/app");
  EXPECT_EQ(r.user, "nobody");
  EXPECT_EQ(r.stop_signal, "SIGINT");
}

TEST(Combine, UnionsWithServiceWinning) {
  RunOverrides o;
  o.labels = {{"tier", "edge"}, {"extra", "1"}};
  o.exposed_ports = {"443/tcp"};
  o.volumes = {"/data"};
  RunConfig r = combine(image(), o);
  EXPECT_EQ(r.labels, (std::map<std::string, std::string>{{"maintainer", "x"}, {"tier", "edge"}, {"extra", "1"}}));
  EXPECT_EQ(r.exposed_ports, (std::set<std::string>{"443/tcp", "80/tcp"}));
  EXPECT_EQ(r.volumes, (std::set<std::string>{"/cache", "/data"}));
}

TEST(Combine, HealthcheckTakesUnsetFieldsFromImage) {
  RunOverrides o;
  o.healthcheck = Healthcheck{.test = {}, .interval = 0s, .timeout = 2s, .retries = 0};
  RunConfig r = combine(image(), o);
  ASSERT_TRUE(r.healthcheck);
  EXPECT_EQ(r.healthcheck->test, (Strings{"CMD", "curl", "-f", "http://localhost"}));
  EXPECT_EQ(r.healthcheck->interval, 30s);
  EXPECT_EQ(r.healthcheck->timeout, 2s);
  EXPECT_EQ(r.healthcheck->retries, 3);
}

TEST(Combine, HealthcheckDisabled) {
  RunOverrides o;
  o.healthcheck = Healthcheck{.test = {"NONE"}};
  EXPECT_EQ(combine(image(), o).healthcheck->test, Strings{"NONE"});
}

TEST(EnvKey, SplitsAtFirstEquals) {
  EXPECT_EQ(env_key("A=b=c"), "A");
  EXPECT_EQ(env_key("A"), "A");
  EXPECT_EQ(env_key("=x"), "");
}

}  // namespace
}  // namespace stack::image
