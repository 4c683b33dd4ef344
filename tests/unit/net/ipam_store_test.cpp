#include "net/ipam_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include "support/addresses.hpp"
#include "util/child_process.hpp"

namespace stack::net {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using util::Errc;

using ::stack::test::subnet;
using ::stack::test::ip;

class IpamStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/stack-ipam-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }

  // A small pool so that tests see the selection logic at work.
  IpamStore store() const { return IpamStore(root_, {AddressPool{subnet("10.231.0.0/16"), 24}}); }

  fs::path root_;
};

IpamNetwork sample() {
  IpamNetwork network;
  network.name = "demo_default";
  network.bridge = "stk-01234567";
  network.subnet = subnet("10.231.1.0/24");
  network.gateway = ip("10.231.1.1");
  network.ip_range = subnet("10.231.1.128/25");
  network.allocations = {{"demo-web-1", ip("10.231.1.128")}, {"demo-db-1", ip("10.231.1.129")}};
  return network;
}

TEST(NetworkCodec, RoundTrips) {
  const IpamNetwork network = sample();
  auto decoded = decode_network(encode_network(network));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_EQ(*decoded, network);
  IpamNetwork plain = network;
  plain.ip_range.reset();
  plain.allocations.clear();
  EXPECT_EQ(*decode_network(encode_network(plain)), plain);
  EXPECT_THAT(encode_network(network), HasSubstr("\"subnet\": \"10.231.1.0/24\""));
}

TEST(NetworkCodec, RejectsDamagedFiles) {
  EXPECT_EQ(decode_network("{").error().code(), Errc::parse);
  EXPECT_EQ(decode_network("[]").error().code(), Errc::parse);
  EXPECT_EQ(decode_network(R"({"version": 2})").error().code(), Errc::unsupported);
  EXPECT_THAT(decode_network(R"({"version": 1, "name": "n", "bridge": "b"})").error().message(),
              HasSubstr("'subnet'"));
  EXPECT_FALSE(decode_network(R"({"version": 1, "name": "n", "bridge": "b",
      "subnet": "10.0.0.1/24", "gateway": "10.0.0.1"})")
                   .has_value());
  EXPECT_FALSE(decode_network(R"({"version": 1, "name": "n", "bridge": "b",
      "subnet": "10.0.0.0/24", "gateway": "10.0.0.1", "allocations": {"a": 7}})")
                   .has_value());
}

TEST_F(IpamStoreTest, EnsureNetworkPersistsAndIsIdempotent) {
  IpamStore s = store();
  auto created = s.ensure_network("demo_default", {}, {subnet("10.231.0.0/24")});
  ASSERT_TRUE(created.has_value()) << created.error().message();
  EXPECT_EQ(created->subnet.str(), "10.231.1.0/24");
  EXPECT_TRUE(fs::exists(root_ / "networks" / "demo_default.json"));
  // The host route is gone now, but the network keeps its subnet.
  auto again = store().ensure_network("demo_default", {}, {});
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *created);
  auto changed = s.ensure_network("demo_default", {subnet("10.231.9.0/24")}, {});
  ASSERT_FALSE(changed.has_value());
  EXPECT_EQ(changed.error().code(), Errc::conflict);
}

TEST_F(IpamStoreTest, NetworksGetDistinctSubnets) {
  IpamStore s = store();
  auto a = s.ensure_network("a", {}, {});
  auto b = s.ensure_network("b", {}, {});
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->subnet, b->subnet);
  auto clash = s.ensure_network("c", {a->subnet}, {});
  ASSERT_FALSE(clash.has_value());
  EXPECT_THAT(clash.error().message(), HasSubstr("another network's subnet"));
  auto listed = s.list();
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "a");
}

TEST_F(IpamStoreTest, AllocationsSurviveANewStoreAndRelease) {
  ASSERT_TRUE(store().ensure_network("n", {subnet("10.231.5.0/24")}, {}).has_value());
  EXPECT_EQ(store().allocate("n", "web")->str(), "10.231.5.2");
  EXPECT_EQ(store().allocate("n", "db", ip("10.231.5.50"))->str(), "10.231.5.50");
  EXPECT_EQ(store().allocate("n", "web")->str(), "10.231.5.2");
  auto loaded = store().load("n");
  ASSERT_TRUE(loaded.has_value() && loaded->has_value());
  EXPECT_EQ((*loaded)->allocations.size(), 2u);
  EXPECT_TRUE(*store().release("n", "web"));
  EXPECT_FALSE(*store().release("n", "web"));
  EXPECT_FALSE(*store().release("absent", "web"));
  EXPECT_EQ(store().allocate("n", "cache")->str(), "10.231.5.2");
}

