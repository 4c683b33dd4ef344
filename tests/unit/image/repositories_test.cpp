#include "image/repositories.hpp"

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

namespace stack::image {
namespace {

Digest digest(char c) { return *Digest::parse("sha256:" + std::string(64, c)); }

TEST(Repositories, RoundTripThroughFile) {
  char tmpl[] = "/tmp/stack-repos-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/repositories.json";
  Repositories r;
  EXPECT_TRUE(r.set_tag("docker.io/library/busybox:latest", digest('a')));
  EXPECT_TRUE(r.set_tag("ghcr.io/a/b:1", digest('b')));
  EXPECT_TRUE(r.add_image(digest('c')));  // untagged
  ASSERT_TRUE(r.save(path));
  auto loaded = Repositories::load(path);
  std::filesystem::remove_all(tmpl);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(*loaded, r);
  EXPECT_EQ(loaded->resolve_tag("ghcr.io/a/b:1"), digest('b'));
  EXPECT_EQ(loaded->images().size(), 3u);
}

TEST(Repositories, MissingFileIsEmpty) {
  auto r = Repositories::load("/nonexistent/stack/repositories.json");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->images().empty());
}

TEST(Repositories, ChangesAreReported) {
  Repositories r;
  EXPECT_TRUE(r.set_tag("x:1", digest('a')));
  EXPECT_FALSE(r.set_tag("x:1", digest('a')));
  EXPECT_TRUE(r.set_tag("x:1", digest('b')));  // moved
  EXPECT_TRUE(r.remove_tag("x:1"));
  EXPECT_FALSE(r.remove_tag("x:1"));
  EXPECT_TRUE(r.has_image(digest('a')));  // untagging keeps the image
}

TEST(Repositories, RemoveImageDropsItsTags) {
  Repositories r;
  r.set_tag("x:1", digest('a'));
  r.set_tag("x:2", digest('a'));
  r.set_tag("y:1", digest('b'));
  EXPECT_EQ(r.tags_of(digest('a')), (std::vector<std::string>{"x:1", "x:2"}));
  EXPECT_TRUE(r.remove_image(digest('a')));
  EXPECT_TRUE(r.tags_of(digest('a')).empty());
  EXPECT_EQ(r.tags().size(), 1u);
}

TEST(Repositories, RejectsBadFiles) {
  EXPECT_FALSE(Repositories::parse("not json"));
  EXPECT_FALSE(Repositories::parse(R"({"version": 2})"));
  EXPECT_FALSE(Repositories::parse(R"({"version": "1"})"));
  auto bad = Repositories::parse(R"({"version": 1, "tags": {"x:1": "sha256:zz"}})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("tag 'x:1'"), std::string::npos) << bad.error().message();
}

TEST(Repositories, TagImpliesImage) {
  auto r = Repositories::parse(R"({"version": 1, "tags": {"x:1": "sha256:)" + std::string(64, 'd') + R"("}})");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->has_image(digest('d')));
}

// When each tag was last set survives the round trip, and goes with its tag.
TEST(Repositories, TagTimesRoundTripAndLeaveWithTheirTag) {
  Repositories r;
  r.set_tag("x:1", digest('a'));
  r.set_tag("x:2", digest('a'));
  r.set_tag_time("x:1", 1700000000);
  r.set_tag_time("x:2", 1700000100);
  auto back = Repositories::parse(r.to_json());
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->tag_time("x:1"), 1700000000);
  EXPECT_EQ(*back, r);
  EXPECT_TRUE(back->remove_tag("x:1"));
  EXPECT_EQ(back->tag_time("x:1"), std::nullopt);
  EXPECT_TRUE(back->remove_image(digest('a')));
  EXPECT_EQ(back->tag_time("x:2"), std::nullopt);
  auto old = Repositories::parse(R"({"version": 1, "tags": {"x:1": ")" + digest('a').str() + R"("}})");
  ASSERT_TRUE(old) << old.error().message();
  EXPECT_EQ(old->tag_time("x:1"), std::nullopt);  // written before times were kept
}

}  // namespace
}  // namespace stack::image
