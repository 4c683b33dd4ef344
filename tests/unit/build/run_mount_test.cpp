#include "build/run_mount.hpp"

#include <gtest/gtest.h>

namespace stack::build {
namespace {

RunMount ok(std::string_view text) {
  auto m = parse_run_mount(text);
  EXPECT_TRUE(m) << text << ": " << m.error().message();
  return m ? *m : RunMount{};
}

std::string error(std::string_view text) {
  auto m = parse_run_mount(text);
  EXPECT_FALSE(m) << text;
  return m ? "" : m.error().message();
}

TEST(RunMount, Cache) {
  RunMount m = ok("type=cache,target=/root/.cache,sharing=locked,mode=0700,uid=1000,gid=50");
  EXPECT_EQ(m.type, RunMount::Type::cache);
  EXPECT_EQ(m.target, "/root/.cache");
  EXPECT_EQ(m.id, "/root/.cache");  // the target when no id is given
  EXPECT_EQ(m.sharing, RunMount::Sharing::locked);
  EXPECT_EQ(m.mode, 0700u);
  EXPECT_EQ(m.uid, 1000u);
  EXPECT_EQ(m.gid, 50u);
  EXPECT_FALSE(m.read_only);
  RunMount named = ok("type=cache,id=go,dst=cache,ro");
  EXPECT_EQ(named.id, "go");
  EXPECT_EQ(named.target, "cache");
  EXPECT_TRUE(named.read_only);
  EXPECT_EQ(ok("type=cache,target=/c,sharing=private").sharing, RunMount::Sharing::locked);
  EXPECT_EQ(ok("type=cache,destination=/c,sharing=shared").sharing, RunMount::Sharing::shared);
}

TEST(RunMount, Tmpfs) {
  RunMount m = ok("type=tmpfs,target=/scratch,size=64m");
  EXPECT_EQ(m.type, RunMount::Type::tmpfs);
  EXPECT_EQ(m.size, 64u * 1024 * 1024);
  EXPECT_EQ(ok("type=tmpfs,target=/t").size, 0u);
}

TEST(RunMount, Errors) {
  EXPECT_EQ(error("target=/src"), "--mount: type=bind is not supported yet");  // bind is the default
  EXPECT_EQ(error("type=secret,id=x"), "--mount: type=secret is not supported yet");
  EXPECT_EQ(error("type=ssh"), "--mount: type=ssh is not supported yet");
  EXPECT_EQ(error("type=volume,target=/x"), "--mount: unknown type 'volume' (cache, tmpfs, bind, secret or ssh)");
  EXPECT_EQ(error("type=cache"), "--mount: type=cache needs a target");
  EXPECT_EQ(error("type=cache,target=/c,colour=red"), "--mount: unknown option 'colour'");
  EXPECT_EQ(error("type=cache,target=/c,from=builder"), "--mount: from= is not supported yet");
  EXPECT_EQ(error("type=cache,target=/c,sharing=maybe"), "--mount: sharing='maybe': expected shared, private or locked");
  EXPECT_EQ(error("type=cache,target=/c,mode=9"), "--mount: mode='9' is not a number");
  EXPECT_EQ(error("type=cache,target=/c,ro=perhaps"), "--mount: ro='perhaps': expected true or false");
  EXPECT_EQ(error("type=tmpfs,target=/t,size=lots"), "--mount: size='lots' is not a size");
}

}  // namespace
}  // namespace stack::build
