// links: read, checked at their items, implied as dependencies (as compose-go normalises them),
// validated against the services, and printed; external_links likewise, without dependencies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/serialize.hpp"
#include "spec/validate.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using namespace stack::spec::testing;

TEST(Links, ServiceAndAliasAndTheImpliedDependency) {
  auto o = run("services:\n"
               "  a:\n"
               "    image: x\n"
               "    links: [db, \"cache:kv\"]\n"
               "    depends_on:\n"
               "      cache: {condition: service_healthy}\n"
               "  db:\n    image: x\n"
               "  cache:\n    image: x\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const Service& a = o.service();
  ASSERT_EQ(a.links.size(), 2u);
  EXPECT_EQ(a.links[0].service, "db");
  EXPECT_EQ(a.links[0].alias, "db");
  EXPECT_EQ(a.links[1].service, "cache");
  EXPECT_EQ(a.links[1].alias, "kv");
  ASSERT_EQ(a.depends_on.size(), 2u);
  EXPECT_EQ(a.depends_on[0].service, "cache");
  EXPECT_EQ(a.depends_on[0].condition, Condition::service_healthy);  // the written one wins
  EXPECT_EQ(a.depends_on[1].service, "db");
  EXPECT_EQ(a.depends_on[1].condition, Condition::service_started);
  EXPECT_TRUE(a.depends_on[1].required);
  EXPECT_TRUE(a.depends_on[1].restart);
  EXPECT_EQ(to_json(a)["links"], nlohmann::json({"db", "cache:kv"}));
}

TEST(Links, BadLinksAreRefusedAtTheirItem) {
  auto o = run_service("    links:\n"
                       "      - \"db:\"\n"
                       "      - a\n"
                       "      - \"db:x\"\n"
                       "      - \"cache:x\"\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:9: services.a.links[0]: 'db:' is not a link (SERVICE or SERVICE:ALIAS)\n"
            "stack.yaml:6:9: services.a.links[1]: a service cannot link to itself\n"
            "stack.yaml:8:9: services.a.links[3]: the alias 'x' is given twice");
}

TEST(Links, AnUnknownLinkedServiceIsNamedAtTheLink) {
  auto o = run("services:\n  a:\n    image: x\n    links: [\"dbb:database\"]\n  db:\n    image: x\n");
  ASSERT_TRUE(o.stack) << o.errors();
  validate(*o.stack, o.diags);
  EXPECT_EQ(o.errors(), "stack.yaml:4:13: services.a.links[0]: unknown service 'dbb' (did you mean 'db'?)");
}

TEST(ExternalLinks, ContainerAndAliasWithoutADependency) {
  auto o = run_service("    external_links: [redis_1, \"project_db_1:mysql\"]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const Service& a = o.service();
  ASSERT_EQ(a.external_links.size(), 2u);
  EXPECT_EQ(a.external_links[0].container, "redis_1");
  EXPECT_EQ(a.external_links[0].alias, "redis_1");
  EXPECT_EQ(a.external_links[1].container, "project_db_1");
  EXPECT_EQ(a.external_links[1].alias, "mysql");
  EXPECT_TRUE(a.depends_on.empty());  // another project's container is not this stack's to start
  EXPECT_EQ(to_json(a)["external_links"], nlohmann::json({"redis_1", "project_db_1:mysql"}));
}

TEST(ExternalLinks, BadOnesAreRefusedAtTheirItem) {
  auto o = run_service("    external_links:\n"
                       "      - \":x\"\n"
                       "      - \"c1:x\"\n"
                       "      - \"c2:x\"\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:9: services.a.external_links[0]: ':x' is not an external link (CONTAINER or CONTAINER:ALIAS)\n"
            "stack.yaml:7:9: services.a.external_links[2]: the alias 'x' is given twice");
}

}  // namespace
}  // namespace stack::spec
