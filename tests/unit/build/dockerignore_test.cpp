// The cases of docker's documentation of .dockerignore, and Go's filepath.Match rules.
#include "build/dockerignore.hpp"

#include <gtest/gtest.h>

namespace stack::build {
namespace {

IgnoreRules rules(const std::string& text) {
  auto r = IgnoreRules::parse(text);
  EXPECT_TRUE(r) << r.error().message();
  return r ? *r : IgnoreRules();
}

bool component(const std::string& pattern, const std::string& name) {
  auto m = match_component(pattern, name);
  EXPECT_TRUE(m) << m.error().message();
  return m && *m;
}

TEST(GoGlob, Components) {
  EXPECT_TRUE(component("*.go", "main.go"));
  EXPECT_FALSE(component("*.go", "main.c"));
  EXPECT_TRUE(component("a?c", "abc"));
  EXPECT_FALSE(component("a?c", "ac"));
  EXPECT_TRUE(component("[a-c]x", "bx"));
  EXPECT_FALSE(component("[^a-c]x", "bx"));
  EXPECT_TRUE(component("[^a-c]x", "dx"));
  EXPECT_TRUE(component("\\*", "*"));
  EXPECT_FALSE(component("\\*", "a"));
  EXPECT_TRUE(component("*", ""));
  EXPECT_TRUE(component("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(match_component("[a-", "a"));
}

TEST(DockerIgnore, DocumentedExamples) {
  IgnoreRules r = rules("# comment\n*/temp*\n*/*/temp*\ntemp?\n");
  EXPECT_TRUE(r.excluded("somedir/temporary.txt"));
  EXPECT_TRUE(r.excluded("somedir/temp"));
  EXPECT_TRUE(r.excluded("somedir/subdir/temporary.txt"));
  EXPECT_TRUE(r.excluded("tempa"));
  EXPECT_TRUE(r.excluded("tempb"));
  EXPECT_FALSE(r.excluded("temp"));
  EXPECT_FALSE(r.excluded("temporary.txt"));
  EXPECT_FALSE(r.excluded("a/b/c/temp"));
}

TEST(DockerIgnore, DoubleStar) {
  IgnoreRules r = rules("**/*.go\n");
  EXPECT_TRUE(r.excluded("main.go"));
  EXPECT_TRUE(r.excluded("a/b/c.go"));
  EXPECT_FALSE(r.excluded("a/b/c.gox"));
  IgnoreRules mid = rules("a/**/z\n");
  EXPECT_TRUE(mid.excluded("a/z"));
  EXPECT_TRUE(mid.excluded("a/b/c/z"));
  EXPECT_TRUE(mid.excluded("a/b/z/file"));  // below an excluded directory
  EXPECT_FALSE(mid.excluded("b/z"));
}

TEST(DockerIgnore, ExceptionsLastMatchWins) {
  IgnoreRules r = rules("*.md\n!README.md\n");
  EXPECT_TRUE(r.excluded("CHANGES.md"));
  EXPECT_FALSE(r.excluded("README.md"));
  EXPECT_TRUE(r.has_exceptions());
  // Documented: README-secret.md excluded, other README files kept, the rest of *.md excluded.
  IgnoreRules d = rules("*.md\n!README*.md\nREADME-secret.md\n");
  EXPECT_TRUE(d.excluded("CHANGES.md"));
  EXPECT_FALSE(d.excluded("README.md"));
  EXPECT_FALSE(d.excluded("README-public.md"));
  EXPECT_TRUE(d.excluded("README-secret.md"));
  IgnoreRules order = rules("!README*.md\n*.md\n");
  EXPECT_TRUE(order.excluded("README.md"));
}

TEST(DockerIgnore, DirectoriesAndCleaning) {
  IgnoreRules r = rules("/build/\n./node_modules\nsecret//key\n.\n");
  EXPECT_TRUE(r.excluded("build"));
  EXPECT_TRUE(r.excluded("build/out/x.o"));
  EXPECT_TRUE(r.excluded("node_modules/a/index.js"));
  EXPECT_TRUE(r.excluded("secret/key"));
  EXPECT_FALSE(r.excluded("src/build"));
  EXPECT_FALSE(r.has_exceptions());
  IgnoreRules keep = rules("logs\n!logs/keep.txt\n");
  EXPECT_TRUE(keep.excluded("logs/a.txt"));
  EXPECT_FALSE(keep.excluded("logs/keep.txt"));
}

TEST(DockerIgnore, Errors) {
  auto bad = IgnoreRules::parse("ok\n[a-\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), ".dockerignore:2: syntax error in pattern '[a-'");
  auto bang = IgnoreRules::parse("!\n");
  ASSERT_FALSE(bang);
  EXPECT_EQ(bang.error().message(), ".dockerignore:1: '!' without a pattern");
}

TEST(PathClean, GoSemantics) {
  EXPECT_EQ(clean_path("./a//b/"), "a/b");
  EXPECT_EQ(clean_path("/a/../b"), "b");
  EXPECT_EQ(clean_path("a/../../x"), "../x");
  EXPECT_EQ(clean_path("."), "");
}

}  // namespace
}  // namespace stack::build
