#include "util/ip.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/addresses.hpp"

namespace stack::util {
namespace {

using ::testing::HasSubstr;

using ::stack::test::subnet;

TEST(Ipv4, ParsesAndFormatsDottedQuads) {
  auto address = Ipv4::parse("10.231.1.7");
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(address->value, 0x0ae70107u);
  EXPECT_EQ(address->str(), "10.231.1.7");
  EXPECT_EQ(Ipv4{0xffffffff}.str(), "255.255.255.255");
  for (const char* bad : {"", "10.231.1", "10.231.1.256", "010.1.1.1x", "1.2.3.4/24", "::1"})
    EXPECT_FALSE(Ipv4::parse(bad).has_value()) << bad;
}

TEST(Subnet, ParsesAndRejectsHostBits) {
  const Subnet s = subnet("10.231.1.0/24");
  EXPECT_EQ(s.str(), "10.231.1.0/24");
  EXPECT_EQ(s.broadcast().str(), "10.231.1.255");
  EXPECT_EQ(s.size(), 256u);
  EXPECT_EQ(subnet("0.0.0.0/0").mask(), 0u);
  EXPECT_EQ(subnet("1.2.3.4/32").size(), 1u);
  auto bad = Subnet::parse("10.231.1.1/24");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message(), HasSubstr("did you mean '10.231.1.0/24'"));
  for (const char* text : {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/2x"})
    EXPECT_FALSE(Subnet::parse(text).has_value()) << text;
}

TEST(Subnet, ContainsAndOverlaps) {
  const Subnet big = subnet("172.16.0.0/12");
  const Subnet small = subnet("172.20.1.0/24");
  EXPECT_TRUE(big.contains(small));
  EXPECT_FALSE(small.contains(big));
  EXPECT_TRUE(big.overlaps(small));
  EXPECT_TRUE(small.overlaps(big));
  EXPECT_FALSE(small.overlaps(subnet("172.20.2.0/24")));
  EXPECT_TRUE(small.contains(*Ipv4::parse("172.20.1.255")));
  EXPECT_FALSE(small.contains(*Ipv4::parse("172.20.2.0")));
  EXPECT_EQ(Subnet::containing(*Ipv4::parse("10.1.2.3"), 16).str(), "10.1.0.0/16");
}

TEST(Ipv4Interface, KeepsTheHostPart) {
  auto iface = Ipv4Interface::parse("10.231.1.2/24");
  ASSERT_TRUE(iface.has_value());
  EXPECT_EQ(iface->str(), "10.231.1.2/24");
  EXPECT_EQ(iface->subnet().str(), "10.231.1.0/24");
  EXPECT_FALSE(Ipv4Interface::parse("10.231.1.2").has_value());
}

}  // namespace
}  // namespace stack::util
