// enable_ipv6 networks through the real binary: each container's v6 address and route, a fixed
// ipv6_address, IPv6 traffic between two containers, AAAA from the network's DNS server, the v6
// line of /etc/hosts, a deleted bridge healed with its v6 addresses by the next `up`, and nothing
// left after `down`. Traffic stays inside the test's own namespaces and bridge.
#include "integration/orchestrator/e2e_fixture.hpp"

namespace stack::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class Ipv6Network : public StackTest {
 protected:
  void write_dual_stack(int index) {
    prefix6_ = e2e_prefix6(index);
    write_stack(
        "  web:\n"
        "    image: busybox\n"
        "    command: [\"sh\", \"-c\", \"mkdir -p /www && echo served-over-v6 > /www/index.html && exec httpd -f -p 80 -h /www\"]\n"
        "    init: true\n"
        "  client:\n"
        "    image: busybox\n"
        "    command: [\"sleep\", \"600\"]\n"
        "    init: true\n"
        "    networks:\n"
        "      default:\n"
        "        ipv6_address: \"" + prefix6_ + "a0\"\n",
        "        - subnet: \"" + prefix6_ + "/64\"\n    enable_ipv6: true\n");
  }

  std::string exec(const std::string& service, const std::string& command) {
    Outcome r = stack("exec -T " + service + " " + command);
    EXPECT_EQ(r.code, 0) << command << ": " << r.err << r.out;
    return r.out;
  }

  // The page of web over IPv6 from client (busybox nc: the static busybox's wget crashes),
  // retried while httpd starts.
  std::string page_over_v6(const std::string& address) {
    std::string page;
    for (int i = 0; i < 50 && page.find("served-over-v6") == std::string::npos; ++i) {
      page = stack("exec -T client sh -c \"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc " + address + " 80\"").out;
      if (page.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return page;
  }

  void expect_addresses(const std::string& web6, const std::string& client6) {
    EXPECT_THAT(exec("client", "ip -6 addr show dev eth0"), HasSubstr(client6 + "/64"));
    EXPECT_THAT(exec("web", "ip -6 addr show dev eth0"), HasSubstr(web6 + "/64"));
    EXPECT_THAT(exec("client", "ip -6 route"), HasSubstr("default via " + prefix6_ + "1 dev eth0"));
    EXPECT_THAT(page_over_v6(web6), HasSubstr("served-over-v6"));
  }

  std::string prefix6_;
};

TEST_F(Ipv6Network, TwoContainersTalkOverIpv6AndResolveAaaa) {
  start(25);
  // A fixed address outside the subnet: one line with its position, nothing made.
  write_stack("  app:\n    image: busybox\n    networks:\n      default:\n        ipv6_address: \"fd5c::1\"\n",
              "        - subnet: \"" + e2e_prefix6(25) + "/64\"\n    enable_ipv6: true\n");
  Outcome refused = stack("up -d");
  EXPECT_NE(refused.code, 0);
  EXPECT_THAT(refused.err, HasSubstr("stack.yaml:5:7: services.app.networks.default.ipv6_address: 'fd5c::1' is outside the IPv6 subnet of network 'default'"));
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;

  write_dual_stack(25);
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  const std::string web6 = prefix6_ + "2";  // the first free host: ::1 is the gateway
  const std::string client6 = prefix6_ + "a0";
  const std::string bridge = net::bridge_name(project_ + "_default");
  EXPECT_THAT(sh("ip -6 addr show dev " + bridge), HasSubstr(prefix6_ + "1/64"));
  expect_addresses(web6, client6);
  // One table of family inet: the isolation rules hold for IPv6 too.
  EXPECT_THAT(sh("nft list table inet " + bridge + " 2>&1"), HasSubstr("iifname \"stk-*\""));

  // AAAA from the network's server (on its IPv4 gateway, as containers use it); A unchanged.
  Outcome aaaa = stack("exec -T client nslookup -type=AAAA web " + prefix_ + "1");
  EXPECT_EQ(aaaa.code, 0) << aaaa.err;
  EXPECT_THAT(aaaa.out, HasSubstr("Address: " + web6));
  const std::string web4 = ps()[container("web")]["Networks"][project_ + "_default"];
  Outcome a = stack("exec -T client nslookup -type=A web " + prefix_ + "1");
  EXPECT_THAT(a.out, HasSubstr("Address: " + web4));
  EXPECT_THAT(a.out, Not(HasSubstr(web6)));
  Outcome ptr = stack("exec -T client nslookup " + web6 + " " + prefix_ + "1");
  EXPECT_THAT(ptr.out, HasSubstr("ip6.arpa\tname = " + container("web"))) << ptr.err;

  EXPECT_THAT(exec("web", "cat /etc/hosts"), HasSubstr(client6 + "\tclient " + container("client")));
  EXPECT_THAT(stack("config").out, HasSubstr("enable_ipv6: true"));
  EXPECT_THAT(stack("inspect " + container("client")).out, HasSubstr("\"GlobalIPv6Address\": \"" + client6 + "\""));

  Outcome down = stack("down -t 0");
  ASSERT_EQ(down.code, 0) << down.err;
  EXPECT_EQ(sh("ip -o addr | grep -c -F " + shell_quote(prefix6_)), "0\n") << "IPv6 address left";
  EXPECT_FALSE(std::filesystem::exists(root_ / ("networks/" + project_ + "_default.json")));
}

TEST_F(Ipv6Network, ADeletedBridgeComesBackWithItsIpv6Addresses) {
  start(26);
  write_dual_stack(26);
  ASSERT_EQ(stack("up -d").code, 0);
  const std::string web6 = prefix6_ + "2";
  const std::string client6 = prefix6_ + "a0";
  ASSERT_THAT(page_over_v6(web6), HasSubstr("served-over-v6"));
  const std::string bridge = net::bridge_name(project_ + "_default");
  ASSERT_EQ(std::system(("ip link del " + bridge).c_str()), 0);
  Outcome again = stack("up -d");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_THAT(again.out + again.err, HasSubstr("Reattached"));
  EXPECT_THAT(sh("ip -6 addr show dev " + bridge), HasSubstr(prefix6_ + "1/64"));
  expect_addresses(web6, client6);
}

}  // namespace
}  // namespace stack::e2e
