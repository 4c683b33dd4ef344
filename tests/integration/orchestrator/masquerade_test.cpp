// Outbound masquerading and isolation through the real binary: the network's nft table and
// ip_forward follow `up` and `down`, traffic from a container leaves with the host's address, and
// two networks stay apart with ip_forward on. Traffic goes only to a namespace the test makes
// itself ("outside", joined to the host by a veth pair); nothing is sent anywhere else.
// These tests turn ip_forward on, so they run one at a time (a lock on this very file) and each
// checks that it is back to what it was.
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>

#include <future>

#include "integration/orchestrator/e2e_fixture.hpp"
#include "net/forwarding.hpp"
#include "net/host.hpp"
#include "net/netns.hpp"
#include "util/fd.hpp"

namespace stack::e2e {
namespace {

using ::testing::HasSubstr;

class Masquerade : public StackTest {
 protected:
  void SetUp() override {
    lock_ = ::open(__FILE__, O_RDONLY | O_CLOEXEC);
    ASSERT_GE(lock_, 0) << __FILE__;
    ASSERT_EQ(::flock(lock_, LOCK_EX), 0);
    auto forwarding = net::ip_forward();
    ASSERT_TRUE(forwarding.has_value()) << forwarding.error().message();
    forwarding_before_ = *forwarding;
    auto forwarding6 = net::ip6_forward();
    ASSERT_TRUE(forwarding6.has_value()) << forwarding6.error().message();
    forwarding6_before_ = *forwarding6;
  }

  void TearDown() override {
    StackTest::TearDown();
    if (!outside_.empty()) {
      sh("ip netns del " + outside_ + " 2>/dev/null; ip link del " + outside_host_ + " 2>/dev/null");
      EXPECT_EQ(sh("ip -o link show " + outside_host_ + " 2>/dev/null"), "") << "veth left";
      EXPECT_FALSE(std::filesystem::exists("/run/netns/" + outside_)) << "netns left";
    }
    expect_forwarding_restored();
    ::close(lock_);
  }

  void expect_forwarding_restored() const {
    EXPECT_EQ(*net::ip_forward(), forwarding_before_) << "ip_forward not restored";
    EXPECT_FALSE(std::filesystem::exists(std::string(net::kHostRunDir) + "/ip_forward.stack")) << "marker left";
    EXPECT_EQ(*net::ip6_forward(), forwarding6_before_) << "IPv6 forwarding not restored";
    EXPECT_FALSE(std::filesystem::exists(std::string(net::kHostRunDir) + "/ipv6_forward.stack")) << "IPv6 marker left";
  }

  std::optional<net::FirewallTable> table(const std::string& network) const {
    auto found = net::find_firewall(net::bridge_name(project_ + "_" + network));
    EXPECT_TRUE(found.has_value()) << found.error().message();
    return found ? *found : std::nullopt;
  }

  // "10.231.<64+index>.": another /24 of the e2e range, reserved for this test.
  static std::string range(int index) { return e2e_prefix(index); }

  // The "outside" namespace, joined to the host by a veth on <range(index)>.0/30: the host end
  // is .1, the namespace end .2; the host routes the /30 to the veth.
  void make_outside(int index) {
    const std::string id = std::to_string(::getpid());
    outside_ = "stkmq" + id;
    outside_host_ = "mqh" + id;
    const std::string ns_end = "mqn" + id, net = range(index);
    ASSERT_EQ(sh("ip netns add " + outside_ + " && ip link add " + outside_host_ + " type veth peer name " + ns_end +
                 " netns " + outside_ + " && ip addr add " + net + "1/30 dev " + outside_host_ + " && ip link set " +
                 outside_host_ + " up && ip -n " + outside_ + " addr add " + net + "2/30 dev " + ns_end + " && ip -n " +
                 outside_ + " link set " + ns_end + " up && ip -n " + outside_ + " link set lo up && echo ok"),
              "ok\n");
  }

  int lock_ = -1;
  bool forwarding_before_ = false;
  bool forwarding6_before_ = false;
  std::string outside_, outside_host_;
};

// A TCP listener on address:port (IPv4, or IPv6 when it has a ':') inside the namespace at path
// (the socket stays in that netns).
util::Result<util::UniqueFd> listen_in(const std::string& netns_path, const std::string& address, uint16_t port) {
  STACK_ASSIGN_OR_RETURN(net::Netns ns, net::Netns::open(netns_path));
  return net::in_netns(ns.fd(), [&]() -> util::Result<util::UniqueFd> {
    const bool v6 = address.find(':') != std::string::npos;
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (v6) {
      auto& a = reinterpret_cast<sockaddr_in6&>(addr);
      a.sin6_family = AF_INET6;
      a.sin6_port = htons(port);
      ::inet_pton(AF_INET6, address.c_str(), &a.sin6_addr);
      len = sizeof a;
    } else {
      auto& a = reinterpret_cast<sockaddr_in&>(addr);
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      ::inet_pton(AF_INET, address.c_str(), &a.sin_addr);
      len = sizeof a;
    }
    util::UniqueFd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd.get(), 1) != 0)
      return util::Error::from_errno("listening on " + address);
    return fd;
  });
}

