#include "spec/serialize.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace stack::spec {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

Service minimal(std::string name = "web") {
  Service s;
  s.name = std::move(name);
  s.image = "nginx:1.25";
  return s;
}

TEST(SerializeTest, MinimalServiceHasOnlyTheImage) {
  EXPECT_EQ(to_json(minimal()), json({{"image", "nginx:1.25"}}));
}

TEST(SerializeTest, CommandEntrypointEnvironment) {
  Service s = minimal();
  s.command = std::vector<std::string>{"nginx", "-g", "daemon off;"};
  s.entrypoint = std::vector<std::string>{};  // written as [] to clear the image's
  s.environment = {{"B", "2"}, {"A", ""}};
  json j = to_json(s);
  EXPECT_EQ(j["command"], json({"nginx", "-g", "daemon off;"}));
  EXPECT_EQ(j["entrypoint"], json::array());
  EXPECT_EQ(j["environment"], json({{"A", ""}, {"B", "2"}}));
  EXPECT_EQ(j.dump().find("\"environment\":{\"A\""), j.dump().find("\"environment\""));
}

TEST(SerializeTest, PortsLongForm) {
  Service s = minimal();
  s.ports.push_back(Port{"", 8080, 8080, 80});
  s.ports.push_back(Port{"127.0.0.1", 8000, 8010, 9000, "udp"});
  s.ports.push_back(Port{"", 0, 0, 443});
  json ports = to_json(s)["ports"];
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_EQ(ports[0], json({{"mode", "ingress"}, {"target", 80}, {"published", "8080"},
                            {"protocol", "tcp"}}));
  EXPECT_EQ(ports[1]["published"], "8000-8010");
  EXPECT_EQ(ports[1]["host_ip"], "127.0.0.1");
  EXPECT_EQ(ports[1]["protocol"], "udp");
  EXPECT_FALSE(ports[2].contains("published"));
}

TEST(SerializeTest, VolumesLongForm) {
  Service s = minimal();
  Mount bind{MountType::bind, "/srv/data", "/data", true};
  bind.propagation = "rshared";
  Mount volume{MountType::volume, "db", "/var/lib/db"};
  volume.nocopy = true;
  Mount tmpfs{MountType::tmpfs, "", "/tmp"};
  tmpfs.tmpfs_size = 64 << 20;
  tmpfs.tmpfs_mode = 01777;
  s.mounts = {bind, volume, tmpfs};
  json v = to_json(s)["volumes"];
  EXPECT_EQ(v[0], json({{"type", "bind"}, {"source", "/srv/data"}, {"target", "/data"},
                        {"read_only", true},
                        {"bind", {{"create_host_path", true}, {"propagation", "rshared"}}}}));
  EXPECT_EQ(v[1], json({{"type", "volume"}, {"source", "db"}, {"target", "/var/lib/db"},
                        {"volume", {{"nocopy", true}}}}));
  EXPECT_EQ(v[2], json({{"type", "tmpfs"}, {"target", "/tmp"},
                        {"tmpfs", {{"size", "67108864"}, {"mode", 01777}}}}));
}

TEST(SerializeTest, NetworksMapWithNullForPlainAttachment) {
  Service s = minimal();
  s.networks.push_back(ServiceNetwork{"default"});
  ServiceNetwork back{"back", {"db", "database"}, *util::Ipv4::parse("10.5.0.4")};
  s.networks.push_back(back);
  json n = to_json(s)["networks"];
  EXPECT_TRUE(n["default"].is_null());
  EXPECT_EQ(n["back"], json({{"aliases", {"db", "database"}}, {"ipv4_address", "10.5.0.4"}}));
}

TEST(SerializeTest, NetworkModeAndRestart) {
  Service s = minimal();
  s.network_mode = {NetworkMode::Kind::service, "vpn"};
  s.restart = {RestartPolicy::Kind::on_failure, 3};
  json j = to_json(s);
  EXPECT_EQ(j["network_mode"], "service:vpn");
  EXPECT_EQ(j["restart"], "on-failure:3");
  s.network_mode = {NetworkMode::Kind::host, ""};
  s.restart = {RestartPolicy::Kind::unless_stopped, std::nullopt};
  EXPECT_EQ(to_json(s)["network_mode"], "host");
  EXPECT_EQ(to_json(s)["restart"], "unless-stopped");
  s.restart = {};
  EXPECT_FALSE(to_json(s).contains("restart"));
}

TEST(SerializeTest, DependsOnMap) {
  Service s = minimal();
  s.depends_on.push_back(Dependency{"db", Condition::service_healthy, true, true});
  s.depends_on.push_back(Dependency{"migrate", Condition::service_completed_successfully, false});
  json d = to_json(s)["depends_on"];
  EXPECT_EQ(d["db"], json({{"condition", "service_healthy"}, {"required", true},
                           {"restart", true}}));
  EXPECT_EQ(d["migrate"], json({{"condition", "service_completed_successfully"},
                                {"required", false}}));
}

TEST(SerializeTest, HealthcheckDurationsGoFormatted) {
  Service s = minimal();
  Healthcheck hc;
  hc.test = {"CMD", "curl", "-f", "http://localhost"};
  hc.interval = 90s;
  hc.timeout = 1500ms;
  hc.start_period = 1h;
  hc.retries = 5;
  s.healthcheck = hc;
  json h = to_json(s)["healthcheck"];
  EXPECT_EQ(h["interval"], "1m30s");
  EXPECT_EQ(h["timeout"], "1.5s");
  EXPECT_EQ(h["start_period"], "1h0m0s");
  EXPECT_EQ(h["retries"], 5);
  EXPECT_FALSE(h.contains("start_interval"));
  EXPECT_FALSE(h.contains("disable"));
}

