#include "runtime/container/user.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/rootfs.hpp"

namespace stack::runtime {
namespace {

using ::testing::ElementsAre;

constexpr const char* kPasswd =
    "# comment\n"
    "root:x:0:0:root:/root:/bin/sh\n"
    "broken line\n"
    "web:x:33:33:www:/var/www:/usr/sbin/nologin\n"
    "app:x:1000:1000::/home/app:/bin/sh\r\n"
    "bad:x:notanumber:1:::\n";
constexpr const char* kGroup =
    "root:x:0:\n"
    "www-data:x:33:\n"
    "staff:x:50:app,web\n"
    "audio:x:29:app\n"
    "app:x:1000:\n";

TEST(Passwd, ParsesValidLinesAndSkipsMalformedOnes) {
  auto users = parse_passwd(kPasswd);
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(users[1].name, "web");
  EXPECT_EQ(users[1].uid, 33u);
  EXPECT_EQ(users[1].home, "/var/www");
  EXPECT_EQ(users[2].shell, "/bin/sh");  // CR stripped
}

TEST(Group, ParsesMembers) {
  auto groups = parse_group(kGroup);
  ASSERT_EQ(groups.size(), 5u);
  EXPECT_THAT(groups[2].members, ElementsAre("app", "web"));
  EXPECT_TRUE(groups[0].members.empty());
}

TEST(ResolveUser, EmptyIsRoot) {
  auto u = resolve_user("", kPasswd, kGroup);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->uid, 0u);
  EXPECT_EQ(u->gid, 0u);
  EXPECT_EQ(u->home, "/root");
}

TEST(ResolveUser, NameGivesUidGidHomeAndSupplementaryGroups) {
  auto u = resolve_user("app", kPasswd, kGroup);
  ASSERT_TRUE(u) << u.error().message();
  EXPECT_EQ(u->uid, 1000u);
  EXPECT_EQ(u->gid, 1000u);
  EXPECT_EQ(u->home, "/home/app");
  EXPECT_THAT(u->supplementary, ElementsAre(50u, 29u));
}

TEST(ResolveUser, GroupAddAppendsNamesAndIdsOnce) {
  auto u = resolve_user("app", kPasswd, kGroup);
  ASSERT_TRUE(u);
  ASSERT_TRUE(add_groups(*u, {"www-data", "4242", "staff"}, kGroup));
  EXPECT_THAT(u->supplementary, ElementsAre(50u, 29u, 33u, 4242u));  // staff was there already
  auto missing = add_groups(*u, {"wheel"}, kGroup);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "unable to find group 'wheel'");
}

TEST(ResolveUser, NumericUidInPasswdTakesItsGroup) {
  auto u = resolve_user("33", kPasswd, kGroup);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->uid, 33u);
  EXPECT_EQ(u->gid, 33u);
  EXPECT_THAT(u->supplementary, ElementsAre(50u));
}

TEST(ResolveUser, NumericUidNotInPasswdIsUsedAsIs) {
  auto u = resolve_user("4242", kPasswd, kGroup);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->uid, 4242u);
  EXPECT_EQ(u->gid, 0u);
  EXPECT_EQ(u->home, "/");
}

TEST(ResolveUser, UidColonGid) {
  auto u = resolve_user("4242:77", kPasswd, kGroup);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->uid, 4242u);
  EXPECT_EQ(u->gid, 77u);
}

TEST(ResolveUser, NameColonGroupName) {
  auto u = resolve_user("web:staff", kPasswd, kGroup);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->uid, 33u);
  EXPECT_EQ(u->gid, 50u);
  EXPECT_TRUE(u->supplementary.empty());  // staff is already the primary group
}

TEST(ResolveUser, UnknownNamesAreErrors) {
  auto u = resolve_user("ghost", kPasswd, kGroup);
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().message(), "unable to find user 'ghost'");
  auto g = resolve_user("app:ghosts", kPasswd, kGroup);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().message(), "unable to find group 'ghosts'");
}

TEST(ResolveUser, ReadsTheFilesOfTheGivenRoot) {
  test::TempDir root("stack-user");
  std::filesystem::create_directories(root / "etc");
  test::write_text(root / "etc/passwd", kPasswd);
  test::write_text(root / "etc/group", kGroup);
  auto u = resolve_user_in_root("app", root.path());
  ASSERT_TRUE(u) << u.error().message();
  EXPECT_EQ(u->uid, 1000u);
  auto missing = resolve_user_in_root("app", root / "nothing-here");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "unable to find user 'app'");
  auto numeric = resolve_user_in_root("5:6", root / "nothing-here");
  ASSERT_TRUE(numeric);
  EXPECT_EQ(numeric->gid, 6u);
}

// Which setting failed travels as the subject, so that the scheduler names the service key once.
TEST(ResolveUser, AMissingAdditionalGroupIsTheGroupAddSubject) {
  test::TempDir root("stack-user");
  std::filesystem::create_directories(root / "etc");
  test::write_text(root / "etc/passwd", kPasswd);
  test::write_text(root / "etc/group", kGroup);
  auto u = resolve_user_in_root("app", root.path(), {"audio", "ghosts"});
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().message(), "unable to find group 'ghosts'");
  EXPECT_EQ(u.error().subject(), "group_add");
  auto missing = resolve_user_in_root("ghost", root.path());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().subject(), "");  // the step ("user") is the subject
}

TEST(AddHome, OnlyWhenUnset) {
  ResolvedUser u;
  u.home = "/home/app";
  std::vector<std::string> env = {"PATH=/bin"};
  add_home(env, u);
  EXPECT_THAT(env, ElementsAre("PATH=/bin", "HOME=/home/app"));
  std::vector<std::string> set = {"HOME=/x"};
  add_home(set, u);
  EXPECT_THAT(set, ElementsAre("HOME=/x"));
}

}  // namespace
}  // namespace stack::runtime
