// volumes_from: read, checked at their items, implied as dependencies (as compose-go normalises
// them), validated against the services, and printed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/serialize.hpp"
#include "spec/validate.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using namespace stack::spec::testing;

TEST(VolumesFrom, ServiceModesAndTheImpliedDependency) {
  auto o = run("services:\n"
               "  a:\n"
               "    image: x\n"
               "    volumes_from: [data, \"logs:ro\", \"cache:rw\"]\n"
               "  data:\n    image: x\n"
               "  logs:\n    image: x\n"
               "  cache:\n    image: x\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const Service& a = o.service();
  ASSERT_EQ(a.volumes_from.size(), 3u);
  EXPECT_EQ(a.volumes_from[0].service, "data");
  EXPECT_EQ(a.volumes_from[0].read_only, std::nullopt);
  EXPECT_EQ(a.volumes_from[1].read_only, true);
  EXPECT_EQ(a.volumes_from[2].read_only, false);
  ASSERT_EQ(a.depends_on.size(), 3u);
  EXPECT_EQ(a.depends_on[0].service, "cache");
  EXPECT_EQ(a.depends_on[0].condition, Condition::service_started);
  EXPECT_FALSE(a.depends_on[0].restart);
  EXPECT_EQ(to_json(a)["volumes_from"], nlohmann::json({"data", "logs:ro", "cache:rw"}));
}

TEST(VolumesFrom, BadEntriesAreRefusedAtTheirItem) {
  auto o = run_service("    volumes_from:\n"
                       "      - \"container:\"\n"
                       "      - \"data:rx\"\n"
                       "      - a\n"
                       "      - \"container:old:rx\"\n");
  const std::string shape = "is not SERVICE or container:NAME, optionally followed by :ro or :rw";
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:9: services.a.volumes_from[0]: 'container:' " + shape + "\n"
            "stack.yaml:6:9: services.a.volumes_from[1]: 'data:rx' " + shape + "\n"
            "stack.yaml:7:9: services.a.volumes_from[2]: a service cannot take its own volumes\n"
            "stack.yaml:8:9: services.a.volumes_from[3]: 'container:old:rx' " + shape);
}

// A container outside the project: no dependency (there is no service to wait for), and `config`
// prints it back as written.
TEST(VolumesFrom, AContainerOfAnotherProjectIsNamedNotDependedOn) {
  auto o = run_service("    volumes_from: [\"container:backup-data-1:ro\", \"container:a\"]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  validate(*o.stack, o.diags);
  EXPECT_EQ(o.errors(), "");
  const Service& a = o.service();
  ASSERT_EQ(a.volumes_from.size(), 2u);
  EXPECT_EQ(a.volumes_from[0].container, "backup-data-1");
  EXPECT_EQ(a.volumes_from[0].service, "");
  EXPECT_EQ(a.volumes_from[0].read_only, true);
  EXPECT_EQ(a.volumes_from[1].container, "a");  // a container may share the service's name
  EXPECT_TRUE(a.depends_on.empty());
  EXPECT_EQ(to_json(a)["volumes_from"], nlohmann::json({"container:backup-data-1:ro", "container:a"}));
}

TEST(VolumesFrom, AnUnknownServiceIsNamedAtTheItem) {
  auto o = run("services:\n  a:\n    image: x\n    volumes_from: [dat]\n  data:\n    image: x\n");
  ASSERT_TRUE(o.stack) << o.errors();
  validate(*o.stack, o.diags);
  EXPECT_EQ(o.errors(), "stack.yaml:4:20: services.a.volumes_from[0]: unknown service 'dat' (did you mean 'data'?)");
}

// volume.subpath (in this file for want of a mounts test of the long syntax's options).
TEST(VolumeSubpath, ARelativePathInsideTheVolume) {
  auto o = run_service("    volumes:\n"
                       "      - {type: volume, source: v, target: /a, volume: {subpath: logs/app/}}\n"
                       "      - {type: volume, source: v, target: /b, volume: {subpath: ../up}}\n"
                       "      - {type: volume, source: v, target: /c, volume: {subpath: /abs}}\n"
                       "volumes:\n  v:\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:6:65: services.a.volumes[1].volume.subpath: '../up' is not a relative path inside the volume\n"
            "stack.yaml:7:65: services.a.volumes[2].volume.subpath: '/abs' is not a relative path inside the volume");
  auto ok = run_service("    volumes:\n      - {type: volume, source: v, target: /a, volume: {subpath: logs/app/}}\n"
                        "volumes:\n  v:\n");
  ASSERT_TRUE(ok.stack) << ok.errors();
  EXPECT_EQ(ok.service().mounts[0].subpath, "logs/app");
  EXPECT_EQ(to_json(ok.service())["volumes"][0]["volume"], nlohmann::json({{"subpath", "logs/app"}}));
}

TEST(ImageMount, AnImageReferenceMountedReadOnlyWithASubpath) {
  auto ok = run_service("    volumes:\n      - {type: image, source: \"alpine:3\", target: /tools/, image: {subpath: usr/bin/}}\n");
  ASSERT_TRUE(ok.stack) << ok.errors();
  const Mount& m = ok.service().mounts[0];
  EXPECT_EQ(m.type, MountType::image);
  EXPECT_EQ(m.source, "alpine:3");
  EXPECT_EQ(m.target, "/tools");
  EXPECT_EQ(m.subpath, "usr/bin");
  EXPECT_TRUE(m.read_only) << "an image mount is always read-only";
  EXPECT_EQ(to_json(ok.service())["volumes"][0],
            nlohmann::json({{"type", "image"}, {"source", "alpine:3"}, {"target", "/tools"}, {"read_only", true},
                            {"image", {{"subpath", "usr/bin"}}}}));
  auto bad = run_service("    volumes:\n"
                         "      - {type: image, target: /a}\n"
                         "      - {type: image, source: x, target: /b, read_only: false}\n"
                         "      - {type: image, source: x, target: /c, image: {subpath: ../up}}\n"
                         "      - {type: volume, source: v, target: /d, image: {subpath: a}}\n"
                         "volumes:\n  v:\n");
  EXPECT_EQ(bad.errors(),
            "stack.yaml:5:9: services.a.volumes[0]: an image mount needs a 'source' (an image reference)\n"
            "stack.yaml:6:57: services.a.volumes[1].read_only: an image mount is read-only\n"
            "stack.yaml:7:63: services.a.volumes[2].image.subpath: '../up' is not a relative path inside the image\n"
            "stack.yaml:8:54: services.a.volumes[3].image: does not apply to a 'volume' mount");
}

}  // namespace
}  // namespace stack::spec
