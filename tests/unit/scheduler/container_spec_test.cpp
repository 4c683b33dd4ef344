#include "scheduler/container_spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/discovery.hpp"
#include "scheduler/project_state.hpp"

namespace stack::scheduler {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

spec::Service web() {
  spec::Service s;
  s.name = "web";
  s.image = "busybox";
  s.command = std::vector<std::string>{"httpd", "-f"};
  s.environment = {{"MODE", "prod"}};
  s.restart.kind = spec::RestartPolicy::Kind::on_failure;
  s.restart.max_retries = 3;
  s.resources.memory = 64 << 20;
  s.resources.cpus = 0.5;
  s.stop_grace_period = 2s;
  s.healthcheck = spec::Healthcheck{};
  s.healthcheck->test = {"CMD-SHELL", "nc -w 1 127.0.0.1 80"};
  s.healthcheck->interval = 1s;
  s.mounts.push_back({spec::MountType::volume, "site", "/srv", true});
  s.mounts.push_back({spec::MountType::volume, "", "/cache"});
  return s;
}

Placement placement() {
  Placement p;
  p.project = "demo";
  p.name = "demo-web-1";
  p.config_hash = "abc";
  p.image_ref = "busybox";
  p.layer_dirs = {"/layers/top", "/layers/bottom"};
  p.network = {runtime::NetworkMode::join, "/run/netns/demo-web-1"};
  p.etc_dir = "/etc-dir";
  p.volume_dirs = {{"site", "/vol/demo_site/_data"}};
  p.anonymous_volume_dirs = {{"/cache", "/vol/anon/_data"}};
  p.addresses = {{"demo_default", "10.0.0.2"}};
  p.ports = {{net::proxy::Protocol::tcp, "127.0.0.1", 8080, *util::Ipv4::parse("10.0.0.2"), 80}};
  return p;
}

TEST(ContainerSpec, TranslatesServiceImageAndPlacement) {
  image::ImageConfig img;
  img.entrypoint = {"/bin/entry"};
  img.env = {"PATH=/bin", "MODE=dev"};
  img.stop_signal = "SIGQUIT";
  auto config = make_shim_config(web(), image::combine(img, run_overrides(web())), placement());
  ASSERT_TRUE(config) << config.error().message();
  const auto& c = config->container;
  EXPECT_EQ(c.args, (std::vector<std::string>{"/bin/entry", "httpd", "-f"}));
  EXPECT_THAT(c.env, ::testing::Contains("MODE=prod"));
  EXPECT_THAT(c.env, ::testing::Not(::testing::Contains("MODE=dev")));
  EXPECT_EQ(c.rootfs.lower_layers, placement().layer_dirs);
  EXPECT_EQ(c.network.join_path, "/run/netns/demo-web-1");
  EXPECT_EQ(c.etc_files.hosts, "/etc-dir/hosts");
  EXPECT_EQ(c.hostname, "demo-web-1");
  ASSERT_EQ(c.mounts.size(), 2u);
  EXPECT_EQ(c.mounts[0].source, "/vol/demo_site/_data");
  EXPECT_TRUE(c.mounts[0].read_only);
  EXPECT_EQ(c.mounts[1].source, "/vol/anon/_data");
  EXPECT_EQ(config->cgroup_path, "stack/demo/demo-web-1");
  EXPECT_EQ(config->limits.memory_bytes, 64 << 20);
  EXPECT_EQ(config->limits.cpu_quota_us, 50000);
  EXPECT_EQ(config->restart.mode, runtime::shim::RestartMode::on_failure);
  EXPECT_EQ(config->restart.max_retries, 3);
  EXPECT_EQ(config->stop_signal, SIGQUIT);
  EXPECT_EQ(config->stop_grace_period, 2s);
  ASSERT_TRUE(config->healthcheck);
  EXPECT_EQ(config->healthcheck->kind, runtime::shim::HealthTestKind::cmd_shell);
  EXPECT_EQ(config->healthcheck->interval, 1s);
  EXPECT_EQ(config->healthcheck->retries, 3);  // docker's default
  EXPECT_EQ(config->ports, placement().ports);
  EXPECT_EQ(config->labels.at(kLabelProject), "demo");
  EXPECT_EQ(config->labels.at(kLabelService), "web");
  EXPECT_EQ(config->labels.at(kLabelConfigHash), "abc");
  EXPECT_EQ(config->labels.at(std::string(kLabelNetworkPrefix) + "demo_default"), "10.0.0.2");
}

TEST(ContainerSpec, DevicesOomScoreAndMemoryKnobsReachTheRuntime) {
  spec::Service s = web();
  s.device_cgroup_rules = {"c 189:* rwm"};
  s.oom_score_adj = -200;
  s.resources.memory_swappiness = 5;
  s.resources.oom_kill_disable = true;
  Placement p = placement();
  runtime::DeviceNode node;
  node.path = "/dev/xloop";
  node.type = "b";
  node.major = 7;
  node.access = "r";
  p.device_nodes = {node};
  auto config = make_shim_config(s, image::combine({}, run_overrides(s)), p);
  ASSERT_TRUE(config) << config.error().message();
  ASSERT_EQ(config->container.devices.size(), 1u);
  EXPECT_EQ(config->container.devices[0].path, "/dev/xloop");
  EXPECT_EQ(config->container.device_cgroup_rules, s.device_cgroup_rules);
  EXPECT_EQ(config->container.oom_score_adj, -200);
  EXPECT_EQ(config->limits.memory_swappiness, 5);
  EXPECT_TRUE(config->limits.oom_kill_disable);
}

TEST(ContainerSpec, NoCommandAnywhereIsAnError) {
  spec::Service s = web();
  s.command.reset();
  auto config = make_shim_config(s, image::combine({}, run_overrides(s)), placement());
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message(), HasSubstr("no command"));
}

