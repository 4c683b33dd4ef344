// Found while running public compose files: `config` output that reads back to the same model,
// warnings for unset variables, an empty platform, no follow-on errors, container paths cleaned
// and mounts on one path merged across files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/field_reader.hpp"
#include "spec/interpolate.hpp"
#include "spec/reader.hpp"
#include "spec/serialize.hpp"
#include "unit/spec/load_fixture.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace stack::spec::testing;

class ComposeFixes : public LoadTest {};

TEST_F(ComposeFixes, ConfigOutputEscapesDollarsAndReadsBackToTheSameModel) {
  write("stack.yaml",
        "services:\n  db:\n    image: postgres\n"
        "    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready -d $$POSTGRES_DB\"]\n"
        "    environment:\n      PRICE: \"5$$\"\n");
  LoadOutcome first = load_files({"stack.yaml"});
  ASSERT_TRUE(first.stack) << first.diagnostics.format();
  EXPECT_EQ(service(first, "db").healthcheck->test[1], "pg_isready -d $POSTGRES_DB");
  nlohmann::json printed = escape_dollars(to_json(*first.stack));
  EXPECT_EQ(printed["services"]["db"]["healthcheck"]["test"][1], "pg_isready -d $$POSTGRES_DB");
  EXPECT_EQ(printed["services"]["db"]["environment"]["PRICE"], "5$$");
  // JSON is YAML: the printed model, read back as a stack file, is the same model.
  write("again.yaml", printed.dump());
  LoadOutcome again = load_files({"again.yaml"});
  ASSERT_TRUE(again.stack) << again.diagnostics.format();
  EXPECT_EQ(to_json(*again.stack)["services"], to_json(*first.stack)["services"]);
  EXPECT_TRUE(again.diagnostics.warnings().empty());
}

TEST_F(ComposeFixes, UnsetVariableWithoutDefaultWarnsOncePerName) {
  write("stack.yaml",
        "services:\n  web:\n    image: \"nginx:${TAG}\"\n    command: [\"echo\", \"$TAG\", \"${OTHER:-x}\"]\n"
        "    environment:\n      SET: $SET\n");
  write("over.yaml", "services:\n  web:\n    hostname: \"h${TAG}\"\n");
  LoadOutcome o = load_files({"stack.yaml", "over.yaml"}, {{"SET", "1"}});
  ASSERT_TRUE(o.stack) << o.diagnostics.format();
  EXPECT_EQ(service(o, "web").image, "nginx:");
  ASSERT_EQ(o.diagnostics.warnings().size(), 1u);
  EXPECT_EQ(o.diagnostics.warnings()[0].format(),
            path("stack.yaml") +
                ":3:12: services.web.image: The TAG variable is not set. Defaulting to a blank string.");
}

TEST(ComposeFixesInterpolate, DefaultsAndAlternativesDoNotWarn) {
  std::vector<std::string> unset;
  std::string error;
  auto out = interpolate_string("${A:-a}${B-b}${C:+c}${D+d}$$E", {}, &error, &unset);
  ASSERT_TRUE(out) << error;
  EXPECT_EQ(*out, "ab$E");
  EXPECT_TRUE(unset.empty());
  out = interpolate_string("$A-${B}-${A}", {{"B", ""}}, &error, &unset);
  EXPECT_THAT(unset, ElementsAre("A", "A"));  // B is set, though empty
}

TEST(ComposeFixesPlatform, EmptyIsNoPlatformHostsOwnIsKeptOthersRefused) {
  auto empty = run_service("    platform: \"\"\n");
  ASSERT_TRUE(empty.stack) << empty.errors();
  EXPECT_EQ(empty.service().platform, "");
#if defined(__x86_64__)
  auto own = run_service("    platform: Linux/AMD64\n");
  ASSERT_TRUE(own.stack) << own.errors();
  EXPECT_EQ(own.service().platform, "linux/amd64");
  EXPECT_EQ(to_json(own.service())["platform"], "linux/amd64");
  auto other = run_service("    platform: linux/arm64\n");
  EXPECT_EQ(other.errors(),
            "stack.yaml:4:15: services.a.platform: platform 'linux/arm64' cannot run on this host "
            "(linux/amd64): stack runs images of the host's platform only, without emulation");
#endif
}

TEST(ComposeFixesFollowOn, ARefusedKeyAloneIsReported) {
  auto o = run("services:\n  a:\n    cgroup_parent: b\n");
  EXPECT_EQ(o.errors(), "stack.yaml:3:5: services.a.cgroup_parent: not supported yet: containers live under the project's cgroup (stack/<project>)");
  auto missing = run("services:\n  a:\n    hostname: x\n");
  EXPECT_THAT(missing.errors(), HasSubstr("missing 'image'"));
}

TEST(ComposeFixesMounts, ContainerPathsAreCleaned) {
  auto o = run_service("    volumes:\n      - ./pihole:/etc/pihole/\n      - data:/var//lib/./db/\n"
                       "      - type: bind\n        source: /srv\n        target: /mnt/srv/\n"
                       "    tmpfs: [\"/run/\"]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const auto& m = o.service().mounts;
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].target, "/etc/pihole");
  EXPECT_EQ(m[1].target, "/var/lib/db");
  EXPECT_EQ(m[2].target, "/mnt/srv");
  EXPECT_EQ(m[3].target, "/run");
  EXPECT_EQ(clean_container_path("/"), "/");
}

TEST(ComposeFixesMounts, TwoMountsOnOnePathInOneFileAreAnError) {
  auto o = run_service("    volumes:\n      - a:/data\n      - b:/data/\n    tmpfs: /data\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:6:9: services.a.volumes[1]: target /data already mounted as services.a.volumes[0]\n"
            "stack.yaml:7:12: services.a.tmpfs: target /data already mounted as services.a.volumes[0]");
}

TEST_F(ComposeFixes, SameTargetMountsAreOneMountAcrossFiles) {
  write("stack.yaml", "services:\n  web:\n    image: x\n    volumes: [\"a:/data\", \"./logs:/logs\"]\n"
                      "volumes: {a: {}, b: {}, c: {}}\n");
  write("over.yaml", "services:\n  web:\n    volumes:\n      - b:/data/\n      - type: volume\n"
                     "        source: c\n        target: /logs/\n");
  LoadOutcome o = load_files({"stack.yaml", "over.yaml"});
  ASSERT_TRUE(o.stack) << o.diagnostics.format();
  const auto& m = service(o, "web").mounts;
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].source, "b");
  EXPECT_EQ(m[0].target, "/data");
  EXPECT_EQ(m[1].source, "c");
  EXPECT_EQ(m[1].target, "/logs");
}

}  // namespace
}  // namespace stack::spec