// The address of the first client to connect within the time limit, "" if none did.
std::string accept_peer(int listener, int timeout_ms) {
  pollfd p{listener, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) != 1) return "";
  sockaddr_storage peer{};
  socklen_t len = sizeof peer;
  util::UniqueFd client(::accept4(listener, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC));
  if (!client) return "";
  char text[INET6_ADDRSTRLEN] = {};
  if (peer.ss_family == AF_INET6) ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6&>(peer).sin6_addr, text, sizeof text);
  else ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in&>(peer).sin_addr, text, sizeof text);
  return text;
}

TEST_F(Masquerade, TableAndIpForwardFollowTheStackAndItsConfiguration) {
  start(40);
  const std::string services =
      "  app:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n";
  const std::string networks =
      "  inner:\n    internal: true\n    ipam:\n      config:\n        - subnet: " + range(65) + "0/24\n"
      "  quiet:\n    driver_opts:\n      com.docker.network.bridge.enable_ip_masquerade: \"false\"\n"
      "    ipam:\n      config:\n        - subnet: " + range(66) + "0/24\n";
  write_stack(services, networks);
  Outcome up = stack("--ip-masq true up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  auto by_default = table("default"), inner = table("inner"), quiet = table("quiet");
  ASSERT_TRUE(by_default && inner && quiet);
  EXPECT_TRUE(by_default->masquerade);
  EXPECT_FALSE(inner->masquerade) << "internal networks never masquerade";
  EXPECT_FALSE(quiet->masquerade) << "the network's driver_opts win over --ip-masq";
  EXPECT_TRUE(*net::ip_forward());

  // A converged `up` leaves the table as it is; the global default off takes masquerading away,
  // and with it ip_forward; back on, both return.
  ASSERT_EQ(stack("--ip-masq true up -d").code, 0);
  EXPECT_EQ(table("default")->comment, by_default->comment);
  ASSERT_EQ(stack("up -d").code, 0);
  EXPECT_FALSE(table("default")->masquerade);
  EXPECT_EQ(*net::ip_forward(), forwarding_before_);
  ASSERT_EQ(stack("--ip-masq true up -d").code, 0);
  EXPECT_TRUE(table("default")->masquerade);
  EXPECT_TRUE(*net::ip_forward());

  Outcome down = stack("down -t 0");
  ASSERT_EQ(down.code, 0) << down.err;
  for (const char* network : {"default", "inner", "quiet"}) EXPECT_FALSE(table(network)) << network;
  expect_forwarding_restored();

  // A value docker would not take is one line, before the network is made.
  write_stack(services,
              "  odd:\n    driver_opts:\n      com.docker.network.bridge.enable_ip_masquerade: \"maybe\"\n"
              "    ipam:\n      config:\n        - subnet: " + range(65) + "0/24\n");
  Outcome odd = stack("up -d");
  EXPECT_EQ(odd.code, 1);
  EXPECT_THAT(odd.err, HasSubstr("stack.yaml:13:55: networks.odd.driver_opts.com.docker.network.bridge."
                                 "enable_ip_masquerade: 'maybe' is not a boolean (true or false)\n"));
  EXPECT_FALSE(table("odd"));
  write_stack(services, networks);  // teardown's `down` reads the file
}

TEST_F(Masquerade, OutboundTrafficLeavesWithTheHostsAddress) {
  start(41);
  make_outside(42);
  const std::string target = range(42) + "2";
  auto listener = listen_in("/run/netns/" + outside_, target, 7001);
  ASSERT_TRUE(listener.has_value()) << listener.error().message();
  write_stack(
      "  client:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n");
  ASSERT_EQ(stack("--ip-masq true up -d").code, 0);
  std::string client_ip = ps()[container("client")]["Networks"][project_ + "_default"];
  ASSERT_THAT(client_ip, HasSubstr(prefix_));

  // container -> bridge -> host (forwarding, masquerade) -> veth -> the test's namespace, which has
  // no route back to the container's subnet: only a masqueraded connection can be answered.
  auto peer = std::async(std::launch::async, [&] { return accept_peer(listener->get(), 15000); });
  Outcome talk = stack("exec -T client sh -c 'echo hello | nc -w 3 " + target + " 7001'");
  EXPECT_EQ(peer.get(), range(42) + "1") << talk.err;

  // Masquerading off: ip_forward goes back to what it was and nothing reaches the namespace.
  ASSERT_EQ(stack("up -d").code, 0);
  EXPECT_EQ(*net::ip_forward(), forwarding_before_);
  if (!forwarding_before_) {
    auto none = std::async(std::launch::async, [&] { return accept_peer(listener->get(), 4000); });
    stack("exec -T client sh -c 'echo hello | nc -w 2 " + target + " 7001'");
    EXPECT_EQ(none.get(), "");
  }
}

// The same over IPv6 on a network with IPv6: the inet table masquerades the v6 subnet, IPv6
// forwarding is on while it does and back to what it was after `down`. The outside namespace is
// on <prefix6>1:0:0:0/126 beside the network's /64 (fd5c:...:<64+27>::/64).
TEST_F(Masquerade, Ipv6TrafficLeavesWithTheHostsAddress) {
  start(27);
  const std::string prefix6 = e2e_prefix6(27);
  const std::string outside_net = prefix6.substr(0, prefix6.size() - 1) + "1::";  // fd5c:x:y:1::
  const std::string id = std::to_string(::getpid());
  outside_ = "stkmq6" + id;
  outside_host_ = "mq6h" + id;
  ASSERT_EQ(sh("ip netns add " + outside_ + " && ip link add " + outside_host_ + " type veth peer name mq6n" + id +
               " netns " + outside_ + " && ip addr add " + outside_net + "1/126 dev " + outside_host_ + " nodad && ip link set " +
               outside_host_ + " up && ip -n " + outside_ + " addr add " + outside_net + "2/126 dev mq6n" + id +
               " nodad && ip -n " + outside_ + " link set mq6n" + id + " up && echo ok"),
            "ok\n");
  auto listener = listen_in("/run/netns/" + outside_, outside_net + "2", 7002);
  ASSERT_TRUE(listener.has_value()) << listener.error().message();
  write_stack("  client:\n    image: busybox\n    command: [\"sleep\", \"600\"]\n    init: true\n",
              "        - subnet: \"" + prefix6 + "/64\"\n    enable_ipv6: true\n");
  Outcome up = stack("--ip-masq true up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  auto t = table("default");
  ASSERT_TRUE(t && t->masquerade);
  EXPECT_EQ(t->family, "inet");
  EXPECT_THAT(sh("nft list table inet " + t->bridge), HasSubstr("ip6 saddr " + prefix6 + "/64"));
  EXPECT_TRUE(*net::ip6_forward());

  auto peer = std::async(std::launch::async, [&] { return accept_peer(listener->get(), 15000); });
  Outcome talk = stack("exec -T client sh -c 'echo hello | nc -w 3 " + outside_net + "2 7002'");
  EXPECT_EQ(peer.get(), outside_net + "1") << talk.err;

  Outcome down = stack("down -t 0");
  ASSERT_EQ(down.code, 0) << down.err;
  EXPECT_FALSE(table("default"));
  expect_forwarding_restored();
}

TEST_F(Masquerade, NetworksStayApartWithIpForwardOn) {
  start(43);
  write_stack(
      "  server:\n"
      "    image: busybox\n"
      "    command: [\"nc\", \"-ll\", \"-p\", \"7000\", \"-e\", \"echo\", \"pong\"]\n"
      "  neighbour:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "  outsider:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "    networks: [other]\n",
      "  other:\n    ipam:\n      config:\n        - subnet: " + range(64) + "0/24\n");
  ASSERT_EQ(stack("--ip-masq true up -d").code, 0);
  ASSERT_TRUE(*net::ip_forward());
  std::string server_ip = ps()[container("server")]["Networks"][project_ + "_default"];
  ASSERT_THAT(server_ip, HasSubstr(prefix_));
  // The server answers on its own network...
  Outcome near = stack("exec -T neighbour sh -c 'nc -w 2 " + server_ip + " 7000 </dev/null'");
  EXPECT_EQ(near.out, "pong\n") << near.err;
  // ...but not across networks, although the host forwards and masquerades.
  Outcome far = stack("exec -T outsider sh -c 'nc -w 2 " + server_ip + " 7000 </dev/null'");
  EXPECT_NE(far.out, "pong\n");
  EXPECT_NE(far.code, 0);
  Outcome down = stack("down -t 0");
  ASSERT_EQ(down.code, 0) << down.err;
  EXPECT_FALSE(table("other"));
  EXPECT_EQ(sh("ip -o link show " + net::bridge_name(project_ + "_other") + " 2>/dev/null"), "");
}

}  // namespace
}  // namespace stack::e2e