TEST(ContainerSpec, DisabledHealthcheckAndUnknownSecurityOption) {
  spec::Service s = web();
  s.healthcheck->disable = true;
  auto config = make_shim_config(s, image::combine({}, run_overrides(s)), placement());
  ASSERT_TRUE(config);
  EXPECT_FALSE(config->healthcheck);
  // What the stack file admits is mapped; anything else is a broken promise of the model.
  s.security_opt = {"apparmor=unconfined", "label:disable", "no-new-privileges=f", "systempaths=unconfined",
                    "seccomp:unconfined"};
  auto mapped = make_shim_config(s, image::combine({}, run_overrides(s)), placement());
  ASSERT_TRUE(mapped) << mapped.error().message();
  EXPECT_FALSE(mapped->container.security.no_new_privileges);
  EXPECT_EQ(mapped->container.security.seccomp, runtime::SeccompMode::unconfined);
  EXPECT_TRUE(mapped->container.masked_paths.empty());
  EXPECT_TRUE(mapped->container.readonly_paths.empty());
  s.security_opt = {"apparmor=foo"};
  auto refused = make_shim_config(s, image::combine({}, run_overrides(s)), placement());
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message(), HasSubstr("apparmor=foo"));
}

Endpoint endpoint(const std::string& container, const std::string& service, const std::string& net,
                  const std::string& ip, std::vector<std::string> aliases = {}) {
  Endpoint e;
  e.container = container;
  e.service = service;
  e.hostname = container;
  e.networks[net] = {ip, std::move(aliases)};
  return e;
}

TEST(Discovery, HostsListPeersOnSharedNetworksOnly) {
  Endpoint web = endpoint("demo-web-1", "web", "demo_front", "10.0.1.2", {"www"});
  web.networks["demo_back"] = {"10.0.2.2", {}};
  web.extra_hosts = {{"gateway.example", "192.0.2.1"}};
  Endpoint db = endpoint("demo-db-1", "db", "demo_back", "10.0.2.3");
  Endpoint proxy = endpoint("demo-proxy-1", "proxy", "demo_front", "10.0.1.3");
  std::vector<Endpoint> all = {web, db, proxy};
  std::string hosts = render_hosts(web, all);
  EXPECT_THAT(hosts, HasSubstr("127.0.0.1\tlocalhost\n"));
  EXPECT_THAT(hosts, HasSubstr("10.0.1.2\tweb demo-web-1 www\n"));
  EXPECT_THAT(hosts, HasSubstr("10.0.2.3\tdb demo-db-1\n"));
  EXPECT_THAT(hosts, HasSubstr("10.0.1.3\tproxy demo-proxy-1\n"));
  EXPECT_THAT(hosts, HasSubstr("192.0.2.1\tgateway.example\n"));
  std::string db_hosts = render_hosts(db, all);
  EXPECT_THAT(db_hosts, ::testing::Not(HasSubstr("proxy")));  // no shared network
  EXPECT_THAT(db_hosts, HasSubstr("10.0.2.2\tweb demo-web-1\n"));
}

