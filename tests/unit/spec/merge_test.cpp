#include "spec/merge.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/reader.hpp"

namespace stack::spec {
namespace {

Node read(std::string_view yaml, const std::string& file) {
  Diagnostics diags;
  auto node = read_yaml(yaml, file, diags);
  EXPECT_TRUE(node.has_value()) << diags.format();
  return node.value_or(Node{});
}

// A compact flow rendering, for comparing whole subtrees in one assertion.
std::string show(const Node& node) {
  switch (node.kind) {
    case Node::Kind::null:
      return "~";
    case Node::Kind::scalar:
      return node.scalar;
    case Node::Kind::sequence: {
      std::string out = "[";
      for (const auto& item : node.items) out += (out.size() > 1 ? ", " : "") + show(item);
      return out + "]";
    }
    case Node::Kind::mapping: {
      std::string out = "{";
      for (const auto& [k, v] : node.entries)
        out += (out.size() > 1 ? ", " : "") + k.scalar + ": " + show(v);
      return out + "}";
    }
  }
  return "?";
}

// Merges two files that each define service "web" and returns the merged web.
Node merge_web(std::string_view base_web, std::string_view over_web) {
  Node base = read("services:\n  web:\n" + std::string(base_web), "base.yaml");
  Node over = read("services:\n  web:\n" + std::string(over_web), "override.yaml");
  Node merged = merge_stack_files(std::move(base), over);
  const Node* web = merged.find("services") ? merged.find("services")->find("web") : nullptr;
  EXPECT_NE(web, nullptr);
  return web ? *web : Node{};
}

std::string merged_key(std::string_view base_web, std::string_view over_web,
                       std::string_view key) {
  Node web = merge_web(base_web, over_web);
  const Node* value = web.find(key);
  return value ? show(*value) : "<absent>";
}

TEST(MergeTest, MappingsMergeRecursivelyAndScalarsReplace) {
  Node web = merge_web("    image: nginx:1\n    restart: always\n    healthcheck:\n"
                       "      interval: 10s\n      retries: 3\n",
                       "    image: nginx:2\n    healthcheck:\n      retries: 5\n"
                       "    user: app\n");
  EXPECT_EQ(show(web), "{image: nginx:2, restart: always, healthcheck: {interval: 10s, "
                       "retries: 5}, user: app}");
}

TEST(MergeTest, NewServicesAndTopLevelSectionsAreAdded) {
  Node base = read("services:\n  web:\n    image: a\n", "base.yaml");
  Node over = read("services:\n  db:\n    image: pg\nvolumes:\n  data: {}\nname: demo\n",
                   "override.yaml");
  Node merged = merge_stack_files(std::move(base), over);
  EXPECT_EQ(show(merged),
            "{services: {web: {image: a}, db: {image: pg}}, volumes: {data: {}}, name: demo}");
}

TEST(MergeTest, CommandEntrypointHealthcheckTestAndProfilesAreReplaced) {
  EXPECT_EQ(merged_key("    command: [a, b]\n", "    command: [c]\n", "command"), "[c]");
  EXPECT_EQ(merged_key("    command: [a, b]\n", "    command: run it\n", "command"), "run it");
  EXPECT_EQ(merged_key("    entrypoint: [sh, -c]\n", "    entrypoint: [bash]\n", "entrypoint"),
            "[bash]");
  EXPECT_EQ(merged_key("    profiles: [debug]\n", "    profiles: [test]\n", "profiles"),
            "[test]");
  Node web = merge_web("    healthcheck:\n      test: [CMD, a]\n      interval: 5s\n",
                       "    healthcheck:\n      test: [CMD, b]\n");
  EXPECT_EQ(show(*web.find("healthcheck")), "{test: [CMD, b], interval: 5s}");
}

// develop.watch has no rule of its own in compose-go (override/merge.go, uncity.go): its rules are
// a plain sequence, appended in file order with no de-duplication, and a rule is never merged
// with another on the same path.
TEST(MergeTest, DevelopWatchRulesAreAppendedAsComposeDoes) {
  Node web = merge_web("    develop:\n      watch:\n        - {path: ./src, action: sync, target: /app}\n",
                       "    develop:\n      watch:\n        - {path: ./src, action: rebuild}\n"
                       "        - {path: ./conf, action: sync+restart, target: /etc/app}\n");
  EXPECT_EQ(show(*web.find("develop")),
            "{watch: [{path: ./src, action: sync, target: /app}, {path: ./src, action: rebuild}, "
            "{path: ./conf, action: sync+restart, target: /etc/app}]}");
}

TEST(MergeTest, EnvironmentMergesByKeyInEveryForm) {
  // list + list, list + map, map + list, map + map: always a mapping, the override's value wins.
  EXPECT_EQ(merged_key("    environment: [A=1, B=2]\n", "    environment: [B=3, C=4]\n",
                       "environment"),
            "{A: 1, B: 3, C: 4}");
  EXPECT_EQ(merged_key("    environment: [A=1, B=2]\n", "    environment: {B: 3}\n",
                       "environment"),
            "{A: 1, B: 3}");
  EXPECT_EQ(merged_key("    environment: {A: 1, B: 2}\n", "    environment: [A=x=y, D]\n",
                       "environment"),
            "{A: x=y, B: 2, D: ~}");
  EXPECT_EQ(merged_key("    environment: {A: 1}\n", "    environment: {A: 2, E: ''}\n",
                       "environment"),
            "{A: 2, E: }");
}

TEST(MergeTest, ConvertedListValuesAreStrings) {
  Node web = merge_web("    environment: [A=1]\n", "    environment: [B=]\n");
  const Node* env = web.find("environment");
  EXPECT_TRUE(env->find("A")->quoted);
  ASSERT_TRUE(env->find("B")->is_scalar());
  EXPECT_EQ(env->find("B")->scalar, "");
}

TEST(MergeTest, LabelsSysctlsDeployLabelsAndBuildArgsMergeByKey) {
  EXPECT_EQ(merged_key("    labels: [a=1]\n", "    labels: {b: 2}\n", "labels"), "{a: 1, b: 2}");
  EXPECT_EQ(merged_key("    sysctls: [net.core.somaxconn=1024]\n",
                       "    sysctls: [net.core.somaxconn=4096, net.ipv4.tcp_syncookies=0]\n",
                       "sysctls"),
            "{net.core.somaxconn: 4096, net.ipv4.tcp_syncookies: 0}");
  EXPECT_EQ(merged_key("    deploy:\n      labels: [x=1]\n      replicas: 1\n",
                       "    deploy:\n      labels: [x=2]\n", "deploy"),
            "{labels: {x: 2}, replicas: 1}");
  EXPECT_EQ(merged_key("    build:\n      context: .\n      args: [V=1, W]\n",
                       "    build:\n      args: {V: 2}\n", "build"),
            "{context: ., args: {V: 2, W: ~}}");
}

TEST(MergeTest, ExtraHostsMergeByHostInEitherSeparator) {
  EXPECT_EQ(merged_key("    extra_hosts: [\"a:10.0.0.1\", \"v6=::1\"]\n",
                       "    extra_hosts: [\"a=10.0.0.2\", \"b:::2\"]\n", "extra_hosts"),
            "{a: 10.0.0.2, v6: ::1, b: ::2}");
}

TEST(MergeTest, BuildStringIsContext) {
  EXPECT_EQ(merged_key("    build: ./app\n", "    build:\n      dockerfile: Dev\n", "build"),
            "{context: ./app, dockerfile: Dev}");
  EXPECT_EQ(merged_key("    build:\n      context: a\n      target: t\n", "    build: ./b\n",
                       "build"),
            "{context: ./b, target: t}");
}

TEST(MergeTest, PortsAppendWithoutExactDuplicates) {
  EXPECT_EQ(merged_key("    ports: [\"80:80\", \"443:443\"]\n",
                       "    ports: [\"443:443\", \"8080:80\"]\n", "ports"),
            "[80:80, 443:443, 8080:80]");
  EXPECT_EQ(merged_key("    ports:\n      - target: 80\n        published: 8080\n",
                       "    ports:\n      - target: 80\n        published: 8080\n"
                       "      - target: 81\n",
                       "ports"),
            "[{target: 80, published: 8080}, {target: 81}]");
}

TEST(MergeTest, VolumesMergeByTargetPath) {
  EXPECT_EQ(merged_key("    volumes: [\"./a:/data\", \"logs:/var/log:ro\", /cache]\n",
                       "    volumes: [\"./b:/data:rw\", \"/cache\", \"x:/new\"]\n", "volumes"),
            "[./b:/data:rw, logs:/var/log:ro, /cache, x:/new]");
}

TEST(MergeTest, VolumesLongAndShortSyntaxShareTheTarget) {
  EXPECT_EQ(merged_key("    volumes:\n      - ./a:/data\n      - type: volume\n"
                       "        source: logs\n        target: /logs\n",
                       "    volumes:\n      - type: bind\n        source: ./b\n"
                       "        target: /data\n      - other:/logs\n",
                       "volumes"),
            "[{type: bind, source: ./b, target: /data}, other:/logs]");
}

TEST(MergeTest, DependsOnMergesByNameAndListBecomesStartedCondition) {
  EXPECT_EQ(merged_key("    depends_on: [db, cache]\n",
                       "    depends_on:\n      db:\n        condition: service_healthy\n"
                       "      queue:\n        condition: service_started\n",
                       "depends_on"),
            "{db: {condition: service_healthy, required: true}, cache: {condition: "
            "service_started, required: true}, queue: {condition: service_started}}");
}

TEST(MergeTest, NetworksMergeByName) {
  EXPECT_EQ(merged_key("    networks:\n      front:\n        aliases: [a]\n      back:\n",
                       "    networks: [front, extra]\n", "networks"),
            "{front: {aliases: [a]}, back: ~, extra: ~}");
  EXPECT_EQ(merged_key("    networks: [front]\n",
                       "    networks:\n      front:\n        aliases: [b]\n", "networks"),
            "{front: {aliases: [b]}}");
  EXPECT_EQ(merged_key("    networks:\n      front:\n        aliases: [a]\n",
                       "    networks:\n      front:\n        aliases: [a, b]\n"
                       "        ipv4_address: 10.0.0.5\n",
                       "networks"),
            "{front: {aliases: [a, b], ipv4_address: 10.0.0.5}}");
}

TEST(MergeTest, SequencesAppendWithoutDuplicates) {
  EXPECT_EQ(merged_key("    cap_add: [NET_ADMIN]\n", "    cap_add: [SYS_TIME, NET_ADMIN]\n",
                       "cap_add"),
            "[NET_ADMIN, SYS_TIME]");
  EXPECT_EQ(merged_key("    cap_drop: [ALL]\n", "    cap_drop: [ALL]\n", "cap_drop"), "[ALL]");
  EXPECT_EQ(merged_key("    security_opt: [a]\n", "    security_opt: [b]\n", "security_opt"),
            "[a, b]");
  EXPECT_EQ(merged_key("    expose: [\"80\"]\n", "    expose: [\"80\", \"90\"]\n", "expose"),
            "[80, 90]");
  EXPECT_EQ(merged_key("    dns_search: [a.local]\n", "    dns_search: [b.local]\n",
                       "dns_search"),
            "[a.local, b.local]");
}

TEST(MergeTest, SingleStringListsBecomeLists) {
  EXPECT_EQ(merged_key("    dns: 8.8.8.8\n", "    dns: [1.1.1.1, 8.8.8.8]\n", "dns"),
            "[8.8.8.8, 1.1.1.1]");
  EXPECT_EQ(merged_key("    env_file: a.env\n", "    env_file: b.env\n", "env_file"),
            "[a.env, b.env]");
  EXPECT_EQ(merged_key("    tmpfs: [/run]\n", "    tmpfs: /tmp\n", "tmpfs"), "[/run, /tmp]");
}

TEST(MergeTest, UlimitsMergeByNameEachReplaced) {
  EXPECT_EQ(merged_key("    ulimits:\n      nproc: 65535\n      nofile:\n        soft: 1\n"
                       "        hard: 2\n",
                       "    ulimits:\n      nofile:\n        soft: 10\n      core: 0\n",
                       "ulimits"),
            "{nproc: 65535, nofile: {soft: 10}, core: 0}");
}

TEST(MergeTest, SecretsMergeByTarget) {
  EXPECT_EQ(merged_key("    secrets: [db_pw, api]\n",
                       "    secrets:\n      - source: other\n        target: db_pw\n"
                       "      - source: new\n        target: /run/secrets/api\n",
                       "secrets"),
            "[{source: other, target: db_pw}, {source: new, target: /run/secrets/api}]");
}

TEST(MergeTest, LoggingOptionsMergeOnlyForTheSameDriver) {
  EXPECT_EQ(merged_key("    logging:\n      driver: json-file\n      options: {max-size: 1m}\n",
                       "    logging:\n      options: {max-file: '3'}\n", "logging"),
            "{driver: json-file, options: {max-size: 1m, max-file: 3}}");
  EXPECT_EQ(merged_key("    logging:\n      driver: json-file\n      options: {max-size: 1m}\n",
                       "    logging:\n      driver: syslog\n", "logging"),
            "{driver: syslog}");
}

TEST(MergeTest, OtherTypeInOverrideReplaces) {
  EXPECT_EQ(merged_key("    cap_add: [A]\n", "    cap_add: B\n", "cap_add"), "B");
  EXPECT_EQ(merged_key("    healthcheck: {retries: 1}\n", "    healthcheck: off\n",
                       "healthcheck"),
            "off");
  EXPECT_EQ(merged_key("    environment: [A=1]\n", "    environment: oops\n", "environment"),
            "oops");
}

TEST(MergeTest, NullOverrideKeepsBase) {
  EXPECT_EQ(merged_key("    image: a\n", "    image:\n", "image"), "a");
  Node base = read("services:\n  web:\n    image: a\n", "base.yaml");
  EXPECT_EQ(show(merge_stack_files(base, Node{})), "{services: {web: {image: a}}}");
}

TEST(MergeTest, NullBaseTakesOverride) {
  EXPECT_EQ(merged_key("    environment:\n", "    environment: [A=1]\n", "environment"),
            "[A=1]");
}

TEST(MergeTest, ExtensionFieldsAreReplacedWhole) {
  Node base = read("x-common: {a: 1, b: 2}\nservices: {}\n", "base.yaml");
  Node over = read("x-common: {a: 3}\n", "override.yaml");
  EXPECT_EQ(show(merge_stack_files(base, over)), "{x-common: {a: 3}, services: {}}");
}

TEST(MergeTest, NetworkIpamConfigMergesBySubnet) {
  Node base = read("networks:\n  n:\n    ipam:\n      config:\n        - subnet: 10.1.0.0/24\n"
                   "          gateway: 10.1.0.1\n",
                   "base.yaml");
  Node over = read("networks:\n  n:\n    ipam:\n      config:\n        - subnet: 10.1.0.0/24\n"
                   "          ip_range: 10.1.0.128/25\n        - subnet: 10.2.0.0/24\n",
                   "override.yaml");
  Node merged = merge_stack_files(base, over);
  EXPECT_EQ(show(*merged.find("networks")->find("n")->find("ipam")->find("config")),
            "[{subnet: 10.1.0.0/24, gateway: 10.1.0.1, ip_range: 10.1.0.128/25}, "
            "{subnet: 10.2.0.0/24}]");
}

TEST(MergeTest, KeyedRulesOnlyApplyAtTheirPath) {
  // A top-level "environment" key is not a service's: it merges as a plain sequence.
  Node base = read("x:\n  environment: [A=1]\n", "base.yaml");
  Node over = read("x:\n  environment: [A=2]\n", "override.yaml");
  EXPECT_EQ(show(merge_stack_files(base, over)), "{x: {environment: [A=1, A=2]}}");
}

TEST(MergeTest, OverrideMarksPointAtTheOverrideFile) {
  Node web = merge_web("    image: a\n    environment: [A=1]\n    ports: [\"80:80\"]\n",
                       "    image: b\n    environment: [A=2]\n    ports: [\"90:90\"]\n");
  EXPECT_EQ(web.find("image")->mark.file_name(), "override.yaml");
  EXPECT_EQ(web.find("image")->mark.line, 3);
  EXPECT_EQ(web.find("environment")->find("A")->mark.file_name(), "override.yaml");
  const Node* ports = web.find("ports");
  EXPECT_EQ(ports->items[0].mark.file_name(), "base.yaml");
  EXPECT_EQ(ports->items[1].mark.file_name(), "override.yaml");
}

TEST(MergeTest, MergingAFileWithItselfIsStable) {
  Node file = read("services:\n  web:\n    image: a\n    ports: [\"80:80\"]\n"
                   "    environment: {A: 1}\n    depends_on: [db]\n    volumes: [\"d:/d\"]\n"
                   "  db:\n    image: pg\n",
                   "stack.yaml");
  Node once = merge_stack_files(file, file);
  Node twice = merge_stack_files(once, file);
  EXPECT_EQ(show(once), show(twice));
  EXPECT_EQ(show(*once.find("services")->find("web")->find("ports")), "[80:80]");
}

TEST(MergeTest, NonMappingFiles) {
  Node list = read("[1, 2]\n", "base.yaml");
  Node map = read("a: 1\n", "override.yaml");
  EXPECT_EQ(show(merge_stack_files(list, map)), "{a: 1}");
  EXPECT_EQ(show(merge_stack_files(map, list)), "[1, 2]");
}

TEST(MergeTest, LongListsStayFast) {
  std::string base = "    environment:\n", over = "    environment:\n";
  std::string ports = "    ports:\n";
  for (int i = 0; i < 20000; ++i) {
    base += "      - K" + std::to_string(i) + "=1\n";
    over += "      - K" + std::to_string(i * 2) + "=2\n";
    ports += "      - \"" + std::to_string(i) + ":80\"\n";
  }
  Node web = merge_web(base + ports, over + ports);
  EXPECT_EQ(web.find("environment")->entries.size(), 30000u);
  EXPECT_EQ(web.find("ports")->items.size(), 20000u);
}

}  // namespace
}  // namespace stack::spec
