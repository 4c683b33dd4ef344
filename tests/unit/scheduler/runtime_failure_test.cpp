// Runtime failures in the stack file's terms (scheduler/runtime_failure.hpp).
#include "scheduler/runtime_failure.hpp"

#include <gtest/gtest.h>

namespace stack::scheduler {
namespace {

using util::Errc;
using util::Error;

TEST(RuntimeFailure, AStepsSubjectBecomesTheServiceKeyOnce) {
  Error e = in_service_terms("web", Error(Errc::not_found, "unable to find user 'ghost'").with_subject("user"));
  EXPECT_EQ(e.message(), "services.web.user: unable to find user 'ghost'");
  EXPECT_EQ(e.code(), Errc::not_found);  // the kind is kept
  Error g = in_service_terms("web", Error(Errc::not_found, "unable to find group 'g'").with_subject("group_add"));
  EXPECT_EQ(g.message(), "services.web.group_add: unable to find group 'g'");
}

TEST(RuntimeFailure, CgroupFilesOfBothVersionsNameTheirKey) {
  EXPECT_EQ(service_key_of("cgroup cpuset.cpus", nullptr), "cpuset");
  EXPECT_EQ(service_key_of("cgroup memory.limit_in_bytes", nullptr), "mem_limit");
  EXPECT_EQ(service_key_of("cgroup memory.max", nullptr), "mem_limit");
  EXPECT_EQ(service_key_of("cgroup pids.max", nullptr), "pids_limit");
  EXPECT_EQ(service_key_of("cgroup cpu.max", nullptr), "cpus");
  EXPECT_EQ(service_key_of("rlimits", nullptr), "ulimits");
  EXPECT_EQ(service_key_of("sysctl", nullptr), "sysctls");
}

TEST(RuntimeFailure, ExecNamesTheKeyThatSetTheProgram) {
  spec::Service image_default;
  EXPECT_EQ(service_key_of("exec", &image_default), std::nullopt);  // the image's own: no key
  spec::Service with_command;
  with_command.command = std::vector<std::string>{"/nope"};
  EXPECT_EQ(service_key_of("exec", &with_command), "command");
  spec::Service with_entrypoint = with_command;
  with_entrypoint.entrypoint = std::vector<std::string>{"/nope"};
  EXPECT_EQ(service_key_of("exec", &with_entrypoint), "entrypoint");
  EXPECT_EQ(service_key_of("exec", nullptr), std::nullopt);
}

TEST(RuntimeFailure, AnErrorWithoutAKnownSubjectIsUnchanged) {
  Error plain = in_service_terms("web", Error(Errc::io, "the shim exited before it reported a state"));
  EXPECT_EQ(plain.message(), "the shim exited before it reported a state");
  Error other = in_service_terms("web", Error(Errc::io, "mount: x").with_subject("proc"));
  EXPECT_EQ(other.message(), "mount: x");
}

}  // namespace
}  // namespace stack::scheduler
