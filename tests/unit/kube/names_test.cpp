// Names made valid (DNS-1123) with references rewritten; clashes and bad options are errors.
#include "kube_fixture.hpp"
#include "kube/names.hpp"

namespace stack::kube::testing {
namespace {

TEST(KubeNames, Rules) {
  EXPECT_TRUE(is_dns1123_label("web-1"));
  EXPECT_FALSE(is_dns1123_label("Web"));
  EXPECT_FALSE(is_dns1123_label("-web"));
  EXPECT_FALSE(is_dns1123_label(std::string(64, 'a')));
  EXPECT_TRUE(is_dns1035_label("web"));
  EXPECT_FALSE(is_dns1035_label("1web"));
  EXPECT_TRUE(is_port_name("tcp-8080"));
  EXPECT_FALSE(is_port_name("8080"));
  EXPECT_FALSE(is_port_name("a-very-long-name"));  // 16
  EXPECT_FALSE(is_port_name("a--b"));
  EXPECT_TRUE(is_qualified_name("app.kubernetes.io/name"));
  EXPECT_FALSE(is_qualified_name("bad key"));
  EXPECT_TRUE(is_label_value(""));
  EXPECT_FALSE(is_label_value("a b"));
}

TEST(KubeNames, Conversion) {
  EXPECT_EQ(to_dns_label("My_DB.main"), "my-db-main");
  EXPECT_EQ(to_dns_label("__x__"), "x");
  EXPECT_EQ(to_dns_label(std::string(70, 'a')).size(), 63u);
  EXPECT_EQ(to_dns_label("___"), "");
  EXPECT_EQ(to_label_value("_demo_"), "demo");
}

TEST(KubeNames, ServiceNameIsMadeValidEverywhereWithAWarning) {
  Export e = exported("services:\n  my_db:\n    image: pg\n    restart: always\n"
                      "  app:\n    image: x\n    restart: always\n    depends_on: [my_db]\n");
  EXPECT_NE(find(e, "Deployment", "my-db"), nullptr);
  EXPECT_NE(find(e, "Service", "my-db"), nullptr);
  EXPECT_EQ(pod(e, "Deployment", "app")["initContainers"][0]["name"], "wait-my-db");
  EXPECT_TRUE(warned(e, "services.my_db", "must use 'my-db'"));
}

TEST(KubeNames, NamesThatClashAreAnError) {
  auto result = generate(stack_of("services:\n  my_db:\n    image: a\n  my-db:\n    image: b\n"),
                         {}, FakeFiles{});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(), "services 'my-db' and 'my_db' both become 'my-db' in Kubernetes");
}

TEST(KubeNames, UnknownServiceIsAnError) {
  Options options;
  options.services = {"nope"};
  auto result = generate(stack_of("services:\n  a:\n    image: x\n"), options, FakeFiles{});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(), "unknown service 'nope'");
}

TEST(KubeNames, InvalidNamespaceIsAnError) {
  Options options;
  options.namespace_name = "Bad_NS";
  auto result = generate(stack_of("services:\n  a:\n    image: x\n"), options, FakeFiles{});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("not a valid DNS-1123 label"), std::string::npos);
}

TEST(KubeNames, NamespaceIsSetOnEveryObject) {
  Options options;
  options.namespace_name = "shop";
  Export e = exported("services:\n  a:\n    image: x\n    restart: always\n    expose: [\"80\"]\n", options);
  for (const Object& o : e.objects) EXPECT_EQ(o.body["metadata"]["namespace"], "shop") << o.name;
}

TEST(KubeNames, ServiceStartingWithADigitGetsALetter) {
  Export e = exported("services:\n  1web:\n    image: x\n    restart: always\n    expose: [\"80\"]\n");
  EXPECT_NE(find(e, "Service", "s-1web"), nullptr);
}

}  // namespace
}  // namespace stack::kube::testing
