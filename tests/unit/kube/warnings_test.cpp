// One test per warning: each key that Kubernetes cannot express as the stack file does gives one
// line `key.path: what was dropped or approximated, and why`.
#include "kube_fixture.hpp"

namespace stack::kube::testing {
namespace {

struct WarningCase {
  const char* name;
  const char* body;     // after "services:\n  a:\n    image: x\n    restart: always\n"
  const char* path;
  const char* message;  // a part of the message
};

std::ostream& operator<<(std::ostream& out, const WarningCase& c) { return out << c.name; }

class KubeWarning : public ::testing::TestWithParam<WarningCase> {};

TEST_P(KubeWarning, IsReportedOnceWithItsKeyPath) {
  const WarningCase& c = GetParam();
  Export e = exported(std::string("services:\n  a:\n    image: x\n    restart: always\n") + c.body);
  int matches = 0;
  for (const Warning& w : e.warnings)
    if (w.path == c.path && w.message.find(c.message) != std::string::npos) ++matches;
  EXPECT_EQ(matches, 1) << all_warnings(e);
}

const WarningCase kCases[] = {
    {"file_mount_uid", "    configs: [{source: c, uid: \"1000\"}]\nconfigs:\n  c: {content: x}\n",
     "services.a.configs[/c]", "owner 1000 dropped"},
    {"file_mount_gid", "    configs: [{source: c, gid: \"1000\"}]\nconfigs:\n  c: {content: x}\n",
     "services.a.configs[/c]", "fsGroup"},
    {"file_mount_setuid", "    configs: [{source: c, mode: \"04755\"}]\nconfigs:\n  c: {content: x}\n",
     "services.a.configs[/c]", "setuid"},
    {"health_on_failure_stop", "    x-health-on-failure: stop\n    healthcheck: {test: [CMD, ok]}\n",
     "services.a.x-health-on-failure", "cannot leave a container stopped"},
    {"health_on_failure_no_probe", "    x-health-on-failure: restart\n", "services.a.x-health-on-failure",
     "no probe"},
    {"ulimits", "    ulimits: {nofile: 1024}\n", "services.a.ulimits", "no per-container rlimits"},
    {"pids_limit", "    pids_limit: 10\n", "services.a.pids_limit", "podPidsLimit"},
    {"memswap_limit", "    mem_limit: 1g\n    memswap_limit: 2g\n", "services.a.memswap_limit", "swap"},
    {"cpuset", "    cpuset: \"0-1\"\n", "services.a.cpuset", "CPU manager"},
    {"blkio_config", "    blkio_config: {weight: 300}\n", "services.a.blkio_config", "block I/O"},
    {"cpu_shares", "    cpu_shares: 512\n", "services.a.cpu_shares", "approximated by requests.cpu 500m"},
    {"cpu_quota", "    cpu_quota: 50000\n", "services.a.cpu_quota", "without cpu_period"},
    {"stop_signal", "    stop_signal: SIGINT\n", "services.a.stop_signal", "SIGTERM"},
    {"stop_grace_period", "    stop_grace_period: 1500ms\n", "services.a.stop_grace_period", "rounded up to 2s"},
    {"logging", "    logging: {driver: none}\n", "services.a.logging", "kubelet"},
    {"dns", "    dns: 8.8.8.8\n", "services.a.dns", "cluster's DNS"},
    {"container_name", "    container_name: foo\n", "services.a.container_name", "pod names"},
    {"domainname", "    domainname: example.com\n", "services.a.domainname", "subdomain"},
    {"hostname", "    hostname: a.b\n", "services.a.hostname", "one DNS-1123 label"},
    {"network_mode_none", "    network_mode: none\n", "services.a.network_mode", "cluster's network"},
    {"network_mode_service", "    network_mode: \"service:b\"\n" "  b:\n    image: y\n    restart: always\n",
     "services.a.network_mode", "localhost does not reach it"},
    {"host_gateway", "    extra_hosts: [\"h:host-gateway\"]\n", "services.a.extra_hosts.h", "host-gateway"},
    {"volumes_from", "    volumes_from: [b]\n  b:\n    image: y\n    restart: always\n", "services.a.volumes_from",
     "'b' dropped"},
    {"hooks_two", "    post_start: [{command: a}, {command: b}]\n", "services.a.post_start", "only the first"},
    {"hook_user", "    pre_stop: [{command: a, user: root}]\n", "services.a.pre_stop", "user, privileged"},
    {"link_alias", "    links: [\"b:bee\"]\n  b:\n    image: y\n    restart: always\n", "services.a.links",
     "alias 'bee' dropped"},
    {"static_address", "    networks: {n: {ipv4_address: 10.1.0.5}}\n"
                       "networks:\n  n:\n    ipam: {config: [{subnet: 10.1.0.0/24}]}\n",
     "services.a.networks.n", "static addresses"},
    {"entrypoint_cleared", "    entrypoint: []\n", "services.a.entrypoint", "cannot clear"},
    {"image_healthcheck", "    healthcheck: {interval: 5s}\n", "services.a.healthcheck", "image's HEALTHCHECK"},
    {"tmpfs_mode", "    tmpfs: ['/t:mode=1777']\n", "services.a.tmpfs[/t]", "mode dropped"},
    {"depends_on_restart", "    depends_on: {b: {condition: service_started, restart: true}}\n  b:\n"
                           "    image: y\n    restart: always\n",
     "services.a.depends_on.b.restart", "does not restart"},
    {"depends_on_job", "    depends_on: [b]\n  b:\n    image: y\n",
     "services.a.depends_on.b", "a Job's pods leave its Service"},
    {"volume_driver_opts", "    volumes: ['v:/v:nocopy']\nvolumes:\n  v:\n    driver_opts: {type: tmpfs}\n",
     "volumes.v.driver_opts", "storage class"},
    {"network_driver_opts", "    networks: [n]\nnetworks:\n  n:\n    driver_opts: {com.docker.network.driver.mtu: \"1400\"}\n",
     "networks.n.driver_opts", "network plugin"},
    {"external_network", "    networks: [n]\nnetworks:\n  n:\n    external: true\n", "networks.n", "external"},
    {"port_mode_host", "    ports: [{target: 80, published: \"8080\", mode: host}]\n", "services.a.ports[0]", "mode 'host'"},
    {"port_range", "    ports: [\"8000-8001:80\"]\n", "services.a.ports[0]", "first port 8000"},
    {"env_name", "    environment: {\"1BAD\": x}\n", "services.a.environment.1BAD", "variable name"},
    {"label_key", "    labels: {\"bad key\": x}\n", "services.a.labels.bad key", "not a valid"},
    {"alias", "    networks: {n: {aliases: [\"1x\"]}}\nnetworks:\n  n:\n", "services.a.networks.n.aliases", "dropped"},
    {"develop", "    develop: {watch: [{path: ., action: restart}]}\n", "services.a.develop", "stack watch"},
};

INSTANTIATE_TEST_SUITE_P(Keys, KubeWarning, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(KubeWarnings, ACleanStackHasNone) {
  Export e = exported("services:\n  a:\n    image: x\n    restart: always\n    expose: [\"80\"]\n"
                      "    environment: {A: b}\n    healthcheck: {test: [CMD, ok], interval: 5s}\n");
  EXPECT_TRUE(e.warnings.empty()) << all_warnings(e);
}

TEST(KubeWarnings, FormatIsKeyPathColonMessage) {
  EXPECT_EQ(to_string(Warning{"services.a.ulimits", "dropped: why"}), "services.a.ulimits: dropped: why");
}

}  // namespace
}  // namespace stack::kube::testing
