// The pure parts of the registry client: WWW-Authenticate challenges, docker config credentials,
// base64, endpoints and the insecure list, pull policies.
#include <gtest/gtest.h>

#include "image/pull.hpp"
#include "image/registry/auth_challenge.hpp"
#include "image/registry/credentials.hpp"
#include "image/registry/endpoint.hpp"

namespace stack::image::registry {
namespace {

TEST(Challenge, BearerWithQuotedParams) {
  auto c = parse_challenge(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->scheme, "bearer");
  EXPECT_EQ(c->param("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(c->param("service"), "registry.docker.io");
  EXPECT_EQ(c->param("scope"), "repository:library/busybox:pull");
}

TEST(Challenge, BasicAndUnquotedAndEscapes) {
  auto c = parse_challenge(R"(Basic realm="a \"b\"", charset=UTF-8)");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->scheme, "basic");
  EXPECT_EQ(c->param("realm"), "a \"b\"");
  EXPECT_EQ(c->param("charset"), "UTF-8");
}

TEST(Challenge, MalformedIsAnError) {
  EXPECT_FALSE(parse_challenge(""));
  EXPECT_FALSE(parse_challenge(R"(Bearer realm="unterminated)"));
}

TEST(Credentials, AuthFieldAndUsernamePassword) {
  std::string config = R"({"auths":{
    "https://index.docker.io/v1/":{"auth":")" + base64_encode("me:secret:with:colons") + R"("},
    "localhost:5000":{"username":"u","password":"p"}}})";
  auto hub = credentials_from_config(config, "docker.io");
  ASSERT_TRUE(hub && *hub);
  EXPECT_EQ(**hub, (Credentials{"me", "secret:with:colons"}));
  auto local = credentials_from_config(config, "localhost:5000");
  ASSERT_TRUE(local && *local);
  EXPECT_EQ(**local, (Credentials{"u", "p"}));
  auto none = credentials_from_config(config, "ghcr.io");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_FALSE(credentials_from_config(R"({"auths":{"x":{"auth":"!!"}}})", "x"));
}

TEST(Base64, RoundTrip) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "user:pass"}) {
    auto back = base64_decode(base64_encode(s));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(base64_encode("user:pass"), "dXNlcjpwYXNz");
}

TEST(Endpoint, HttpsUnlessLoopbackOrInsecure) {
  EXPECT_EQ(endpoint_for("docker.io", {}).base, "https://registry-1.docker.io");
  EXPECT_EQ(endpoint_for("ghcr.io", {}).base, "https://ghcr.io");
  EXPECT_EQ(endpoint_for("127.0.0.1:5000", {}).base, "http://127.0.0.1:5000");
  EXPECT_EQ(endpoint_for("localhost:5000", {}).base, "http://localhost:5000");
  EXPECT_EQ(endpoint_for("reg.lan:5000", {"reg.lan:5000"}).base, "http://reg.lan:5000");
  EXPECT_EQ(endpoint_for("reg.lan:5000", {"reg.lan"}).base, "http://reg.lan:5000");
  EXPECT_EQ(endpoint_for("reg.lan:5000", {"reg.lan:6000"}).base, "https://reg.lan:5000");
  EXPECT_EQ(split_insecure_list(" a:1, b ,,"), (std::vector<std::string>{"a:1", "b"}));
  EXPECT_EQ(url_authority("http://u@127.0.0.1:9/token?x"), "127.0.0.1:9");
}

TEST(PullPolicy, Parses) {
  EXPECT_EQ(*parse_pull_policy("always"), PullPolicy::always);
  EXPECT_EQ(*parse_pull_policy("if_not_present"), PullPolicy::missing);
  EXPECT_EQ(*parse_pull_policy("missing"), PullPolicy::missing);
  EXPECT_EQ(*parse_pull_policy("never"), PullPolicy::never);
  EXPECT_FALSE(parse_pull_policy("sometimes"));
}

}  // namespace
}  // namespace stack::image::registry
