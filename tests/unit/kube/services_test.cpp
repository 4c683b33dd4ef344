// Mapping rows: ports/expose -> ClusterIP Service; port-less dependencies -> headless Service;
// published ports -> LoadBalancer or NodePort; network aliases -> Services.
#include "kube_fixture.hpp"

namespace stack::kube::testing {
namespace {

TEST(KubeServices, ExposedServiceGetsAClusterIpServiceNamedAfterIt) {
  Export e = exported("services:\n  api:\n    image: x\n    restart: always\n    expose: [\"8000\"]\n");
  const json& svc = object(e, "Service", "api");
  EXPECT_EQ(svc["spec"]["type"], "ClusterIP");
  json port = {{"name", "tcp-8000"}, {"port", 8000}, {"targetPort", 8000}, {"protocol", "TCP"}};
  EXPECT_EQ(svc["spec"]["ports"], json::array({port}));
  EXPECT_EQ(svc["spec"]["selector"], object(e, "Deployment", "api")["spec"]["selector"]["matchLabels"]);
}

TEST(KubeServices, PortlessServiceThatOthersDependOnIsHeadless) {
  Export e = exported("services:\n  cache:\n    image: redis\n    restart: always\n"
                      "  app:\n    image: x\n    restart: always\n    depends_on: [cache]\n");
  const json& svc = object(e, "Service", "cache");
  EXPECT_EQ(svc["spec"]["clusterIP"], "None");
  EXPECT_FALSE(svc["spec"].contains("ports"));
  EXPECT_EQ(find(e, "Service", "app"), nullptr);  // nobody reaches app: no Service
}

TEST(KubeServices, PublishedPortsGetALoadBalancerFromPublishedToContainerPort) {
  Export e = exported("services:\n  web:\n    image: x\n    restart: always\n    ports: [\"80:8080\"]\n");
  const json& lb = object(e, "Service", "web-published");
  EXPECT_EQ(lb["spec"]["type"], "LoadBalancer");
  json port = {{"name", "tcp-80"}, {"port", 80}, {"targetPort", 8080}, {"protocol", "TCP"}};
  EXPECT_EQ(lb["spec"]["ports"], json::array({port}));
  // Inside the cluster the name answers on the container port, as under stack.
  EXPECT_EQ(object(e, "Service", "web")["spec"]["ports"][0]["port"], 8080);
  EXPECT_TRUE(e.warnings.empty()) << all_warnings(e);
}

TEST(KubeServices, NodePortServiceTypeKeepsPortsInTheNodePortRange) {
  Options options;
  options.service_type = ServiceType::node_port;
  Export e = exported("services:\n  web:\n    image: x\n    restart: always\n"
                      "    ports: [\"30080:80\", \"8443:443\"]\n", options);
  const json& np = object(e, "Service", "web-published");
  EXPECT_EQ(np["spec"]["type"], "NodePort");
  EXPECT_EQ(np["spec"]["ports"][0]["nodePort"], 30080);
  EXPECT_FALSE(np["spec"]["ports"][1].contains("nodePort"));
  EXPECT_TRUE(warned(e, "services.web.ports[1]", "outside the NodePort range"));
}

TEST(KubeServices, LoopbackPublishedPortStaysInsideTheClusterWithAWarning) {
  Export e = exported("services:\n  web:\n    image: x\n    restart: always\n"
                      "    ports: [\"127.0.0.1:8080:80\"]\n");
  EXPECT_EQ(find(e, "Service", "web-published"), nullptr);
  EXPECT_NE(find(e, "Service", "web"), nullptr);
  EXPECT_TRUE(warned(e, "services.web.ports[0]", "kubectl port-forward"));
}

TEST(KubeServices, HostIpOtherThanLoopbackIsDroppedWithAWarning) {
  Export e = exported("services:\n  web:\n    image: x\n    restart: always\n"
                      "    ports: [\"10.0.0.5:80:80\"]\n");
  EXPECT_NE(find(e, "Service", "web-published"), nullptr);
  EXPECT_TRUE(warned(e, "services.web.ports[0]", "host_ip 10.0.0.5 dropped"));
}

TEST(KubeServices, NetworkAliasBecomesAServiceWithAWarning) {
  Export e = exported("services:\n  api:\n    image: x\n    restart: always\n    expose: [\"80\"]\n"
                      "    networks: {front: {aliases: [backend]}}\nnetworks:\n  front:\n");
  const json& alias = object(e, "Service", "backend");
  EXPECT_EQ(alias["spec"]["ports"][0]["port"], 80);
  EXPECT_TRUE(warned(e, "services.api.networks.front.aliases", "every network"));
}

}  // namespace
}  // namespace stack::kube::testing
