// A registry cache's records (its config, an inline cache's field): written and read back, and
// records that are not stack's refused with the reason.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "build/registry_cache.hpp"

namespace stack::build {
namespace {

image::Digest digest_of(const std::string& text) { return image::Digest::of(text); }

TEST(RegistryCacheRecords, WrittenAndReadBack) {
  image::LayerInfo layer{digest_of("blob"), digest_of("tar"), "application/vnd.oci.image.layer.v1.tar", 42};
  UsedSteps steps{{"k1", CachedStep{layer}}, {"k2", CachedStep{}}};
  nlohmann::json records = cache_records(steps);
  auto parsed = parse_cache_records(nlohmann::json::parse(records.dump()));
  ASSERT_TRUE(parsed) << parsed.error().message();
  ASSERT_EQ(parsed->size(), 2u);
  ASSERT_TRUE(parsed->at("k1").layer.has_value());
  EXPECT_EQ(parsed->at("k1").layer->blob, layer.blob);
  EXPECT_EQ(parsed->at("k1").layer->diff_id, layer.diff_id);
  EXPECT_EQ(parsed->at("k1").layer->media_type, layer.media_type);
  EXPECT_EQ(parsed->at("k1").layer->size, 42);
  EXPECT_FALSE(parsed->at("k2").layer.has_value());
  EXPECT_TRUE(parse_cache_records(cache_records({}))->empty());
}

TEST(RegistryCacheRecords, OthersAreRefused) {
  auto no_steps = parse_cache_records(nlohmann::json{{"architecture", "amd64"}});
  ASSERT_FALSE(no_steps);
  EXPECT_EQ(no_steps.error().message(), "the cache's records have no steps");
  auto bad = parse_cache_records(nlohmann::json::parse(R"({"steps": {"k": {"layer": {"blob": "sha256:12"}}}})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "the cache's record of step 'k' is not one");
  EXPECT_FALSE(parse_cache_records(nlohmann::json::parse(R"({"steps": {"k": 3}})")));
}

}  // namespace
}  // namespace stack::build
