// Names a network does not own are forwarded by default, as docker's embedded DNS does: a
// container resolves a name that only a fake upstream on 127.0.0.1 knows, with nothing configured
// but the upstream (--dns-upstream, as a host's resolv.conf would give it). Turned off per network
// or for the host, the server answers SERVFAIL and asks no one; service names always win.
#include <algorithm>

#include "e2e_fixture.hpp"
#include "support/fake_dns_upstream.hpp"

namespace stack::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class DnsForwarding : public StackTest {
 protected:
  void use_upstream(const test::FakeDnsUpstream& upstream) {
    ::unsetenv("STACK_DNS_FORWARD");  // the default, which start() turned off for other tests
    ::setenv("STACK_DNS_UPSTREAM", upstream.address().c_str(), 1);
  }

  static constexpr const char* kServices =
      "  web:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "  client:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n";
};

TEST_F(DnsForwarding, OutsideNamesResolveByDefaultAndServiceNamesWin) {
  start(44);
  test::FakeDnsUpstream upstream;
  use_upstream(upstream);
  write_stack(kServices);
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;

  Outcome outside = stack("exec -T client nslookup api.outside.test");
  EXPECT_EQ(outside.code, 0) << outside.out << outside.err;
  EXPECT_THAT(outside.out, HasSubstr("Address: " + test::FakeDnsUpstream::answer().str()));
  EXPECT_GE(upstream.queries(), 1);

  const int asked = upstream.queries();
  std::string web_ip = ps()[container("web")]["Networks"][project_ + "_default"];
  Outcome own = stack("exec -T client nslookup web");
  EXPECT_EQ(own.code, 0) << own.err;
  EXPECT_THAT(own.out, HasSubstr("Address: " + web_ip));
  EXPECT_THAT(own.out, Not(HasSubstr(test::FakeDnsUpstream::answer().str())));
  EXPECT_EQ(upstream.queries(), asked) << "a service name went upstream";
}

TEST_F(DnsForwarding, ANetworkThatTurnsItOffAnswersServfailAndAsksNoOne) {
  start(45);
  test::FakeDnsUpstream upstream;
  use_upstream(upstream);
  write_stack(kServices);
  std::string text = test::read_text(file());
  text += "    driver_opts:\n      stack.dns.forward: \"false\"\n";
  ASSERT_TRUE(test::write_text(file(), text));
  ASSERT_EQ(stack("up -d").code, 0);

  Outcome outside = stack("exec -T client nslookup api.outside.test");
  EXPECT_NE(outside.code, 0) << outside.out;
  EXPECT_THAT(outside.out + outside.err, Not(HasSubstr(test::FakeDnsUpstream::answer().str())));
  EXPECT_EQ(upstream.queries(), 0);
  EXPECT_EQ(stack("exec -T client nslookup web").code, 0);
}

TEST_F(DnsForwarding, TheHostWideSwitchTurnsItOff) {
  start(46);
  test::FakeDnsUpstream upstream;
  use_upstream(upstream);
  ::setenv("STACK_DNS_FORWARD", "false", 1);
  write_stack(kServices);
  ASSERT_EQ(stack("up -d").code, 0);
  EXPECT_NE(stack("exec -T client nslookup api.outside.test").code, 0);
  EXPECT_EQ(upstream.queries(), 0);
}

TEST_F(DnsForwarding, ABadUpstreamIsOneLineBeforeAnythingIsMade) {
  start(47);
  ::setenv("STACK_DNS_UPSTREAM", "not-an-address", 1);
  write_stack(kServices);
  Outcome up = stack("up -d");
  EXPECT_EQ(up.code, 1);
  EXPECT_THAT(up.err, HasSubstr("--dns-upstream"));
  EXPECT_EQ(std::count(up.err.begin(), up.err.end(), '\n'), 1) << up.err;
  ::unsetenv("STACK_DNS_UPSTREAM");
}

}  // namespace
}  // namespace stack::e2e
