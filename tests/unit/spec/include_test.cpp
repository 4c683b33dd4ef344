// `include` through spec::load: string and long forms, project directories and env files,
// relative paths, includes inside includes, local definitions over included ones, cycles.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/spec/load_fixture.hpp"

namespace stack::spec {
namespace {

using ::testing::HasSubstr;
using namespace stack::spec::testing;

class Include : public LoadTest {};

TEST_F(Include, StringFormBringsServicesNetworksAndVolumesWithTheirPaths) {
  write("stack.yaml", "include:\n  - db/compose.yaml\nservices:\n  web:\n    image: x\n    depends_on: [db]\n");
  write("db/compose.yaml",
        "services:\n  db:\n    image: postgres:${PG:-16}\n    volumes: ['./init:/docker-entrypoint-initdb.d', 'pg:/var/lib/postgresql/data']\n"
        "    networks: [back]\nnetworks:\n  back: {}\nvolumes:\n  pg: {}\n");
  write("db/.env", "PG=15\n");
  LoadOutcome o = load_files({"stack.yaml"});
  ASSERT_TRUE(o.stack) << o.diagnostics.format();
  const Service& db = service(o, "db");
  EXPECT_EQ(db.image, "postgres:15");  // the included project's own .env
  ASSERT_EQ(db.mounts.size(), 2u);
  EXPECT_EQ(db.mounts[0].source, path("db/init"));
  EXPECT_NE(o.stack->find_network("back"), nullptr);
  ASSERT_NE(o.stack->find_volume("pg"), nullptr);
  EXPECT_EQ(o.stack->find_volume("pg")->name, "demo_pg");  // the including project's name
}

TEST_F(Include, LongFormWithProjectDirectoryEnvFileAndSeveralFiles) {
  write("stack.yaml",
        "include:\n  - path: [mods/app.yaml, mods/app.override.yaml]\n    project_directory: mods/root\n"
        "    env_file: [vars.env]\n");
  write("mods/app.yaml", "services:\n  app:\n    image: app:${V}\n    env_file: app.env\n");
  write("mods/app.override.yaml", "services:\n  app:\n    hostname: ${H}\n");
  write("mods/root/app.env", "IN=root\n");
  write("vars.env", "V=2\nH=from-file\n");
  LoadOutcome o = load_files({"stack.yaml"}, {{"H", "from-shell"}});
  ASSERT_TRUE(o.stack) << o.diagnostics.format();
  const Service& app = service(o, "app");
  EXPECT_EQ(app.image, "app:2");
  EXPECT_EQ(app.hostname, "from-shell");  // the including environment wins over the env file
  EXPECT_EQ(app.environment.at("IN"), "root");  // relative to project_directory
}

TEST_F(Include, LocalDefinitionIsMergedOverTheIncludedOne) {
  write("stack.yaml",
        "include: [inc.yaml]\nservices:\n  db:\n    environment: {B: local}\n");
  write("inc.yaml", "services:\n  db:\n    image: db\n    environment: {A: inc, B: inc}\n");
  LoadOutcome o = load_files({"stack.yaml"});
  ASSERT_TRUE(o.stack) << o.diagnostics.format();
  EXPECT_EQ(service(o, "db").image, "db");
  EXPECT_EQ(service(o, "db").environment,
            (std::map<std::string, std::string>{{"A", "inc"}, {"B", "local"}}));
}

TEST_F(Include, IncludedServicesCanBeExtendedAndIncludeNests) {
  write("stack.yaml", "include: [a/a.yaml]\nservices:\n  web:\n    extends: b\n    hostname: w\n");
  write("a/a.yaml", "include: [../b/b.yaml]\nservices:\n  a: {image: a}\n");
  write("b/b.yaml", "services:\n  b: {image: b}\n");
  LoadOutcome o = load_files({"stack.yaml"});
  ASSERT_TRUE(o.stack) << o.diagnostics.format();
  EXPECT_EQ(service(o, "web").image, "b");
  EXPECT_EQ(o.stack->services.size(), 3u);
}

TEST_F(Include, CyclesAndMissingFilesAreOneLineAtTheEntry) {
  write("stack.yaml", "include:\n  - one.yaml\n  - nothere.yaml\n  - {project_directory: x}\nservices: {}\n");
  write("one.yaml", "include: [two.yaml]\n");
  write("two.yaml", "include: [one.yaml]\n");
  LoadOutcome o = load_files({"stack.yaml"});
  EXPECT_FALSE(o.stack);
  EXPECT_EQ(o.diagnostics.format(),
            path("two.yaml") + ":1:11: include[0]: include cycle: stack.yaml includes one.yaml "
                               "includes two.yaml includes one.yaml\n" +
            path("stack.yaml") + ":3:5: include[1]: '" + path("nothere.yaml") +
                "': cannot read stack file: No such file or directory\n" +
            path("stack.yaml") + ":4:5: include[2]: missing 'path'");
}

TEST_F(Include, MissingEnvFileNamesTheIncludeLine) {
  write("stack.yaml", "include:\n  - path: inc.yaml\n    env_file: none.env\n");
  write("inc.yaml", "services:\n  a: {image: a}\n");
  LoadOutcome o = load_files({"stack.yaml"});
  EXPECT_EQ(o.diagnostics.format(), path("stack.yaml") + ":2:5: include[0]: env file '" +
                                        path("none.env") + "': No such file or directory");
}

}  // namespace
}  // namespace stack::spec
