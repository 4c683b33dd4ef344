#include "build/run_mount.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "support/rootfs.hpp"

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

TEST(RunMount, Ssh) {
  RunMount m = ok("type=ssh");
  EXPECT_EQ(m.type, RunMount::Type::ssh);
  EXPECT_EQ(m.id, "default");
  EXPECT_EQ(m.target, "");  // /run/buildkit/ssh_agent.N when the step runs
  EXPECT_TRUE(m.read_only);
  EXPECT_FALSE(m.required);
  RunMount named = ok("type=ssh,id=gitlab,target=/agent.sock,required");
  EXPECT_EQ(named.id, "gitlab");
  EXPECT_EQ(named.target, "/agent.sock");
  EXPECT_TRUE(named.required);
  EXPECT_EQ(ok("type=ssh,mode=0600,uid=0,gid=0").mode, 0600u);  // the defaults, written out
}

TEST(RunMount, CacheFromAStage) {
  RunMount m = ok("type=cache,target=/c,from=deps,source=/opt/cache");
  EXPECT_EQ(m.from, "deps");
  EXPECT_EQ(m.source, "/opt/cache");
  EXPECT_EQ(m.id, "/c");
}

// A cache directory with from= starts as the seed's files, once: later opens find it as the steps
// left it; another seed (other files) is another directory. No chown: the seed's owners stay.
TEST(RunMount, ACacheDirectoryIsSeededOncePerSeed) {
  test::TempDir root("stack-cache-seed");
  RunMount m = ok("type=cache,target=/c,from=deps,id=x");
  int fills = 0;
  auto seed_with = [&](std::string key, std::string text) {
    return CacheSeed{std::move(key), [&fills, text](const std::string& dir) -> Result<void> {
                       ++fills;
                       std::filesystem::create_directories(dir);
                       EXPECT_TRUE(test::write_text(dir + "/f", text));
                       return util::ok();
                     }};
  };
  CacheSeed a = seed_with("digest-a", "a");
  auto first = open_cache_dir(root.path(), m, &a);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(test::read_text(first->path + "/f"), "a");
  ASSERT_TRUE(test::write_text(first->path + "/f", "changed by a step"));
  auto again = open_cache_dir(root.path(), m, &a);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->path, first->path);
  EXPECT_EQ(test::read_text(again->path + "/f"), "changed by a step");
  EXPECT_EQ(fills, 1);
  CacheSeed b = seed_with("digest-b", "b");
  auto other = open_cache_dir(root.path(), m, &b);
  ASSERT_TRUE(other);
  EXPECT_NE(other->path, first->path);
  EXPECT_EQ(test::read_text(other->path + "/f"), "b");
  // Nothing is left aside.
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(first->path).parent_path())) {
    EXPECT_FALSE(e.path().filename().string().starts_with(".seed")) << e.path();
  }
}

TEST(RunMount, Tmpfs) {
  RunMount m = ok("type=tmpfs,target=/scratch,size=64m");
  EXPECT_EQ(m.type, RunMount::Type::tmpfs);
  EXPECT_EQ(m.size, 64u * 1024 * 1024);
  EXPECT_EQ(ok("type=tmpfs,target=/t").size, 0u);
}

// Bind is BuildKit's default type, read-only unless rw.
TEST(RunMount, Bind) {
  RunMount m = ok("target=/src");
  EXPECT_EQ(m.type, RunMount::Type::bind);
  EXPECT_TRUE(m.read_only);
  EXPECT_EQ(m.source, "");
  EXPECT_EQ(m.from, "");
  RunMount from = ok("type=bind,from=builder,source=/out,target=/in,rw");
  EXPECT_EQ(from.from, "builder");
  EXPECT_EQ(from.source, "/out");
  EXPECT_FALSE(from.read_only);
  EXPECT_EQ(ok("type=bind,src=go.mod,dst=go.mod,readwrite=true").source, "go.mod");
  EXPECT_TRUE(ok("type=bind,target=/x,rw=false").read_only);
}

TEST(RunMount, Secret) {
  RunMount m = ok("type=secret,id=npmrc");
  EXPECT_EQ(m.type, RunMount::Type::secret);
  EXPECT_EQ(m.target, "/run/secrets/npmrc");
  EXPECT_EQ(m.mode, 0400u);
  EXPECT_FALSE(m.required);
  RunMount by_target = ok("type=secret,target=/root/.npmrc,mode=0440,uid=1000,required");
  EXPECT_EQ(by_target.id, ".npmrc");  // the target's base name
  EXPECT_EQ(by_target.mode, 0440u);
  EXPECT_EQ(by_target.uid, 1000u);
  EXPECT_TRUE(by_target.required);
  RunMount as_env = ok("type=secret,id=token,env=TOKEN");
  EXPECT_EQ(as_env.env, "TOKEN");
  EXPECT_EQ(as_env.target, "");  // a variable only
  EXPECT_EQ(ok("type=secret,id=token,env=TOKEN,target=/t").target, "/t");
}

TEST(RunMount, Errors) {
  EXPECT_EQ(error("type=ssh,mode=0666"), "--mount: type=ssh: uid, gid and mode are not supported (the agent's own socket is mounted)");
  EXPECT_EQ(error("type=ssh,uid=1000"), "--mount: type=ssh: uid, gid and mode are not supported (the agent's own socket is mounted)");
  EXPECT_EQ(error("type=ssh,size=1m"), "--mount: size= does not apply to type=ssh");
  EXPECT_EQ(error("type=volume,target=/x"), "--mount: unknown type 'volume' (cache, tmpfs, bind, secret or ssh)");
  EXPECT_EQ(error("type=cache"), "--mount: type=cache needs a target");
  EXPECT_EQ(error("source=x"), "--mount: type=bind needs a target");
  EXPECT_EQ(error("type=secret"), "--mount: type=secret needs an id or a target");
  EXPECT_EQ(error("type=cache,target=/c,colour=red"), "--mount: unknown option 'colour'");
  EXPECT_EQ(error("type=cache,target=/c,env=X"), "--mount: unknown option 'env'");
  EXPECT_EQ(error("type=tmpfs,target=/t,from=builder"), "--mount: from= does not apply to type=tmpfs");
  EXPECT_EQ(error("type=tmpfs,target=/t,source=x"), "--mount: source= does not apply to type=tmpfs");
  EXPECT_EQ(error("type=bind,target=/t,size=1m"), "--mount: size= does not apply to type=bind");
  EXPECT_EQ(error("type=bind,target=/t,required"), "--mount: required= does not apply to type=bind");
  EXPECT_EQ(error("type=cache,target=/c,sharing=maybe"), "--mount: sharing='maybe': expected shared, private or locked");
  EXPECT_EQ(error("type=cache,target=/c,mode=9"), "--mount: mode='9' is not a number");
  EXPECT_EQ(error("type=cache,target=/c,ro=perhaps"), "--mount: ro='perhaps': expected true or false");
  EXPECT_EQ(error("type=tmpfs,target=/t,size=lots"), "--mount: size='lots' is not a size");
}

}  // namespace
}  // namespace stack::build