TEST_F(IpamStoreTest, ReserveTakesManyAddressesInOneWriteAndSkipsTheImpossible) {
  ASSERT_TRUE(store().ensure_network("n", {subnet("10.231.6.0/24")}, {}).has_value());
  ASSERT_TRUE(store().allocate("n", "db", ip("10.231.6.9")).has_value());
  auto reserved = store().reserve("n", {{"a", std::nullopt},
                                        {"b", ip("10.231.6.40")},
                                        {"taken", ip("10.231.6.9")},   // db holds it
                                        {"outside", ip("10.9.9.9")}});  // not in the subnet
  ASSERT_TRUE(reserved.has_value()) << reserved.error().message();
  auto loaded = store().load("n");
  ASSERT_TRUE(loaded.has_value() && loaded->has_value());
  EXPECT_EQ((*loaded)->allocations.size(), 3u);  // db, a, b
  // allocate() then finds each reservation, and says why the others have none.
  EXPECT_EQ(store().allocate("n", "a")->str(), "10.231.6.2");
  EXPECT_EQ(store().allocate("n", "b", ip("10.231.6.40"))->str(), "10.231.6.40");
  EXPECT_FALSE(store().allocate("n", "taken", ip("10.231.6.9")).has_value());
  EXPECT_FALSE(store().reserve("missing", {{"a", std::nullopt}}).has_value());
}

TEST_F(IpamStoreTest, AllocateInAnUnknownNetworkIsNotFound) {
  auto missing = store().allocate("nope", "web");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), Errc::not_found);
  EXPECT_FALSE(store().allocate("../escape", "web").has_value());
}

TEST_F(IpamStoreTest, RemoveNetworkDeletesItsFiles) {
  ASSERT_TRUE(store().ensure_network("n", {}, {}).has_value());
  EXPECT_TRUE(*store().remove_network("n"));
  EXPECT_FALSE(*store().remove_network("n"));
  EXPECT_FALSE(fs::exists(root_ / "networks" / "n.json"));
  EXPECT_FALSE(fs::exists(root_ / "networks" / "n.lock"));
  EXPECT_FALSE(store().load("n")->has_value());
}

TEST_F(IpamStoreTest, DamagedFileIsAnErrorNamingIt) {
  ASSERT_TRUE(store().ensure_network("n", {}, {}).has_value());
  std::ofstream(root_ / "networks" / "n.json") << "{ not json";
  auto loaded = store().load("n");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_THAT(loaded.error().message(), HasSubstr("n.json"));
}

// Forks `count` children that each run body(i) and exit 0 on success; returns the failures.
template <class Body>
int run_children(int count, Body body) {
  std::vector<util::ChildProcess> children;
  for (int i = 0; i < count; ++i) {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(body(i) ? 0 : 1);
    children.emplace_back(pid);
  }
  int failures = 0;
  for (auto& child : children) {
    auto status = child.wait();
    if (!status || !status->success()) ++failures;
  }
  return failures;
}

TEST_F(IpamStoreTest, ConcurrentProcessesNeverShareAnAddress) {
  ASSERT_TRUE(store().ensure_network("n", {subnet("10.231.6.0/24")}, {}).has_value());
  constexpr int kChildren = 4, kEach = 25;
  const int failures = run_children(kChildren, [&](int child) {
    for (int i = 0; i < kEach; ++i) {
      if (!store().allocate("n", "c" + std::to_string(child) + "-" + std::to_string(i)))
        return false;
    }
    return true;
  });
  EXPECT_EQ(failures, 0);
  auto loaded = store().load("n");
  ASSERT_TRUE(loaded.has_value() && loaded->has_value());
  // A lost update would drop keys; a double hand-out would repeat an address.
  ASSERT_EQ((*loaded)->allocations.size(), size_t{kChildren * kEach});
  std::set<Ipv4> addresses;
  for (const auto& [key, address] : (*loaded)->allocations) addresses.insert(address);
  EXPECT_EQ(addresses.size(), size_t{kChildren * kEach});
}

TEST_F(IpamStoreTest, ConcurrentNetworkCreationGetsDistinctSubnets) {
  constexpr int kChildren = 6;
  const int failures = run_children(kChildren, [&](int child) {
    return store().ensure_network("net" + std::to_string(child), {}, {}).has_value();
  });
  EXPECT_EQ(failures, 0);
  auto listed = store().list();
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), size_t{kChildren});
  std::set<Subnet> subnets;
  for (const IpamNetwork& network : *listed) subnets.insert(network.subnet);
  EXPECT_EQ(subnets.size(), size_t{kChildren});
}

}  // namespace
}  // namespace stack::net
