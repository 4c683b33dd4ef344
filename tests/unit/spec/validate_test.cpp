// Cross-checks on the normalised Stack, and the did-you-mean helper they use.
#include "spec/validate.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/normalize.hpp"
#include "spec/reader.hpp"
#include "spec/suggest.hpp"

namespace stack::spec {
namespace {

// Normalises (which must succeed) and validates; returns every validation diagnostic.
std::string validate_yaml(std::string_view yaml) {
  Diagnostics diags;
  auto root = read_yaml(yaml, "stack.yaml", diags);
  NormalizeContext ctx;
  ctx.project_name = "demo";
  ctx.working_dir = "/srv";
  auto stack = root ? normalize(*root, ctx, diags) : std::nullopt;
  if (!stack) return "normalize failed: " + diags.format();
  validate(*stack, diags);
  return diags.format();
}

TEST(Validate, CleanStackHasNoDiagnostics) {
  EXPECT_EQ(validate_yaml("services:\n  web:\n    image: a\n    depends_on: [db]\n    ports: ['80:80']\n"
                          "    volumes: [data:/d]\n  db:\n    image: b\nvolumes:\n  data:\n"),
            "");
}

TEST(Validate, UnknownDependency) {
  EXPECT_EQ(validate_yaml("services:\n  web:\n    image: a\n    depends_on: [dbb]\n  db:\n    image: b\n"),
            "stack.yaml:4:18: services.web.depends_on.dbb: unknown service 'dbb' (did you mean 'db'?)");
}

TEST(Validate, OptionalUnknownDependencyIsIgnored) {
  EXPECT_EQ(validate_yaml("services:\n  web:\n    image: a\n    depends_on:\n      gone: {required: false}\n"), "");
}

TEST(Validate, UndeclaredNetworkAndVolume) {
  EXPECT_EQ(validate_yaml("services:\n  web:\n    image: a\n    networks: [frontend]\n    volumes: ['dat:/d']\n"
                          "networks:\n  front:\nvolumes:\n  data:\n"),
            "stack.yaml:4:16: services.web.networks[0]: network 'frontend' is not declared under "
            "top-level networks (did you mean 'front'?)\n"
            "stack.yaml:2:3: services.web.volumes: volume 'dat' is not declared under top-level volumes "
            "(did you mean 'data'?)");
}

TEST(Validate, NetworkModeServiceTarget) {
  EXPECT_EQ(validate_yaml("services:\n  a:\n    image: x\n    network_mode: 'service:nope'\n"
                          "  b:\n    image: x\n    network_mode: 'service:b'\n  c:\n    image: x\n"
                          "    network_mode: 'service:a'\n"),
            "stack.yaml:2:3: services.a.network_mode: unknown service 'nope'\n"
            "stack.yaml:5:3: services.b.network_mode: a service cannot share its own network");
}

TEST(Validate, NamespaceServiceTargets) {
  EXPECT_EQ(validate_yaml("services:\n  a:\n    image: x\n    ipc: service:nope\n    pid: service:b\n"
                          "  b:\n    image: x\n    pid: service:gone\n"),
            "stack.yaml:2:3: services.a.ipc: unknown service 'nope'\n"
            "stack.yaml:6:3: services.b.pid: unknown service 'gone'");
}

TEST(Validate, DependencyCycleReportedOnce) {
  EXPECT_EQ(validate_yaml("services:\n  web:\n    image: x\n    depends_on: [api]\n"
                          "  api:\n    image: x\n    depends_on: [db]\n  db:\n    image: x\n    depends_on: [web]\n"),
            "stack.yaml:7:18: services.api.depends_on: dependency cycle: api -> db -> web -> api");
}

TEST(Validate, TwoCyclesAndSelfDependency) {
  EXPECT_EQ(validate_yaml("services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n"
                          "  c:\n    image: x\n    depends_on: [c]\n"),
            "stack.yaml:4:18: services.a.depends_on: dependency cycle: a -> b -> a\n"
            "stack.yaml:10:18: services.c.depends_on: dependency cycle: c -> c");
}

TEST(Validate, ContainerNames) {
  EXPECT_EQ(validate_yaml("services:\n  a:\n    image: x\n    container_name: same\n"
                          "  b:\n    image: x\n    container_name: same\n"
                          "  c:\n    image: x\n    container_name: solo\n    scale: 2\n"),
            "stack.yaml:5:3: services.b.container_name: 'same' is already used by service 'a'\n"
            "stack.yaml:8:3: services.c.container_name: cannot be set on a service with 2 replicas");
}

TEST(Validate, StaticAddresses) {
  EXPECT_EQ(validate_yaml(
                "services:\n  a:\n    image: x\n    networks: {n: {ipv4_address: 10.1.0.5}}\n"
                "  b:\n    image: x\n    networks: {n: {ipv4_address: 10.1.0.5}}\n"
                "  c:\n    image: x\n    networks: {n: {ipv4_address: 10.9.0.5}}\n"
                "  d:\n    image: x\n    networks: {plain: {ipv4_address: 10.1.0.6}}\n"
                "networks:\n  n: {ipam: {config: [{subnet: 10.1.0.0/16}]}}\n  plain:\n"),
            "stack.yaml:7:16: services.b.networks.n.ipv4_address: '10.1.0.5' is already used by service 'a'\n"
            "stack.yaml:10:16: services.c.networks.n.ipv4_address: '10.9.0.5' is outside the subnets of network 'n'\n"
            "stack.yaml:13:16: services.d.networks.plain.ipv4_address: network 'plain' has no ipam subnet to take "
            "'10.1.0.6' from");
}

TEST(Validate, AStaticAddressIsNotAnAuxAddress) {
  EXPECT_EQ(validate_yaml("services:\n  a:\n    image: x\n    networks: {n: {ipv4_address: 10.1.0.5}}\n"
                          "networks:\n  n: {ipam: {config: [{subnet: 10.1.0.0/16, aux_addresses: {gw2: 10.1.0.5}}]}}\n"),
            "stack.yaml:4:16: services.a.networks.n.ipv4_address: '10.1.0.5' is reserved as aux address 'gw2' of "
            "network 'n'");
}

TEST(Validate, PublishedPortClashes) {
  EXPECT_EQ(validate_yaml("services:\n  a:\n    image: x\n    ports: ['8080:80', '53:53/udp']\n"
                          "  b:\n    image: x\n    ports: ['127.0.0.1:8080:81', '53:53/tcp', '9000-9001:90']\n"
                          "  c:\n    image: x\n    ports: ['10.0.0.1:9001:80']\n"
                          "  d:\n    image: x\n    ports: ['7000:80']\n    scale: 2\n"),
            "stack.yaml:5:3: services.b.ports: published port 127.0.0.1:8080/tcp is already used by service 'a'\n"
            "stack.yaml:8:3: services.c.ports: published port 10.0.0.1:9001/tcp is already used by service 'b'\n"
            "stack.yaml:11:3: services.d.ports: published port 7000/tcp cannot serve 2 replicas");
}

TEST(Validate, HostNetworkPortsAreNotCompared) {
  EXPECT_EQ(validate_yaml("services:\n  a:\n    image: x\n    ports: ['80:80']\n"
                          "  b:\n    image: x\n    network_mode: host\n    ports: ['80:80']\n"),
            "");
}

TEST(Suggest, EditDistance) {
  EXPECT_EQ(edit_distance("image", "image"), 0u);
  EXPECT_EQ(edit_distance("imgae", "image"), 1u);  // transposition counts once
  EXPECT_EQ(edit_distance("imag", "image"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Suggest, NearestWithinLimit) {
  constexpr std::string_view kKeys[] = {"image", "ports", "volumes", "environment"};
  EXPECT_EQ(suggest("imgae", kKeys), "image");
  EXPECT_EQ(suggest("enviroment", kKeys), "environment");
  EXPECT_EQ(suggest("xyz", kKeys), std::nullopt);
  EXPECT_EQ(did_you_mean("port", kKeys), " (did you mean 'ports'?)");
  EXPECT_EQ(did_you_mean("zzzzzz", kKeys), "");
}

}  // namespace
}  // namespace stack::spec
