// Mapping row: networks -> a NetworkPolicy per network, pods labelled per network.
#include "kube_fixture.hpp"

namespace stack::kube::testing {
namespace {

constexpr const char* kTiers =
    "services:\n"
    "  proxy:\n    image: p\n    restart: always\n    ports: [\"80:80\"]\n    networks: [front]\n"
    "  api:\n    image: a\n    restart: always\n    networks: [front, back]\n"
    "  db:\n    image: d\n    restart: always\n    networks: [back]\n"
    "networks:\n  front:\n  back:\n    internal: true\n";

TEST(KubeNetworkPolicy, PodsCarryALabelPerNetwork) {
  Export e = exported(kTiers);
  const json& labels = object(e, "Deployment", "api")["spec"]["template"]["metadata"]["labels"];
  EXPECT_EQ(labels["stack.network/front"], "true");
  EXPECT_EQ(labels["stack.network/back"], "true");
  EXPECT_FALSE(object(e, "Deployment", "db")["spec"]["template"]["metadata"]["labels"].contains(
      "stack.network/front"));
}

TEST(KubeNetworkPolicy, IngressOnlyFromPodsOfTheSameNetwork) {
  Export e = exported(kTiers);
  const json& spec = object(e, "NetworkPolicy", "network-front")["spec"];
  json member = {{"matchLabels", {{"stack.network/front", "true"}}}};
  EXPECT_EQ(spec["podSelector"], member);
  EXPECT_EQ(spec["ingress"], json::array({{{"from", {{{"podSelector", member}}}}}}));
}

TEST(KubeNetworkPolicy, InternalNetworkLimitsEgressToPeersAndDns) {
  Export e = exported(kTiers);
  const json& back = object(e, "NetworkPolicy", "network-back")["spec"];
  EXPECT_EQ(back["policyTypes"], json({"Ingress", "Egress"}));
  EXPECT_EQ(back["egress"][0]["to"][0]["podSelector"]["matchLabels"]["stack.network/back"], "true");
  EXPECT_EQ(back["egress"][1]["ports"][0]["port"], 53);
  // front's pods (api among them) keep every egress: policies add up.
  const json& front = object(e, "NetworkPolicy", "network-front")["spec"];
  EXPECT_EQ(front["egress"][0]["ports"].size(), 3u);
  EXPECT_FALSE(front["egress"][0].contains("to"));
}

TEST(KubeNetworkPolicy, PublishedPortsAcceptIngressFromAnywhere) {
  Export e = exported(kTiers);
  const json& spec = object(e, "NetworkPolicy", "proxy-published")["spec"];
  EXPECT_EQ(spec["ingress"][0], json({{"ports", {{{"protocol", "TCP"}, {"port", 80}}}}}));
  EXPECT_FALSE(spec["ingress"][0].contains("from"));
}

TEST(KubeNetworkPolicy, IpamIsDroppedWithAWarning) {
  Export e = exported("services:\n  a:\n    image: x\n    restart: always\n    networks: [n]\n"
                      "networks:\n  n:\n    ipam: {config: [{subnet: 10.9.0.0/24}]}\n");
  EXPECT_TRUE(warned(e, "networks.n.ipam", "assigns pod addresses"));
}

}  // namespace
}  // namespace stack::kube::testing
