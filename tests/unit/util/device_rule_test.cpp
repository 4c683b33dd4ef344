// Device rules as docker's --device-cgroup-rule and the v1 devices files spell them.
#include <gtest/gtest.h>

#include "util/device_rule.hpp"

namespace stack::util {
namespace {

TEST(DeviceRule, ParsesTypeNumbersAndAccess) {
  auto r = parse_device_rule("c 1:3 rwm");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, (DeviceRule{DeviceType::character, 1, 3, kAccessAll}));
  r = parse_device_rule("b 8:* r");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (DeviceRule{DeviceType::block, 8, std::nullopt, kAccessRead}));
  r = parse_device_rule("a *:* m");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (DeviceRule{DeviceType::all, std::nullopt, std::nullopt, kAccessMknod}));
}

TEST(DeviceRule, ABareAIsEveryDeviceAndEveryAccess) {
  auto r = parse_device_rule("a");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, DeviceRule{});
  EXPECT_EQ(to_string(*r), "a *:* rwm");
}

TEST(DeviceRule, PrintsInTheDevicesAllowShape) {
  EXPECT_EQ(to_string(DeviceRule{DeviceType::character, 136, std::nullopt, kAccessAll}), "c 136:* rwm");
  EXPECT_EQ(to_string(DeviceRule{DeviceType::block, 7, 0, kAccessRead | kAccessWrite}), "b 7:0 rw");
  for (const char* text : {"c 1:3 rwm", "b 8:* r", "a *:* m", "c 10:200 wm"}) {
    auto r = parse_device_rule(text);
    ASSERT_TRUE(r) << text;
    EXPECT_EQ(to_string(*r), text);
  }
}

TEST(DeviceRule, RefusesMalformedRulesSayingWhy) {
  struct Case {
    const char* text;
    const char* why;
  };
  for (const Case& c : {Case{"", "empty"}, Case{"x 1:3 rwm", "type must be a, b or c"},
                        Case{"c 1:3", "expected 'TYPE MAJOR:MINOR ACCESS'"}, Case{"c 13 rwm", "expected MAJOR:MINOR"},
                        Case{"c one:3 rwm", "major 'one' is not a number"}, Case{"c 1:-3 rwm", "minor '-3'"},
                        Case{"c 1:3 rwx", "not a subset of 'rwm'"}, Case{"c 1:3 rr", "not a subset of 'rwm'"},
                        Case{"c 1:3 ", "no access given"}}) {
    auto r = parse_device_rule(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_NE(r.error().message().find(c.why), std::string::npos) << c.text << ": " << r.error().message();
    EXPECT_NE(r.error().message().find(std::string("'") + c.text + "'"), std::string::npos) << r.error().message();
  }
}

TEST(DeviceAccess, IsASubsetOfRwm) {
  EXPECT_EQ(*parse_device_access("r"), kAccessRead);
  EXPECT_EQ(*parse_device_access("mw"), kAccessMknod | kAccessWrite);
  EXPECT_FALSE(parse_device_access(""));
  EXPECT_FALSE(parse_device_access("rwmr"));
  EXPECT_FALSE(parse_device_access("R"));
}

}  // namespace
}  // namespace stack::util
