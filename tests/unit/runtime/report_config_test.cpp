// The error report's encoding and the config's JSON and validation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>

#include "runtime/container/config.hpp"
#include "runtime/container/device_access.hpp"
#include "runtime/container/report.hpp"
#include "util/fd.hpp"

namespace stack::runtime {
namespace {

using ::testing::HasSubstr;

TEST(Report, RoundTrips) {
  StepError e{"exec", ENOENT, util::Errc::not_found, "exec \"/app/server\": No such file or directory"};
  auto decoded = decode_report(encode_report(e));
  ASSERT_TRUE(decoded);
  ASSERT_TRUE(decoded->has_value());
  EXPECT_EQ(**decoded, e);
  util::Error err = (*decoded)->to_error();
  EXPECT_EQ(err.message(), "exec \"/app/server\": No such file or directory");
  EXPECT_EQ(err.sys_errno(), ENOENT);
  EXPECT_EQ(err.code(), util::Errc::not_found);
}

TEST(Report, FromAnError) {
  auto e = StepError::from("mounts", util::Error::from_errno("mount volume '/data'", EACCES));
  EXPECT_EQ(e.step, "mounts");
  EXPECT_EQ(e.error_number, EACCES);
  EXPECT_EQ(e.detail, "mount volume '/data': Permission denied");
}

TEST(Report, EmptyMeansNoReport) {
  auto decoded = decode_report("");
  ASSERT_TRUE(decoded);
  EXPECT_FALSE(decoded->has_value());
}

TEST(Report, MalformedIsAnError) {
  std::string good = encode_report({"rootfs", EPERM, util::Errc::io, "x"});
  for (std::string bad : {std::string("abc"), good.substr(0, good.size() - 1), good + "z"}) {
    EXPECT_FALSE(decode_report(bad)) << bad.size();
  }
}

TEST(Report, LongDetailIsCutToOneAtomicWrite) {
  StepError e{"mounts", EIO, util::Errc::io, std::string(10000, 'x')};
  std::string bytes = encode_report(e);
  EXPECT_LE(bytes.size(), kMaxReportSize);
  auto decoded = decode_report(bytes);
  ASSERT_TRUE(decoded && decoded->has_value());
  EXPECT_EQ((*decoded)->step, "mounts");
}

TEST(Report, ThroughAPipe) {
  auto pipe = util::Pipe::make();
  ASSERT_TRUE(pipe);
  write_report(pipe->write.get(), {"sysctl", 0, util::Errc::invalid_argument, "sysctl 'x' refused"});
  pipe->write.reset();
  auto got = read_report(pipe->read.get());
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->detail, "sysctl 'x' refused");
}

ContainerConfig sample() {
  ContainerConfig c;
  c.id = "demo-web-1";
  c.rootfs.lower_layers = {"/l/2", "/l/1"};
  c.rootfs.upper_dir = "/c/upper";
  c.rootfs.work_dir = "/c/work";
  c.rootfs.merged_dir = "/c/rootfs";
  c.args = {"/app/server", "--port", "80"};
  c.env = {"PATH=/bin"};
  c.user = "app:staff";
  c.network = {NetworkMode::join, "/proc/42/ns/net"};
  c.mounts = {{MountType::tmpfs, "", "/run", true, 1 << 20, 0755}};
  c.rlimits = {{"nofile", {100, 200}}};
  c.sysctls = {{"net.ipv4.ip_forward", "1"}};
  c.security.capabilities.add = {"NET_ADMIN"};
  c.security.seccomp = SeccompMode::unconfined;
  c.init = true;
  c.stdout_fd = 7;
  c.devices = {DeviceNode{"/dev/xloop", "b", 7, 0, 0660, 0, 6, "r"}};
  c.device_cgroup_rules = {"c 189:* rwm"};
  c.oom_score_adj = -100;
  return c;
}

TEST(Config, JsonRoundTrips) {
  auto decoded = decode_config(encode_config(sample()));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(encode_config(*decoded), encode_config(sample()));
  EXPECT_EQ(decoded->network.mode, NetworkMode::join);
  EXPECT_EQ(decoded->mounts[0].tmpfs_mode, 0755u);
  EXPECT_EQ(decoded->rlimits.at("nofile").hard, 200u);
  EXPECT_EQ(decoded->masked_paths, default_masked_paths());
  ASSERT_EQ(decoded->devices.size(), 1u);
  EXPECT_EQ(decoded->devices[0].gid, 6u);
  EXPECT_EQ(decoded->oom_score_adj, -100);
  ContainerConfig unset;
  auto plain = decode_config(encode_config(unset));
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->oom_score_adj);
}

TEST(Config, DevicesCgroupRulesFromTheConfig) {
  auto rules = allowed_devices(sample());
  ASSERT_TRUE(rules) << rules.error().message();
  auto defaults = cgroup::default_device_rules();
  ASSERT_EQ(rules->size(), defaults.size() + 2);
  EXPECT_EQ(util::to_string((*rules)[defaults.size()]), "b 7:0 r");
  EXPECT_EQ(util::to_string(rules->back()), "c 189:* rwm");
  ContainerConfig privileged = sample();
  privileged.security.capabilities.privileged = true;
  EXPECT_EQ(*allowed_devices(privileged), std::vector<cgroup::DeviceRule>{cgroup::DeviceRule{}});
}

TEST(Config, BadJsonIsAParseError) {
  auto r = decode_config("{\"args\": 3}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), util::Errc::parse);
}

TEST(Config, ValidSampleValidates) { EXPECT_TRUE(validate(sample())); }

TEST(Config, ValidateReportsEveryProblem) {
  ContainerConfig c;
  c.cwd = "relative";
  c.sysctls = {{"vm.swappiness", "1"}};
  c.security.capabilities.add = {"BOGUS"};
  c.mounts = {{MountType::bind, "", "data", false}};
  c.devices = {DeviceNode{"/tmp/x"}};
  c.oom_score_adj = 1001;
  auto r = validate(c);
  ASSERT_FALSE(r);
  const std::string& m = r.error().message();
  for (const char* want : {"no command to run", "cwd 'relative' is not absolute",
                           "rootfs: give either lower layers or a directory",
                           "mount destination 'data' is not absolute", "mount 'data' has no source",
                           "sysctl 'vm.swappiness'", "unknown capability 'BOGUS'",
                           "device '/tmp/x': the container path must be below /dev",
                           "oom_score_adj 1001 is out of range -1000..1000"}) {
    EXPECT_THAT(m, HasSubstr(want));
  }
}

}  // namespace
}  // namespace stack::runtime