// links: the alias names every container of the linked service on a shared network, in the
// linking container's hosts (not the others'), and in the network's DNS.
TEST(Discovery, LinkAliasesNameTheLinkedContainers) {
  Endpoint web = endpoint("demo-web-1", "web", "demo_back", "10.0.2.2");
  web.links = {{"database", "db"}, {"cache", "cache"}, {"gone", "elsewhere"}};
  Endpoint db1 = endpoint("demo-db-1", "db", "demo_back", "10.0.2.3");
  Endpoint db2 = endpoint("demo-db-2", "db", "demo_back", "10.0.2.4");
  Endpoint cache = endpoint("demo-cache-1", "cache", "demo_back", "10.0.2.5");
  std::vector<Endpoint> all = {web, db1, db2, cache};
  std::string hosts = render_hosts(web, all);
  EXPECT_THAT(hosts, HasSubstr("10.0.2.3\tdatabase\n"));
  EXPECT_THAT(hosts, HasSubstr("10.0.2.4\tdatabase\n"));
  EXPECT_THAT(hosts, HasSubstr("10.0.2.5\tcache demo-cache-1\n"));  // its own name: no extra line
  EXPECT_THAT(hosts, ::testing::Not(HasSubstr("\tcache\n")));
  EXPECT_THAT(hosts, ::testing::Not(HasSubstr("gone")));
  EXPECT_THAT(render_hosts(db1, all), ::testing::Not(HasSubstr("database")));
  auto back = decode_endpoint(encode_endpoint(web));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->links, web.links);
  // And in the network's DNS, to both replicas.
  auto names = dns_names("demo_back", all);
  EXPECT_EQ(names["database"], (std::vector<std::string>{"10.0.2.3", "10.0.2.4"}));
  EXPECT_FALSE(names.count("gone"));
}

TEST(Discovery, DnsNamesCollectReplicasAndAliases) {
  std::vector<Endpoint> all = {endpoint("demo-web-1", "web", "n", "10.0.0.2", {"www"}),
                               endpoint("demo-web-2", "web", "n", "10.0.0.3"),
                               endpoint("demo-db-1", "db", "other", "10.0.9.2")};
  auto names = dns_names("n", all);
  EXPECT_EQ(names["web"], (std::vector<std::string>{"10.0.0.2", "10.0.0.3"}));
  EXPECT_EQ(names["www"], (std::vector<std::string>{"10.0.0.2"}));
  EXPECT_EQ(names["demo-web-2"], (std::vector<std::string>{"10.0.0.3"}));
  EXPECT_FALSE(names.count("db"));
}

TEST(Discovery, ExternalLinksNameAContainerOfAnyProjectOnTheNetwork) {
  Endpoint web = endpoint("shop-web-1", "web", "shared", "10.0.0.2");
  web.external_links = {{"database", "infra-db-1"}, {"elsewhere", "infra-cache-1"}};
  auto back = decode_endpoint(encode_endpoint(web));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->external_links, web.external_links);
  std::vector<Endpoint> all = {web, endpoint("infra-db-1", "db", "shared", "10.0.0.3"),
                               endpoint("infra-cache-1", "cache", "private", "10.0.7.2")};
  auto names = dns_names("shared", all);
  EXPECT_EQ(names["database"], (std::vector<std::string>{"10.0.0.3"}));
  EXPECT_EQ(names["db"], (std::vector<std::string>{"10.0.0.3"}));
  EXPECT_FALSE(names.count("elsewhere")) << "a container on no network of the linker's has no address there";
}

TEST(Discovery, EndpointRoundTripAndResolvConf) {
  Endpoint e = endpoint("demo-web-1", "web", "n", "10.0.0.2", {"www"});
  e.dns = {"10.0.0.1"};
  auto back = decode_endpoint(encode_endpoint(e));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->networks.at("n").aliases, std::vector<std::string>{"www"});
  EXPECT_EQ(back->dns, e.dns);
  EXPECT_FALSE(decode_endpoint("{"));
  EXPECT_EQ(render_resolv_conf({"a", "b", "c", "d"}), "nameserver a\nnameserver b\nnameserver c\noptions ndots:0\n");
  EXPECT_EQ(render_resolv_conf({"a"}, {"x.test", "y.test"}, {"rotate"}),
            "nameserver a\nsearch x.test y.test\noptions ndots:0 rotate\n");
  // dns_opt's ndots wins over stack's ndots:0; a search of "." alone is docker's "no search".
  EXPECT_EQ(render_resolv_conf({"a"}, {"."}, {"ndots:2"}), "nameserver a\noptions ndots:2\n");
}

TEST(ProjectRecord, RoundTripsAndRejectsGarbage) {
  ProjectRecord r{"demo", "/srv/demo", {"demo_default"}, {"demo_site"}, {"demo-web-1"}};
  auto back = decode_project(encode_project(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, r);
  EXPECT_FALSE(decode_project("[]"));
}

}  // namespace
}  // namespace stack::scheduler