TEST(SerializeTest, ResourcesUnderDeployAndServiceKeys) {
  Service s = minimal();
  s.resources.cpus = 0.5;
  s.resources.memory = 512 << 20;
  s.resources.pids = 100;
  s.resources.memory_reservation = 128 << 20;
  s.resources.cpu_shares = 512;
  s.resources.cpuset = "0-1";
  s.resources.blkio.weight = 300;
  s.resources.blkio.device_read_bps.push_back(DeviceRate{"/dev/sda", 1048576});
  s.resources.blkio.weight_device.push_back(DeviceRate{"/dev/sdb", 200});
  s.replicas = 3;
  json j = to_json(s);
  EXPECT_EQ(j["deploy"]["resources"]["limits"],
            json({{"cpus", 0.5}, {"memory", "536870912"}, {"pids", 100}}));
  EXPECT_EQ(j["deploy"]["resources"]["reservations"], json({{"memory", "134217728"}}));
  EXPECT_EQ(j["deploy"]["replicas"], 3);
  EXPECT_EQ(j["cpu_shares"], 512);
  EXPECT_EQ(j["cpuset"], "0-1");
  EXPECT_EQ(j["blkio_config"]["weight"], 300);
  EXPECT_EQ(j["blkio_config"]["device_read_bps"][0]["rate"], "1048576");
  EXPECT_EQ(j["blkio_config"]["weight_device"][0], json({{"path", "/dev/sdb"}, {"weight", 200}}));
}

TEST(SerializeTest, SecurityAndMisc) {
  Service s = minimal();
  s.cap_add = {"NET_ADMIN"};
  s.privileged = true;
  s.ulimits = {{"nofile", Ulimit{1024, 4096}}, {"nproc", Ulimit{65535, 65535}}};
  s.sysctls = {{"net.core.somaxconn", "1024"}};
  s.extra_hosts = {ExtraHost{"db", "10.0.0.2"}};
  s.stop_grace_period = 20s;
  s.init = false;
  s.shm_size = 1 << 30;
  s.pull_policy = PullPolicy::always;
  json j = to_json(s);
  EXPECT_EQ(j["cap_add"], json({"NET_ADMIN"}));
  EXPECT_EQ(j["privileged"], true);
  EXPECT_FALSE(j.contains("read_only"));
  EXPECT_EQ(j["ulimits"]["nofile"], json({{"soft", 1024}, {"hard", 4096}}));
  EXPECT_EQ(j["ulimits"]["nproc"], 65535);
  EXPECT_EQ(j["extra_hosts"], json({"db=10.0.0.2"}));
  EXPECT_EQ(j["stop_grace_period"], "20s");
  EXPECT_EQ(j["init"], false);
  EXPECT_EQ(j["shm_size"], "1073741824");
  EXPECT_EQ(j["pull_policy"], "always");
  EXPECT_FALSE(j.contains("logging"));  // json-file without options is the default
}

TEST(SerializeTest, Logging) {
  Service s = minimal();
  s.logging.max_size = 10 << 20;
  s.logging.max_file = 3;
  EXPECT_EQ(to_json(s)["logging"],
            json({{"driver", "json-file"},
                  {"options", {{"max-size", "10485760"}, {"max-file", "3"}}}}));
  s.logging.max_size_text = "10m";  // as written: compose prints it so
  EXPECT_EQ(to_json(s)["logging"]["options"]["max-size"], "10m");
  s.logging = Logging{"none"};
  EXPECT_EQ(to_json(s)["logging"], json({{"driver", "none"}}));
}

TEST(SerializeTest, StackTopLevel) {
  Stack stack;
  stack.name = "demo";
  stack.services = {minimal("db"), minimal("web")};
  Network net;
  net.key = "default";
  net.name = "demo_default";
  Network back;
  back.key = "back";
  back.name = "demo_back";
  back.internal = true;
  back.ipam.push_back(IpamPool{*util::Subnet::parse("10.5.0.0/24"), *util::Ipv4::parse("10.5.0.1"), std::nullopt});
  stack.networks = {back, net};
  Volume vol;
  vol.key = "db";
  vol.name = "demo_db";
  stack.volumes = {vol};
  json j = to_json(stack);
  EXPECT_EQ(j["name"], "demo");
  EXPECT_EQ(j["services"].size(), 2u);
  EXPECT_EQ(j["networks"]["default"], json({{"name", "demo_default"}}));
  EXPECT_EQ(j["networks"]["back"],
            json({{"name", "demo_back"}, {"internal", true},
                  {"ipam", {{"config", {{{"subnet", "10.5.0.0/24"}, {"gateway", "10.5.0.1"}}}}}}}));
  EXPECT_EQ(j["volumes"]["db"], json({{"name", "demo_db"}}));
}

TEST(SerializeTest, EmptyStackHasNoNetworksOrVolumes) {
  Stack stack;
  stack.name = "empty";
  EXPECT_EQ(to_json(stack), json({{"name", "empty"}, {"services", json::object()}}));
}

TEST(SerializeTest, DumpIsDeterministic) {
  Service a = minimal();
  a.environment = {{"Z", "1"}, {"A", "2"}};
  a.labels = {{"b", "x"}, {"a", "y"}};
  Service b = minimal();
  b.labels = {{"a", "y"}, {"b", "x"}};
  b.environment = {{"A", "2"}, {"Z", "1"}};
  EXPECT_EQ(to_json(a).dump(), to_json(b).dump());
}

}  // namespace
}  // namespace stack::spec
