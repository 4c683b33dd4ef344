#include "image/reference.hpp"

#include <gtest/gtest.h>

namespace stack::image {
namespace {

const std::string kHex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Case {
  std::string input;
  std::string normalised;
  std::string familiar;
};

class ReferenceNormalise : public testing::TestWithParam<Case> {};

TEST_P(ReferenceNormalise, MatchesDocker) {
  auto ref = Reference::parse(GetParam().input);
  ASSERT_TRUE(ref) << ref.error().message();
  EXPECT_EQ(ref->str(), GetParam().normalised);
  EXPECT_EQ(ref->familiar(), GetParam().familiar);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ReferenceNormalise,
    testing::Values(
        Case{"busybox", "docker.io/library/busybox:latest", "busybox:latest"},
        Case{"redis:7", "docker.io/library/redis:7", "redis:7"},
        Case{"library/redis:7.2-alpine", "docker.io/library/redis:7.2-alpine", "redis:7.2-alpine"},
        Case{"bitnami/redis", "docker.io/bitnami/redis:latest", "bitnami/redis:latest"},
        Case{"docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
        Case{"index.docker.io/library/busybox:1", "docker.io/library/busybox:1", "busybox:1"},
        Case{"ghcr.io/a/b:1", "ghcr.io/a/b:1", "ghcr.io/a/b:1"},
        Case{"localhost:5000/x", "localhost:5000/x:latest", "localhost:5000/x:latest"},
        Case{"localhost/x", "localhost/x:latest", "localhost/x:latest"},
        Case{"127.0.0.1:5000/team/app:v1.0", "127.0.0.1:5000/team/app:v1.0", "127.0.0.1:5000/team/app:v1.0"},
        Case{"[::1]:5000/x:1", "[::1]:5000/x:1", "[::1]:5000/x:1"},
        Case{"a/b/c/d", "docker.io/a/b/c/d:latest", "a/b/c/d:latest"},
        Case{"my_app__x-y--z.w:T_1.x-", "docker.io/library/my_app__x-y--z.w:T_1.x-", "my_app__x-y--z.w:T_1.x-"},
        Case{"Foo/bar", "Foo/bar:latest", "Foo/bar:latest"},
        Case{"localhost:5000", "docker.io/library/localhost:5000", "localhost:5000"},
        Case{"busybox@sha256:" + kHex, "docker.io/library/busybox@sha256:" + kHex, "busybox@sha256:" + kHex},
        Case{"busybox:1.36@sha256:" + kHex, "docker.io/library/busybox:1.36@sha256:" + kHex,
             "busybox:1.36@sha256:" + kHex}));

class ReferenceInvalid : public testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(ReferenceInvalid, RejectedWithReason) {
  auto ref = Reference::parse(GetParam().first);
  ASSERT_FALSE(ref) << "accepted: " << ref->str();
  EXPECT_NE(ref.error().message().find(GetParam().second), std::string::npos) << ref.error().message();
  EXPECT_NE(ref.error().message().find("invalid reference '" + GetParam().first + "'"), std::string::npos)
      << ref.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, ReferenceInvalid,
    testing::Values(std::pair<std::string, std::string>{"", "empty"},
                    std::pair<std::string, std::string>{"Busybox", "must be lowercase"},
                    std::pair<std::string, std::string>{"docker.io/Library/x", "must be lowercase"},
                    std::pair<std::string, std::string>{"busybox:", "invalid tag ''"},
                    std::pair<std::string, std::string>{"busybox:-x", "invalid tag '-x'"},
                    std::pair<std::string, std::string>{"busybox:" + std::string(129, 'a'), "invalid tag"},
                    std::pair<std::string, std::string>{"busy box", "invalid repository path component"},
                    std::pair<std::string, std::string>{"a//b", "invalid repository path component ''"},
                    std::pair<std::string, std::string>{"a/b/", "invalid repository path component ''"},
                    std::pair<std::string, std::string>{"-a", "invalid repository path component '-a'"},
                    std::pair<std::string, std::string>{"a___b", "invalid repository path component"},
                    std::pair<std::string, std::string>{":tag", "missing repository name"},
                    std::pair<std::string, std::string>{"x@sha256:abc", "64 lower-case hex"},
                    std::pair<std::string, std::string>{"x@md5:" + kHex, "unsupported digest algorithm"},
                    std::pair<std::string, std::string>{"x@" + kHex, "missing algorithm"},
                    std::pair<std::string, std::string>{"-bad.io/x", "invalid registry '-bad.io'"},
                    std::pair<std::string, std::string>{"host:port/x", "invalid registry 'host:port'"},
                    std::pair<std::string, std::string>{kHex, "image id"},
                    std::pair<std::string, std::string>{"a/" + std::string(260, 'b'), "longer than 255"}));

TEST(Reference, PartsAndTagKey) {
  auto ref = Reference::parse("localhost:5000/team/app:v1@sha256:" + kHex);
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->domain(), "localhost:5000");
  EXPECT_EQ(ref->path(), "team/app");
  EXPECT_EQ(ref->name(), "localhost:5000/team/app");
  EXPECT_EQ(ref->tag(), "v1");
  ASSERT_TRUE(ref->digest());
  EXPECT_EQ(ref->digest()->hex(), kHex);
  EXPECT_EQ(ref->tag_key(), "localhost:5000/team/app:v1");
}

TEST(Reference, DigestOnlyHasNoTagKey) {
  auto ref = Reference::parse("busybox@sha256:" + kHex);
  ASSERT_TRUE(ref);
  EXPECT_FALSE(ref->tag());
  EXPECT_FALSE(ref->tag_key());
}

TEST(Reference, NormalisedFormParsesToItself) {
  for (const char* text : {"busybox", "ghcr.io/a/b:1", "localhost:5000/x"}) {
    auto first = Reference::parse(text);
    ASSERT_TRUE(first);
    auto second = Reference::parse(first->str());
    ASSERT_TRUE(second);
    EXPECT_EQ(*first, *second) << text;
  }
}

}  // namespace
}  // namespace stack::image
