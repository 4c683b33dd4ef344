// Mapping rows: resources; cap_add/cap_drop, privileged, read_only, sysctls, extra_hosts,
// hostname, stop_grace_period, init.
#include "kube_fixture.hpp"

namespace stack::kube::testing {
namespace {

constexpr const char* kSecureWebHead = "services:\n  web:\n    image: x\n    restart: always\n";

TEST(KubeResources, LimitsAndReservationsAreLimitsAndRequests) {
  Export e = exported(std::string(kSecureWebHead) +
                      "    deploy:\n      resources:\n        limits: {cpus: \"0.5\", memory: 256M}\n"
                      "        reservations: {cpus: \"0.25\", memory: 64M}\n");
  json expected = {{"limits", {{"cpu", "500m"}, {"memory", "256Mi"}}},
                   {"requests", {{"cpu", "250m"}, {"memory", "64Mi"}}}};
  EXPECT_EQ(container(e, "web")["resources"], expected);
}

TEST(KubeResources, ServiceLevelKeysAndCpuQuota) {
  Export e = exported(std::string(kSecureWebHead) +
                      "    mem_limit: 1g\n    cpu_quota: 150000\n    cpu_period: 100000\n");
  json expected = {{"limits", {{"cpu", "1500m"}, {"memory", "1Gi"}}}};
  EXPECT_EQ(container(e, "web")["resources"], expected);
}

TEST(KubeSecurity, CapabilitiesPrivilegedAndReadOnlyRoot) {
  Export e = exported(std::string(kSecureWebHead) +
                      "    cap_add: [NET_ADMIN]\n    cap_drop: [ALL]\n    privileged: true\n"
                      "    read_only: true\n    security_opt: [no-new-privileges:true]\n");
  json expected = {{"capabilities", {{"add", {"NET_ADMIN"}}, {"drop", {"ALL"}}}},
                   {"privileged", true},
                   {"readOnlyRootFilesystem", true},
                   {"allowPrivilegeEscalation", false}};
  EXPECT_EQ(container(e, "web")["securityContext"], expected);
}

TEST(KubeSecurity, NamespacedSysctlsAreThePodsAndUnsafeOnesWarn) {
  Export e = exported(std::string(kSecureWebHead) +
                      "    sysctls: {net.ipv4.tcp_syncookies: \"1\", net.core.somaxconn: \"1024\"}\n");
  json expected = json::array({{{"name", "net.core.somaxconn"}, {"value", "1024"}},
                               {{"name", "net.ipv4.tcp_syncookies"}, {"value", "1"}}});
  EXPECT_EQ(pod(e, "Deployment", "web")["securityContext"]["sysctls"], expected);
  EXPECT_TRUE(warned(e, "services.web.sysctls.net.core.somaxconn", "--allowed-unsafe-sysctls"));
  EXPECT_FALSE(warned(e, "services.web.sysctls.net.ipv4.tcp_syncookies", ""));
}

TEST(KubeSecurity, ExtraHostsHostnameGracePeriodAndInit) {
  Export e = exported(std::string(kSecureWebHead) +
                      "    extra_hosts: [\"db.local:10.0.0.2\", \"cache.local:10.0.0.2\", \"a:10.0.0.1\"]\n"
                      "    hostname: web1\n    stop_grace_period: 1m30s\n    init: true\n");
  const json& p = pod(e, "Deployment", "web");
  json aliases = json::array({{{"ip", "10.0.0.1"}, {"hostnames", {"a"}}},
                              {{"ip", "10.0.0.2"}, {"hostnames", {"cache.local", "db.local"}}}});
  EXPECT_EQ(p["hostAliases"], aliases);
  EXPECT_EQ(p["hostname"], "web1");
  EXPECT_EQ(p["terminationGracePeriodSeconds"], 90);
  EXPECT_EQ(p["shareProcessNamespace"], true);
  EXPECT_TRUE(e.warnings.empty()) << all_warnings(e);
}

TEST(KubeSecurity, HostNetworkMode) {
  Export e = exported(std::string(kSecureWebHead) + "    network_mode: host\n");
  EXPECT_EQ(pod(e, "Deployment", "web")["hostNetwork"], true);
}

}  // namespace
}  // namespace stack::kube::testing
