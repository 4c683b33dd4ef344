#include "spec/hash.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "spec/load.hpp"

namespace stack::spec {
namespace {

using namespace std::chrono_literals;
using ::testing::MatchesRegex;

Service base() {
  Service s;
  s.name = "web";
  s.image = "nginx:1.25";
  s.command = std::vector<std::string>{"nginx", "-g", "daemon off;"};
  s.environment = {{"MODE", "prod"}, {"PORT", "80"}};
  s.ports.push_back(Port{"", 8080, 8080, 80});
  s.mounts.push_back(Mount{MountType::volume, "data", "/data"});
  s.networks.push_back(ServiceNetwork{"default"});
  s.resources.memory = 256 << 20;
  return s;
}

TEST(HashTest, IsSha256Hex) {
  EXPECT_THAT(config_hash(base()), MatchesRegex("[0-9a-f]{64}"));
}

TEST(HashTest, SameServiceSameHash) {
  EXPECT_EQ(config_hash(base()), config_hash(base()));
}

TEST(HashTest, MapInsertionOrderDoesNotMatter) {
  Service a = base();
  a.environment.clear();
  a.environment.emplace("PORT", "80");
  a.environment.emplace("MODE", "prod");
  EXPECT_EQ(config_hash(a), config_hash(base()));
}

TEST(HashTest, NameAndLocationDoNotMatter) {
  Service a = base();
  a.name = "other";
  a.location.path = "services.other";
  a.location.mark.line = 42;
  EXPECT_EQ(config_hash(a), config_hash(base()));
}

TEST(HashTest, FieldsThatDoNotAlterTheContainerAreLeftOut) {
  const std::string h = config_hash(base());
  std::vector<std::function<void(Service&)>> inert = {
      [](Service& s) { s.replicas = 5; },
      [](Service& s) { s.depends_on.push_back(Dependency{"db", Condition::service_healthy}); },
      [](Service& s) { s.profiles = {"debug"}; },
      [](Service& s) { s.pull_policy = PullPolicy::always; },
  };
  for (size_t i = 0; i < inert.size(); ++i) {
    Service s = base();
    inert[i](s);
    EXPECT_EQ(config_hash(s), h) << "inert change #" << i;
  }
  Service s = base();
  s.replicas = 2;
  EXPECT_FALSE(hashed_json(s).contains("deploy") &&
               hashed_json(s)["deploy"].contains("replicas"));
}

TEST(HashTest, EveryBehaviourChangeChangesTheHash) {
  std::vector<std::pair<const char*, std::function<void(Service&)>>> changes = {
      {"image", [](Service& s) { s.image = "nginx:1.26"; }},
      {"command", [](Service& s) { s.command->push_back("-q"); }},
      {"command unset", [](Service& s) { s.command.reset(); }},
      {"entrypoint []", [](Service& s) { s.entrypoint = std::vector<std::string>{}; }},
      {"env value", [](Service& s) { s.environment["MODE"] = "dev"; }},
      {"env key", [](Service& s) { s.environment["DEBUG"] = "1"; }},
      {"working_dir", [](Service& s) { s.working_dir = "/app"; }},
      {"user", [](Service& s) { s.user = "1000:1000"; }},
      {"hostname", [](Service& s) { s.hostname = "box"; }},
      {"labels", [](Service& s) { s.labels["team"] = "a"; }},
      {"port published", [](Service& s) { s.ports[0].published_min = s.ports[0].published_max = 81; }},
      {"port target", [](Service& s) { s.ports[0].target = 81; }},
      {"port protocol", [](Service& s) { s.ports[0].protocol = "udp"; }},
      {"port host_ip", [](Service& s) { s.ports[0].host_ip = "127.0.0.1"; }},
      {"mount target", [](Service& s) { s.mounts[0].target = "/data2"; }},
      {"mount read_only", [](Service& s) { s.mounts[0].read_only = true; }},
      {"mount added", [](Service& s) { s.mounts.push_back(Mount{MountType::tmpfs, "", "/tmp"}); }},
      {"network added", [](Service& s) { s.networks.push_back(ServiceNetwork{"back"}); }},
      {"network alias", [](Service& s) { s.networks[0].aliases = {"www"}; }},
      {"network_mode", [](Service& s) { s.network_mode = {NetworkMode::Kind::host, ""}; }},
      {"memory", [](Service& s) { s.resources.memory = 512 << 20; }},
      {"cpus", [](Service& s) { s.resources.cpus = 1.5; }},
      {"pids", [](Service& s) { s.resources.pids = 64; }},
      {"cpu_shares", [](Service& s) { s.resources.cpu_shares = 2048; }},
      {"blkio weight", [](Service& s) { s.resources.blkio.weight = 500; }},
      {"memswap", [](Service& s) { s.resources.memswap = -1; }},
      {"tmpfs size", [](Service& s) {
         s.mounts.push_back(Mount{MountType::tmpfs, "", "/run"});
         s.mounts.back().tmpfs_size = 1 << 20;
       }},
      {"restart", [](Service& s) { s.restart.kind = RestartPolicy::Kind::always; }},
      {"healthcheck", [](Service& s) { s.healthcheck = Healthcheck{{"CMD", "true"}}; }},
      {"cap_add", [](Service& s) { s.cap_add = {"NET_ADMIN"}; }},
      {"privileged", [](Service& s) { s.privileged = true; }},
      {"read_only", [](Service& s) { s.read_only = true; }},
      {"ulimits", [](Service& s) { s.ulimits["nofile"] = Ulimit{1024, 1024}; }},
      {"sysctls", [](Service& s) { s.sysctls["net.ipv4.ip_forward"] = "1"; }},
      {"stop_signal", [](Service& s) { s.stop_signal = "SIGINT"; }},
      {"stop_grace_period", [](Service& s) { s.stop_grace_period = 30s; }},
      {"extra_hosts", [](Service& s) { s.extra_hosts.push_back(ExtraHost{"db", "10.0.0.2"}); }},
      {"dns", [](Service& s) { s.dns = {"1.1.1.1"}; }},
      {"init", [](Service& s) { s.init = true; }},
      {"shm_size", [](Service& s) { s.shm_size = 1 << 26; }},
      {"container_name", [](Service& s) { s.container_name = "fixed"; }},
      {"logging", [](Service& s) { s.logging.max_size = 1 << 20; }},
  };
  std::set<std::string> seen{config_hash(base())};
  for (const auto& [what, change] : changes) {
    Service s = base();
    change(s);
    EXPECT_TRUE(seen.insert(config_hash(s)).second) << what << " did not change the hash";
  }
}

TEST(HashTest, InvalidUtf8DoesNotThrow) {
  Service s = base();
  s.environment["BIN"] = std::string("\xff\xfe", 2);
  EXPECT_NO_THROW((void)config_hash(s));
}

// Through the loader: two spellings of one service must hash alike.
class HashYamlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("stack-hash-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string hash_of(const std::string& file, const std::string& text, const char* service) {
    std::ofstream(dir_ / file) << text;
    LoadOptions options;
    options.files = {(dir_ / file).string()};
    options.working_dir = dir_.string();
    options.project_name = "demo";
    LoadOutcome outcome = load(options);
    EXPECT_TRUE(outcome.stack.has_value()) << outcome.diagnostics.format();
    if (!outcome.stack) return "";
    const Service* s = outcome.stack->find_service(service);
    EXPECT_NE(s, nullptr);
    return s ? config_hash(*s) : "";
  }

  std::filesystem::path dir_;
};

TEST_F(HashYamlTest, KeyOrderAndAnchorsDoNotMatter) {
  std::string plain = hash_of("a.yaml", R"(services:
  web:
    image: nginx
    environment:
      A: "1"
      B: "2"
    ports: ["8080:80"]
)", "web");
  std::string reordered = hash_of("b.yaml", R"(services:
  web:
    ports:
      - target: 80
        published: "8080"
    environment: [B=2, A=1]
    image: nginx
)", "web");
  std::string anchored = hash_of("c.yaml", R"(x-env: &env
  A: "1"
  B: "2"
services:
  web:
    environment: *env
    image: nginx
    ports: ["8080:80"]
)", "web");
  EXPECT_FALSE(plain.empty());
  EXPECT_EQ(plain, reordered);
  EXPECT_EQ(plain, anchored);
  std::string changed = hash_of("d.yaml", R"(services:
  web:
    image: nginx
    environment: {A: "1", B: "3"}
    ports: ["8080:80"]
)", "web");
  EXPECT_NE(plain, changed);
}

}  // namespace
}  // namespace stack::spec
