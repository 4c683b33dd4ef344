// --cache-from / --cache-to values (BuildKit's CSV form): local directories and registry tags,
// a bare image reference as a registry's, inline as an export; everything else refused in one
// line with the reason.
#include <gtest/gtest.h>

#include "util/build_cache_option.hpp"

namespace stack::util {
namespace {

std::string local(std::string_view value, CacheDirection direction) {
  auto r = parse_cache_option(value, direction);
  if (!r) return "error: " + r.error().message();
  return r->type == CacheType::local ? r->location : "registry: " + r->location;
}

std::string registry(std::string_view value, CacheDirection direction) {
  auto r = parse_cache_option(value, direction);
  if (!r) return "error: " + r.error().message();
  return r->type == CacheType::registry ? r->location : "local: " + r->location;
}

TEST(BuildCacheOption, LocalDirectories) {
  EXPECT_EQ(local("type=local,src=/ci/cache", CacheDirection::from), "/ci/cache");
  EXPECT_EQ(local("src=rel,type=local", CacheDirection::from), "rel");
  EXPECT_EQ(local("type=local,dest=out", CacheDirection::to), "out");
  EXPECT_EQ(local("type=local,dest=out,mode=max", CacheDirection::to), "out");
  EXPECT_EQ(local("type=local,dest=out,mode=min", CacheDirection::to), "out");
}

TEST(BuildCacheOption, RegistryTagsAndTheBareShorthand) {
  EXPECT_EQ(registry("type=registry,ref=127.0.0.1:5000/app:cache", CacheDirection::from), "127.0.0.1:5000/app:cache");
  EXPECT_EQ(registry("ref=registry.example/team/app:buildcache,type=registry", CacheDirection::from),
            "registry.example/team/app:buildcache");
  EXPECT_EQ(registry("type=registry,ref=localhost:5000/app:cache,mode=max", CacheDirection::to), "localhost:5000/app:cache");
  EXPECT_EQ(registry("type=registry,ref=app,mode=min", CacheDirection::to), "app");
  EXPECT_EQ(registry("myapp:latest", CacheDirection::from), "myapp:latest");  // BuildKit's shorthand
  EXPECT_EQ(registry("user/app:cache", CacheDirection::to), "user/app:cache");
  const std::string digest = "sha256:" + std::string(64, 'a');
  EXPECT_EQ(registry("type=registry,ref=app@" + digest, CacheDirection::from), "app@" + digest);
}

TEST(BuildCacheOption, InlineIsAnExport) {
  auto r = parse_cache_option("type=inline", CacheDirection::to);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, (CacheOption{CacheType::in_image, ""}));
}

TEST(BuildCacheOption, TheCsvFormParsesBack) {
  for (auto direction : {CacheDirection::from, CacheDirection::to}) {
    for (const CacheOption& c : {CacheOption{CacheType::local, "/ci/cache"}, CacheOption{CacheType::registry, "app:cache"}}) {
      auto again = parse_cache_option(cache_option_text(c, direction), direction);
      ASSERT_TRUE(again) << again.error().message();
      EXPECT_EQ(*again, c);
    }
  }
  EXPECT_EQ(cache_option_text({CacheType::in_image, ""}, CacheDirection::to), "type=inline");
  EXPECT_EQ(cache_option_text({CacheType::registry, "app:cache"}, CacheDirection::to), "type=registry,ref=app:cache");
  EXPECT_EQ(cache_option_text({CacheType::local, "/d"}, CacheDirection::from), "type=local,src=/d");
}

TEST(BuildCacheOption, EverythingElseIsOneLineWithTheReason) {
  struct Case {
    const char* value;
    CacheDirection direction;
    const char* error;
  };
  const std::string kinds = "stack's step cache has its own format, kept in a directory (type=local), a registry "
                            "(type=registry,ref=IMAGE) or the image built (type=inline)";
  for (const Case& c : {
           Case{"type=gha", CacheDirection::to, nullptr},
           Case{"type=azblob", CacheDirection::to, nullptr},
           Case{"type=s3,region=x", CacheDirection::from, nullptr},
       }) {
    auto r = parse_cache_option(c.value, c.direction);
    ASSERT_FALSE(r) << c.value;
    std::string type = std::string(c.value).substr(5, std::string(c.value).find(',') - 5);
    EXPECT_EQ(r.error().message(), "'" + std::string(c.value) + "': type=" + type + " is not supported: " + kinds);
  }
  for (const Case& c : {
           Case{"src=x", CacheDirection::from, "'src=x': no type (type=local,src=DIR or type=registry,ref=IMAGE)"},
           Case{"type=local", CacheDirection::from, "'type=local': no src=DIR"},
           Case{"type=local,dest=", CacheDirection::to, "'type=local,dest=': no dest=DIR"},
           Case{"type=registry", CacheDirection::from, "'type=registry': no ref=IMAGE"},
           Case{"type=inline", CacheDirection::from,
                "'type=inline': an inline cache is read from the image it was built into: type=registry,ref=IMAGE"},
           Case{"type=inline,mode=max", CacheDirection::to, "'type=inline,mode=max': type=inline takes no other field"},
           Case{"type=local,src=x,mode=max", CacheDirection::from, "'type=local,src=x,mode=max': unexpected field 'mode=max'"},
           Case{"type=local,dest=x,mode=all", CacheDirection::to, "'type=local,dest=x,mode=all': unexpected field 'mode=all'"},
           Case{"type=registry,ref=a,dest=x", CacheDirection::to, "'type=registry,ref=a,dest=x': unexpected field 'dest=x'"},
           Case{"type=registry,ref=a,mode=max", CacheDirection::from, "'type=registry,ref=a,mode=max': unexpected field 'mode=max'"},
           Case{"type=local,,src=x", CacheDirection::from, "'type=local,,src=x': expected KEY=VALUE fields, got ''"},
           Case{"type=registry,ref=App:cache", CacheDirection::from,
                "'type=registry,ref=App:cache': invalid reference 'App:cache': repository name must be lowercase"},
           Case{"My App", CacheDirection::from,
                "'My App': invalid reference 'My App': repository name must be lowercase"},
           Case{"type=registry,ref=app:bad tag", CacheDirection::to,
                "'type=registry,ref=app:bad tag': invalid reference 'app:bad tag': invalid tag 'bad tag'"},
           Case{"type=registry,ref=app@sha256:12", CacheDirection::from,
                "'type=registry,ref=app@sha256:12': invalid reference 'app@sha256:12': invalid digest 'sha256:12': "
                "want 64 lower-case hex digits"},
       }) {
    auto r = parse_cache_option(c.value, c.direction);
    ASSERT_FALSE(r) << c.value;
    EXPECT_EQ(r.error().message(), c.error);
  }
  const std::string digest = "sha256:" + std::string(64, 'a');
  auto to_digest = parse_cache_option("type=registry,ref=app@" + digest, CacheDirection::to);
  ASSERT_FALSE(to_digest);
  EXPECT_EQ(to_digest.error().message(),
            "'type=registry,ref=app@" + digest + "': a cache is exported under a tag, not a digest");
}

}  // namespace
}  // namespace stack::util
