// `extends` through spec::load: same-file and other-file bases, compose's merge rules, chains,
// cycles, relative paths of another file's base, and errors that name the extended definition.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/serialize.hpp"
#include "unit/spec/load_fixture.hpp"

namespace stack::spec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace stack::spec::testing;

class Extends : public LoadTest {};

TEST_F(Extends, SameFileBaseMergedWithTheOverrideRules) {
  write("stack.yaml",
        "services:\n"
        "  base:\n    image: busybox\n    command: [sleep, '1']\n"
        "    environment: {A: '1', B: '2'}\n    ports: ['8080']\n    volumes: ['a:/data']\n"
        "  web:\n    extends: base\n    command: [sleep, '2']\n    environment: [B=3, C=4]\n"
        "    ports: ['81:81']\n    volumes: ['b:/data/']\n"
        "volumes: {a: {}, b: {}}\n");
  LoadOutcome o = load_files({"stack.yaml"});
  ASSERT_TRUE(o.stack) << o.diagnostics.format();
  const Service& web = service(o, "web");
  EXPECT_EQ(web.image, "busybox");
  EXPECT_THAT(*web.command, ElementsAre("sleep", "2"));  // replaced, not appended
  EXPECT_EQ(web.environment, (std::map<std::string, std::string>{{"A", "1"}, {"B", "3"}, {"C", "4"}}));
  ASSERT_EQ(web.ports.size(), 2u);
  ASSERT_EQ(web.mounts.size(), 1u);  // merged by container path
  EXPECT_EQ(web.mounts[0].source, "b");
  // the base itself is still a service of its own
  EXPECT_THAT(*service(o, "base").command, ElementsAre("sleep", "1"));
}

TEST_F(Extends, ChainsAndBasesInOtherFilesWithTheirRelativePaths) {
  write("stack.yaml",
        "services:\n  web:\n    extends: {file: common/base.yaml, service: app}\n    hostname: web\n");
  write("common/base.yaml",
        "services:\n  root:\n    image: busybox:${TAG:-1}\n    env_file: app.env\n"
        "  app:\n    extends: {service: root}\n    volumes: ['./conf:/etc/app:ro']\n");
  write("common/app.env", "FROM_FILE=yes\n");
  LoadOutcome o = load_files({"stack.yaml"});
  ASSERT_TRUE(o.stack) << o.diagnostics.format();
  const Service& web = service(o, "web");
  EXPECT_EQ(web.image, "busybox:1");
  EXPECT_EQ(web.hostname, "web");
  EXPECT_EQ(web.environment.at("FROM_FILE"), "yes");
  ASSERT_EQ(web.mounts.size(), 1u);
  EXPECT_EQ(web.mounts[0].source, path("common/conf"));
  EXPECT_EQ(o.stack->services.size(), 1u);  // only the extended definition, not the file's services
}

TEST_F(Extends, CyclesAreReportedAtTheExtendsKey) {
  write("stack.yaml",
        "services:\n  a:\n    image: x\n    extends: b\n  b:\n    extends: c\n  c:\n    extends: a\n");
  LoadOutcome o = load_files({"stack.yaml"});
  EXPECT_FALSE(o.stack);
  // one error for the cycle, not one per service in it
  EXPECT_EQ(o.diagnostics.format(),
            path("stack.yaml") +
                ":4:5: services.a.extends: circular reference: 'a' extends 'b' extends 'c' extends 'a'");
}

TEST_F(Extends, CycleAcrossFilesNamesTheFiles) {
  write("stack.yaml", "services:\n  a:\n    extends: {file: other.yaml, service: b}\n");
  write("other.yaml", "services:\n  b:\n    extends: {file: stack.yaml, service: a}\n");
  LoadOutcome o = load_files({"stack.yaml"});
  EXPECT_THAT(o.diagnostics.format(),
              HasSubstr("circular reference: 'a' in stack.yaml extends 'b' in other.yaml extends 'a' in stack.yaml"));
}

TEST_F(Extends, MissingBasesAndFilesAreOneLineAtTheirKey) {
  write("stack.yaml",
        "services:\n  a:\n    extends: nothere\n"
        "  b:\n    extends: {file: base.yaml, service: nothere}\n"
        "  c:\n    extends: {file: missing.yaml, service: x}\n"
        "  d:\n    extends: {file: base.yaml}\n");
  write("base.yaml", "services:\n  x: {image: y}\n");
  LoadOutcome o = load_files({"stack.yaml"});
  EXPECT_FALSE(o.stack);
  std::string f = path("stack.yaml");
  EXPECT_EQ(o.diagnostics.format(),
            f + ":3:14: services.a.extends: service 'nothere' not found\n" +
            f + ":5:41: services.b.extends: service 'nothere' not found in 'base.yaml'\n" +
            f + ":7:21: services.c.extends.file: '" + path("missing.yaml") +
                "': cannot read stack file: No such file or directory\n" +
            f + ":9:14: services.d.extends: missing 'service'");
}

TEST_F(Extends, AnErrorInAnInheritedKeyNamesTheExtendedDefinition) {
  write("stack.yaml", "services:\n  web:\n    extends: {file: base.yaml, service: app}\n");
  write("base.yaml", "services:\n  app:\n    image: x\n    ports: ['99999:80']\n");
  LoadOutcome o = load_files({"stack.yaml"});
  EXPECT_FALSE(o.stack);
  EXPECT_THAT(o.diagnostics.format(), HasSubstr(path("base.yaml") + ":4:13: services.web.ports[0]"));
}

TEST_F(Extends, ARefusedKeyInTheBaseGivesNoFollowOnErrors) {
  write("stack.yaml", "services:\n  web:\n    extends: app\n  app:\n    cgroup_parent: x\n");
  LoadOutcome o = load_files({"stack.yaml"});
  EXPECT_EQ(o.diagnostics.format(),
            path("stack.yaml") + ":5:5: services.web.cgroup_parent: not supported yet: containers live under the project's cgroup (stack/<project>)\n" +
                path("stack.yaml") + ":5:5: services.app.cgroup_parent: not supported yet: containers live under the project's cgroup (stack/<project>)");
}

}  // namespace
}  // namespace stack::spec
