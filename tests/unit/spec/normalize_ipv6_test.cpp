// enable_ipv6 networks and ipv6_address: what is read, what is refused and where, and the model
// written back by `stack config` reading back to the same model.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/reader.hpp"
#include "spec/serialize.hpp"
#include "spec/validate.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using namespace stack::spec::testing;

util::Ipv6 v6(const char* text) { return util::Ipv6::parse(text).value(); }

// Normalises (which must succeed) and validates: the validation diagnostics.
std::string validate_ipv6_yaml(std::string_view yaml) {
  Diagnostics diags;
  auto root = read_yaml(yaml, "stack.yaml", diags);
  auto stack = root ? normalize(*root, test_context(), diags) : std::nullopt;
  if (!stack) return "normalize failed: " + diags.format();
  validate(*stack, diags);
  return diags.format();
}

constexpr const char* kDualStack =
    "services:\n  a:\n    image: x\n    networks:\n      n:\n        ipv6_address: 'fd5c:1:2::10'\n"
    "  b: {image: x, networks: [n]}\n"
    "networks:\n  n:\n    enable_ipv6: true\n    ipam:\n      config:\n        - subnet: 10.231.90.0/24\n"
    "        - subnet: 'fd5c:1:2::/64'\n          gateway: 'fd5c:1:2::fe'\n          ip_range: 'fd5c:1:2::100/120'\n"
    "          aux_addresses: {router: 'fd5c:1:2::5'}\n";

TEST(NormalizeIpv6, DualStackNetworkAndFixedAddress) {
  auto o = run(kDualStack);
  ASSERT_TRUE(o.stack) << o.errors();
  const Network* n = o.stack->find_network("n");
  ASSERT_NE(n, nullptr);
  EXPECT_TRUE(n->enable_ipv6);
  ASSERT_EQ(n->ipam.size(), 1u);
  ASSERT_EQ(n->ipam6.size(), 1u);
  EXPECT_EQ(n->ipam6[0].subnet.str(), "fd5c:1:2::/64");
  EXPECT_EQ(n->ipam6[0].gateway, v6("fd5c:1:2::fe"));
  EXPECT_EQ(n->ipam6[0].ip_range->str(), "fd5c:1:2::100/120");
  EXPECT_EQ(n->ipam6[0].aux_addresses.at("router"), v6("fd5c:1:2::5"));
  EXPECT_EQ(o.service("a").networks[0].ipv6_address, v6("fd5c:1:2::10"));
}

TEST(NormalizeIpv6, ConfigOutputReadsBack) {
  auto o = run(kDualStack);
  ASSERT_TRUE(o.stack) << o.errors();
  const nlohmann::json j = to_json(*o.stack);
  EXPECT_EQ(j["networks"]["n"]["enable_ipv6"], true);
  EXPECT_EQ(j["networks"]["n"]["ipam"]["config"][1]["subnet"], "fd5c:1:2::/64");
  EXPECT_EQ(j["services"]["a"]["networks"]["n"]["ipv6_address"], "fd5c:1:2::10");
  // JSON is YAML: the printed model, read again, is the same model.
  auto again = run(j.dump());
  ASSERT_TRUE(again.stack) << again.errors();
  EXPECT_EQ(again.stack->find_network("n")->ipam6, o.stack->find_network("n")->ipam6);
  EXPECT_EQ(again.service("a").networks[0].ipv6_address, v6("fd5c:1:2::10"));
}

TEST(NormalizeIpv6, EnableWithoutSubnetAndSubnetWithoutEnable) {
  auto o = run("services: {}\nnetworks:\n  a: {enable_ipv6: true}\n"
               "  b:\n    ipam:\n      config:\n        - subnet: 'fd5c::/64'\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:3:20: networks.a.enable_ipv6: an IPv6 subnet is required: add one to ipam.config (stack has no default IPv6 pool)\n"
            "stack.yaml:7:19: networks.b.ipam.config[0].subnet: IPv6 subnet 'fd5c::/64' needs 'enable_ipv6: true' on the network");
}

TEST(NormalizeIpv6, PoolErrorsWithPositions) {
  auto o = run("services: {}\nnetworks:\n  n:\n    enable_ipv6: true\n    ipam:\n      config:\n"
               "        - subnet: 'fd5c::1/64'\n        - subnet: 'fd5d::/64'\n          gateway: 'fd5e::1'\n"
               "          ip_range: 'fd5d:1::/80'\n        - subnet: 'fd5f::/64'\n        - subnet: 'fd60::/127'\n"
               "  m:\n    enable_ipv4: false\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:7:19: networks.n.ipam.config[0].subnet: subnet 'fd5c::1/64' has host bits set (did you mean 'fd5c::/64'?)\n"
            "stack.yaml:9:20: networks.n.ipam.config[1].gateway: 'fd5e::1' is outside subnet 'fd5d::/64'\n"
            "stack.yaml:10:21: networks.n.ipam.config[1].ip_range: 'fd5d:1::/80' is outside subnet 'fd5d::/64'\n"
            "stack.yaml:11:19: networks.n.ipam.config[2].subnet: a network has at most one IPv6 subnet ('fd5d::/64' is the first)\n"
            "stack.yaml:12:19: networks.n.ipam.config[3].subnet: a network has at most one IPv6 subnet ('fd5d::/64' is the first)\n"
            "stack.yaml:14:18: networks.m.enable_ipv4: ipv6-only networks are not supported yet");
}

TEST(NormalizeIpv6, FixedAddressMustFitTheNetwork) {
  auto errors = validate_ipv6_yaml("services:\n  a:\n    image: x\n    networks:\n      v4only: {ipv6_address: 'fd5c::10'}\n"
               "      n: {ipv6_address: 'fd5d::10'}\n  b:\n    image: x\n    networks:\n"
               "      n: {ipv6_address: 'fd5c::5'}\n  c:\n    image: x\n    networks:\n      n: {ipv6_address: 'fd5c::5'}\n"
               "networks:\n  v4only: {}\n  n:\n    enable_ipv6: true\n    ipam:\n      config:\n"
               "        - subnet: 'fd5c::/64'\n          aux_addresses: {r: 'fd5c::5'}\n");
  EXPECT_EQ(errors,
            "stack.yaml:6:7: services.a.networks.n.ipv6_address: 'fd5d::10' is outside the IPv6 subnet of network 'n'\n"
            "stack.yaml:5:7: services.a.networks.v4only.ipv6_address: network 'v4only' has no IPv6 subnet to take 'fd5c::10' from (it needs enable_ipv6 and an IPv6 ipam subnet)\n"
            "stack.yaml:10:7: services.b.networks.n.ipv6_address: 'fd5c::5' is reserved as aux address 'r' of network 'n'\n"
            "stack.yaml:14:7: services.c.networks.n.ipv6_address: 'fd5c::5' is reserved as aux address 'r' of network 'n'\n"
            "stack.yaml:14:7: services.c.networks.n.ipv6_address: 'fd5c::5' is already used by service 'b'");
}

}  // namespace
}  // namespace stack::spec
