// volumes: (short and long syntax) and tmpfs: on a service; top-level volumes:.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/normalize.hpp"
#include "spec/reader.hpp"
#include "spec/serialize.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using namespace stack::spec::testing;

TEST(NormalizeVolumes, ShortSyntax) {
  auto o = run_service("    volumes:\n      - data:/var/lib/data\n      - ./conf:/etc/app:ro,z\n"
                       "      - ~/cache:/cache:rshared\n      - /abs/../path:/p:rw\n      - /anon\n"
                       "      - data:/nc:nocopy\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const auto& m = o.service().mounts;
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m[0].type, MountType::volume);
  EXPECT_EQ(m[0].source, "data");
  EXPECT_EQ(m[0].target, "/var/lib/data");
  EXPECT_EQ(m[1].type, MountType::bind);
  EXPECT_EQ(m[1].source, "/srv/app/conf");
  EXPECT_TRUE(m[1].read_only);
  EXPECT_EQ(m[1].selinux, "z");
  EXPECT_TRUE(m[1].create_host_path);
  EXPECT_EQ(m[2].source, "/home/ann/cache");
  EXPECT_EQ(m[2].propagation, "rshared");
  EXPECT_EQ(m[3].source, "/path");
  EXPECT_FALSE(m[3].read_only);
  EXPECT_EQ(m[4].type, MountType::volume);
  EXPECT_EQ(m[4].source, "");
  EXPECT_EQ(m[4].target, "/anon");
  EXPECT_TRUE(m[5].nocopy);
}

TEST(NormalizeVolumes, ShortSyntaxErrors) {
  auto o = run_service("    volumes:\n      - a:b:c:d\n      - data:relative\n      - ./x:/y:bogus\n"
                       "      - data:/y:shared\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:9: services.a.volumes[0]: \"a:b:c:d\" is not a valid volume\n"
            "stack.yaml:6:9: services.a.volumes[1]: \"data:relative\" is not a valid volume: target must be an absolute path\n"
            "stack.yaml:7:9: services.a.volumes[2]: \"./x:/y:bogus\" is not a valid volume: unknown option 'bogus'\n"
            "stack.yaml:8:9: services.a.volumes[3]: \"data:/y:shared\" is not a valid volume: propagation and selinux options apply to host paths only");
}

TEST(NormalizeVolumes, LongSyntax) {
  auto o = run_service(
      "    volumes:\n"
      "      - type: bind\n        source: ./src\n        target: /src\n        read_only: true\n"
      "        bind: {propagation: rslave, create_host_path: true, selinux: Z}\n"
      "      - type: volume\n        source: data\n        target: /data\n        volume: {nocopy: true}\n"
      "      - type: tmpfs\n        target: /tmp\n        tmpfs: {size: 64m, mode: 1777}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const auto& m = o.service().mounts;
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].type, MountType::bind);
  EXPECT_EQ(m[0].source, "/srv/app/src");
  EXPECT_TRUE(m[0].read_only);
  EXPECT_EQ(m[0].propagation, "rslave");
  EXPECT_TRUE(m[0].create_host_path);
  EXPECT_EQ(m[0].selinux, "Z");
  EXPECT_EQ(m[1].type, MountType::volume);
  EXPECT_TRUE(m[1].nocopy);
  EXPECT_EQ(m[2].type, MountType::tmpfs);
  EXPECT_EQ(m[2].tmpfs_size, 64LL << 20);
  EXPECT_EQ(m[2].tmpfs_mode, 01777u);
}

