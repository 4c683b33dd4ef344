// --cache-from / --cache-to values (BuildKit's CSV form): only type=local is read.
#include <gtest/gtest.h>

#include "util/build_cache_option.hpp"

namespace stack::util {
namespace {

TEST(BuildCacheOption, LocalDirectories) {
  EXPECT_EQ(parse_cache_option("type=local,src=/ci/cache", CacheDirection::from).value_or(""), "/ci/cache");
  EXPECT_EQ(parse_cache_option("src=rel,type=local", CacheDirection::from).value_or(""), "rel");
  EXPECT_EQ(parse_cache_option("type=local,dest=out", CacheDirection::to).value_or(""), "out");
  EXPECT_EQ(parse_cache_option("type=local,dest=out,mode=max", CacheDirection::to).value_or(""), "out");
  EXPECT_EQ(parse_cache_option("type=local,dest=out,mode=min", CacheDirection::to).value_or(""), "out");
}

TEST(BuildCacheOption, EverythingElseIsOneLineWithTheReason) {
  struct Case {
    const char* value;
    CacheDirection direction;
    const char* error;
  };
  for (const Case& c : {
           Case{"app:cache", CacheDirection::from,
                "'app:cache': an image reference is a registry cache, which stack does not read (its step cache has "
                "its own format): use type=local,src=DIR"},
           Case{"type=gha", CacheDirection::to,
                "'type=gha': type=gha is not supported: stack's step cache has its own format and is exported to and "
                "imported from directories (type=local,dest=DIR)"},
           Case{"src=x", CacheDirection::from, "'src=x': no type (type=local,src=DIR)"},
           Case{"type=local", CacheDirection::from, "'type=local': no src=DIR"},
           Case{"type=local,dest=", CacheDirection::to, "'type=local,dest=': no dest=DIR"},
           Case{"type=local,src=x,mode=max", CacheDirection::from, "'type=local,src=x,mode=max': unexpected field 'mode=max'"},
           Case{"type=local,dest=x,mode=all", CacheDirection::to, "'type=local,dest=x,mode=all': unexpected field 'mode=all'"},
           Case{"type=local,,src=x", CacheDirection::from, "'type=local,,src=x': expected KEY=VALUE fields, got ''"},
       }) {
    auto r = parse_cache_option(c.value, c.direction);
    ASSERT_FALSE(r) << c.value;
    EXPECT_EQ(r.error().message(), c.error);
  }
}

}  // namespace
}  // namespace stack::util
