// Named build contexts: the values of --build-context and additional_contexts, and how a
// Dockerfile's names resolve to them.
#include "build/named_context.hpp"

#include <gtest/gtest.h>

#include "build/stage_graph.hpp"

namespace stack::build {
namespace {

TEST(NamedContext, DirectoryIsRelativeToTheBase) {
  auto rel = parse_named_context("./extra/", "/work/p");
  ASSERT_TRUE(rel) << rel.error().message();
  EXPECT_EQ(rel->type, NamedContext::Type::directory);
  EXPECT_EQ(rel->value, "/work/p/extra");
  auto abs = parse_named_context("/srv/x", "/work/p");
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->value, "/srv/x");
}

TEST(NamedContext, DockerImage) {
  auto img = parse_named_context("docker-image://busybox:1.36", "/");
  ASSERT_TRUE(img) << img.error().message();
  EXPECT_EQ(img->type, NamedContext::Type::image);
  EXPECT_EQ(img->value, "busybox:1.36");
  EXPECT_FALSE(parse_named_context("docker-image://", "/"));
  EXPECT_FALSE(parse_named_context("docker-image://Bad Ref", "/"));
}

TEST(NamedContext, OciLayoutsByTagOrDigest) {
  const std::string hex(64, 'b');
  struct Case {
    const char* value;
    std::string dir, tag, digest;
  };
  for (const Case& c : std::vector<Case>{
           {"oci-layout:///srv/lay", "/srv/lay", "latest", ""},
           {"oci-layout:///srv/lay:v1", "/srv/lay", "v1", ""},
           {"oci-layout://lay:v1", "/cwd/lay", "v1", ""},
           {"oci-layout://./a:b/lay", "/cwd/a:b/lay", "latest", ""},  // a ':' before the last '/' is the path's
       }) {
    auto r = parse_named_context(c.value, "/cwd");
    ASSERT_TRUE(r) << c.value << ": " << r.error().message();
    EXPECT_EQ(r->type, NamedContext::Type::oci_layout);
    EXPECT_EQ(r->value, c.dir) << c.value;
    EXPECT_EQ(r->layout_tag, c.tag) << c.value;
    EXPECT_EQ(r->layout_digest, c.digest) << c.value;
  }
  auto digest = parse_named_context("oci-layout:///srv/lay:v1@sha256:" + hex, "/");
  ASSERT_TRUE(digest) << digest.error().message();
  EXPECT_EQ(digest->value, "/srv/lay");
  EXPECT_EQ(digest->layout_digest, "sha256:" + hex);
  EXPECT_FALSE(parse_named_context("oci-layout://", "/"));
  EXPECT_FALSE(parse_named_context("oci-layout:///srv/lay:", "/"));
  EXPECT_FALSE(parse_named_context("oci-layout:///srv/lay@sha256:xyz", "/"));
}

TEST(NamedContext, RefusedValues) {
  for (const char* remote : {"ftp://x/y.tar", "s3://bucket/ctx.tar.gz"}) {
    auto r = parse_named_context(remote, "/");
    ASSERT_FALSE(r) << remote;
    EXPECT_EQ(r.error().message(), "'" + std::string(remote) + "': a remote context must be a git repository (git://, "
                                   "ssh://, user@host:path, https://….git) or an http(s) URL of a tarball: use a local "
                                   "directory");
  }
  auto fragment = parse_named_context("https://x/y.git##tag=v1", "/");
  ASSERT_FALSE(fragment);
  EXPECT_NE(fragment.error().message().find("unexpected key 'tag'"), std::string::npos) << fragment.error().message();
  auto service = parse_named_context("service:web", "/");
  ASSERT_FALSE(service);
  EXPECT_EQ(service.error().message(), "'service:web': unknown context type 'service' (a directory or docker-image://REF)");
  EXPECT_FALSE(parse_named_context("", "/"));
}

TEST(NamedContext, HttpUrlsAreTarballs) {
  for (const char* url : {"http://x/y.tar", "https://x/ctx.tar.gz"}) {
    auto r = parse_named_context(url, "/cwd");
    ASSERT_TRUE(r) << url << ": " << r.error().message();
    EXPECT_EQ(r->type, NamedContext::Type::url);
    EXPECT_EQ(r->value, url);
  }
}

TEST(NamedContext, GitRepositoriesAreKeptAsWritten) {
  for (const char* url : {"https://github.com/a/b.git", "git@github.com:a/b.git", "git://h/r.git#v1:docs",
                          "ssh://git@h/r.git##ref=main,subdir=x"}) {
    auto r = parse_named_context(url, "/cwd");
    ASSERT_TRUE(r) << url << ": " << r.error().message();
    EXPECT_EQ(r->type, NamedContext::Type::git);
    EXPECT_EQ(r->value, url);
  }
}

TEST(NamedContext, FlagIsNameEqualsValue) {
  auto ok = parse_build_context_flag("extra=dir", "/cwd");
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->first, "extra");
  EXPECT_EQ(ok->second.value, "/cwd/dir");
  auto no_eq = parse_build_context_flag("extra", "/cwd");
  ASSERT_FALSE(no_eq);
  EXPECT_EQ(no_eq.error().message(), "--build-context 'extra': expected NAME=VALUE");
  auto no_name = parse_build_context_flag("=dir", "/cwd");
  ASSERT_FALSE(no_name);
  EXPECT_EQ(no_name.error().message(), "--build-context '=dir': the name must be a non-empty word");
  auto no_value = parse_build_context_flag("x=", "/cwd");
  ASSERT_FALSE(no_value);
  EXPECT_EQ(no_value.error().message(), "--build-context 'x=': empty value: expected a directory or docker-image://REF");
}

Dockerfile parse_text(const std::string& text) {
  auto df = parse_dockerfile(text, "Dockerfile");
  EXPECT_TRUE(df) << df.error().message();
  return df ? *df : Dockerfile{};
}

// A named context wins over an image and a stage of its name; an image context is that image.
TEST(NamedContext, NamesResolveToContextsFirst) {
  NamedContexts contexts{{"extra", {NamedContext::Type::directory, "/x"}},
                         {"base", {NamedContext::Type::directory, "/b"}},
                         {"alpine", {NamedContext::Type::image, "busybox"}}};
  Dockerfile df = parse_text(
      "FROM alpine AS base\nRUN a\n"
      "FROM base\nCOPY --from=extra /a /a\nRUN --mount=from=extra,target=/m true\nCOPY --from=alpine /b /b\n");
  auto plan = plan_stages(df, "", {}, contexts);
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->order, (std::vector<int>{1}));  // stage 'base' is replaced by the context
  EXPECT_EQ(plan->base.at(0).type, Source::Type::image);
  EXPECT_EQ(plan->base.at(0).image, "busybox");
  EXPECT_EQ(plan->base.at(1).type, Source::Type::context);
  EXPECT_EQ(plan->base.at(1).image, "base");
  EXPECT_EQ(plan->copy_from.at({1, 0}).type, Source::Type::context);
  EXPECT_EQ(plan->copy_from.at({1, 0}).image, "extra");
  EXPECT_EQ(plan->mount_from.at({1, 1, 0}).type, Source::Type::context);
  EXPECT_EQ(plan->copy_from.at({1, 2}).type, Source::Type::image);
  EXPECT_EQ(plan->copy_from.at({1, 2}).image, "busybox");
  // Without contexts, the names are what they were.
  auto plain = plan_stages(df, "", {});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->base.at(1).type, Source::Type::stage);
  EXPECT_EQ(plain->copy_from.at({1, 0}).type, Source::Type::image);
}

}  // namespace
}  // namespace stack::build