TEST(NormalizeVolumes, LongSyntaxBindDoesNotCreateHostPathByDefault) {
  auto o = run_service("    volumes:\n      - {type: bind, source: /x, target: /y}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_FALSE(o.service().mounts[0].create_host_path);
}

TEST(NormalizeVolumes, LongSyntaxErrors) {
  auto o = run_service("    volumes:\n      - {type: nfs, target: /x}\n      - {type: bind, target: /x}\n"
                       "      - {type: volume, source: d, target: /x, bind: {selinux: z}}\n"
                       "      - {type: tmpfs, target: /t, tmpfs: {size: lots}}\n      - {source: d, target: /x}\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:16: services.a.volumes[0].type: unknown mount type 'nfs' (bind, volume, tmpfs or image)\n"
            "stack.yaml:6:9: services.a.volumes[1]: a bind mount needs a 'source'\n"
            "stack.yaml:7:53: services.a.volumes[2].bind: does not apply to a 'volume' mount\n"
            "stack.yaml:8:49: services.a.volumes[3].tmpfs.size: \"lots\" is not a valid size: expected a number\n"
            "stack.yaml:9:9: services.a.volumes[4]: missing 'type'");
}

TEST(NormalizeTmpfs, StringAndList) {
  auto o = run("services:\n  a:\n    image: x\n    tmpfs: /run\n"
               "  b:\n    image: x\n    volumes: [/v]\n    tmpfs: ['/tmp:size=100m,mode=0755', /cache]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  ASSERT_EQ(o.service("a").mounts.size(), 1u);
  EXPECT_EQ(o.service("a").mounts[0].type, MountType::tmpfs);
  EXPECT_EQ(o.service("a").mounts[0].target, "/run");
  const auto& m = o.service("b").mounts;
  ASSERT_EQ(m.size(), 3u);  // volumes first, then tmpfs
  EXPECT_EQ(m[0].target, "/v");
  EXPECT_EQ(m[1].target, "/tmp");
  EXPECT_EQ(m[1].tmpfs_size, 100LL << 20);
  EXPECT_EQ(m[1].tmpfs_mode, 0755u);
  EXPECT_EQ(m[2].target, "/cache");
}

TEST(NormalizeTmpfs, Errors) {
  auto o = run_service("    tmpfs: ['tmp', '/t:noexeq', '/u:mode=999', '/v:uid=ann']\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:4:13: services.a.tmpfs[0]: \"tmp\": target must be an absolute path\n"
            "stack.yaml:4:20: services.a.tmpfs[1]: 'noexeq' is not a tmpfs mount option\n"
            "stack.yaml:4:33: services.a.tmpfs[2]: \"999\" is not a valid octal mode\n"
            "stack.yaml:4:48: services.a.tmpfs[3]: tmpfs option 'uid=ann': uid must be a number");
}

// Mount options besides size= and mode=, as docker's --tmpfs takes them: kept in order (a later
// word wins when mounted), printed by `config` under tmpfs.options, which the long syntax reads back.
TEST(NormalizeTmpfs, MountOptionsAreKeptAndReadBack) {
  auto o = run_service("    tmpfs: ['/run:rw,exec,size=1m,uid=1000,nr_inodes=1k']\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const Mount& m = o.service().mounts.at(0);
  EXPECT_EQ(m.tmpfs_size, 1LL << 20);
  EXPECT_EQ(m.tmpfs_options, (std::vector<std::string>{"rw", "exec", "uid=1000", "nr_inodes=1k"}));
  auto long_form = run_service("    volumes:\n"
                               "      - {type: tmpfs, target: /run, tmpfs: {size: 1m, options: [rw, exec, uid=1000, nr_inodes=1k]}}\n");
  ASSERT_TRUE(long_form.stack) << long_form.errors();
  EXPECT_EQ(to_json(long_form.service())["volumes"], to_json(o.service())["volumes"]);
  EXPECT_EQ(to_json(o.service())["volumes"][0]["tmpfs"]["options"],
            nlohmann::json({"rw", "exec", "uid=1000", "nr_inodes=1k"}));
  auto bad = run_service("    volumes:\n      - {type: tmpfs, target: /run, tmpfs: {options: [shared]}}\n");
  EXPECT_EQ(bad.errors(), "stack.yaml:5:54: services.a.volumes[0].tmpfs.options: 'shared' is not a tmpfs mount option");
}

TEST(NormalizeTopLevelVolumes, NamesAndExternal) {
  auto o = run("services: {}\nvolumes:\n  data:\n  named: {name: real-name, labels: {a: b}}\n"
               "  ext: {external: true}\n  legacy: {external: {name: old}}\n  opts: {driver: local, driver_opts: {type: none}}\n"
               "  x-ignored: {}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const auto& v = o.stack->volumes;
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v[0].key, "data");
  EXPECT_EQ(v[0].name, "demo_data");
  EXPECT_EQ(v[0].location.mark.line, 3);
  EXPECT_EQ(v[1].key, "ext");
  EXPECT_TRUE(v[1].external);
  EXPECT_EQ(v[1].name, "ext");
  EXPECT_EQ(v[2].name, "old");
  EXPECT_TRUE(v[2].external);
  EXPECT_EQ(v[3].name, "real-name");
  EXPECT_EQ(v[3].labels.at("a"), "b");
  EXPECT_EQ(v[4].driver_opts.at("type"), "none");
}

TEST(NormalizeTopLevelVolumes, Errors) {
  auto o = run("services: {}\nvolumes:\n  a: {driver: nfs}\n  b: {external: true, driver: local}\n"
               "  c: {drivr: local}\n  d: [x]\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:3:15: volumes.a.driver: driver 'nfs' is not supported yet\n"
            "stack.yaml:4:23: volumes.b.driver: cannot be combined with 'external'\n"
            "stack.yaml:5:7: volumes.c: unknown key 'drivr' (did you mean 'driver'?)\n"
            "stack.yaml:6:6: volumes.d: expected a mapping, got a list");
}

}  // namespace
}  // namespace stack::spec
