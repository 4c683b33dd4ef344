// Service keys that map onto what stack already has (annotations, isolation: default,
// userns_mode: host, a service-level mac_address), and the refusals with their reasons.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/serialize.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using namespace stack::spec::testing;

TEST(ServiceKeys, AnnotationsAreKeptAndPrinted) {
  auto o = run_service("    annotations:\n      com.example.a: '1'\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service().annotations.at("com.example.a"), "1");
  EXPECT_EQ(to_json(o.service())["annotations"]["com.example.a"], "1");
}

TEST(ServiceKeys, IsolationDefaultAndUsernsHostAreWhatEveryContainerHas) {
  auto ok = run_service("    isolation: default\n    userns_mode: host\n");
  ASSERT_TRUE(ok.stack) << ok.errors();
  auto bad = run_service("    isolation: hyperv\n    userns_mode: 'private'\n");
  EXPECT_EQ(bad.errors(),
            "stack.yaml:4:16: services.a.isolation: not supported: 'hyperv' is a Windows isolation "
            "mode ('default' is Linux's)\n"
            "stack.yaml:5:18: services.a.userns_mode: not supported yet: the runtime does not make "
            "user namespaces ('host' is what every container has)");
}

TEST(ServiceKeys, ServiceMacAddressGoesToTheFirstNetwork) {
  auto o = run("services:\n  a:\n    image: x\n    mac_address: 02:42:ac:11:00:02\n"
               "    networks: {front: {priority: 10}, back: {}}\n"
               "networks: {front: {}, back: {}}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  ASSERT_EQ(o.service().networks.size(), 2u);
  EXPECT_EQ(o.service().networks[0].key, "front");
  EXPECT_EQ(o.service().networks[0].mac_address, "02:42:ac:11:00:02");
  EXPECT_FALSE(o.service().networks[1].mac_address);
  auto host = run_service("    mac_address: 02:42:ac:11:00:02\n    network_mode: host\n");
  EXPECT_EQ(host.errors(),
            "stack.yaml:4:18: services.a.mac_address: needs a bridge network (network_mode is set)");
  auto bad = run_service("    mac_address: nope\n");
  EXPECT_EQ(bad.errors(), "stack.yaml:4:18: services.a.mac_address: 'nope' is not a valid mac address");
}

TEST(ServiceKeys, RefusalsGiveTheirReason) {
  auto o = run_service("    runtime: nvidia\n    gpus: all\n    storage_opt: {size: 1G}\n    cgroup_parent: x\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:4:5: services.a.runtime: not supported: stack is the container runtime: no "
            "other OCI runtime is used\n"
            "stack.yaml:5:5: services.a.gpus: not supported: GPUs need a vendor container toolkit, "
            "which stack does not use\n"
            "stack.yaml:6:5: services.a.storage_opt: not supported: the overlay file system of stack "
            "has no per-container size option\n"
            "stack.yaml:7:5: services.a.cgroup_parent: not supported yet: containers live under the project's cgroup (stack/<project>)");
}

TEST(ServiceKeys, MountTypesThatCannotBeMountedSayWhy) {
  auto o = run_service("    volumes:\n      - {type: npipe, source: a, target: /a}\n"
                       "      - {type: cluster, source: b, target: /b}\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:16: services.a.volumes[0].type: not supported: 'npipe' mounts are Windows "
            "named pipes\n"
            "stack.yaml:6:16: services.a.volumes[1].type: not supported: 'cluster' volumes need a swarm");
}

}  // namespace
}  // namespace stack::spec
