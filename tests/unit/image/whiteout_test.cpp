#include "image/whiteout.hpp"

#include <gtest/gtest.h>

namespace stack::image {
namespace {

TEST(Whiteout, ClassifiesNames) {
  struct Case {
    std::string path;
    WhiteoutKind kind;
    std::string target;
  };
  for (const auto& c : std::vector<Case>{
           {"etc/passwd", WhiteoutKind::none, ""},
           {"etc/.wh.passwd", WhiteoutKind::whiteout, "etc/passwd"},
           {".wh.tmp", WhiteoutKind::whiteout, "tmp"},
           {"a/b/.wh..hidden", WhiteoutKind::whiteout, "a/b/.hidden"},
           {"var/cache/.wh..wh..opq", WhiteoutKind::opaque, "var/cache"},
           {".wh..wh..opq", WhiteoutKind::opaque, ""},
           {"x/.wh..wh.plnk", WhiteoutKind::meta, ""},
           {"x/.wh..wh.aufs", WhiteoutKind::meta, ""},
           {"x/not.wh.file", WhiteoutKind::none, ""},
       }) {
    auto got = classify_whiteout(c.path);
    ASSERT_TRUE(got) << c.path;
    EXPECT_EQ(got->kind, c.kind) << c.path;
    EXPECT_EQ(got->target, c.target) << c.path;
  }
}

TEST(Whiteout, RejectsEmptyOrDotNames) {
  // ".wh." hides nothing; ".wh.." and ".wh..." would hide "." and "..", which are not names.
  for (const char* bad : {"a/.wh.", "a/.wh..", "a/.wh...", ".wh.", ".wh..."}) {
    auto got = classify_whiteout(bad);
    ASSERT_FALSE(got) << bad;
    EXPECT_NE(got.error().message().find("invalid whiteout"), std::string::npos);
  }
}

TEST(Whiteout, ReverseMapping) {
  EXPECT_EQ(whiteout_path_for("etc/passwd"), "etc/.wh.passwd");
  EXPECT_EQ(whiteout_path_for("tmp"), ".wh.tmp");
  auto round = classify_whiteout(whiteout_path_for("a/b/c"));
  ASSERT_TRUE(round);
  EXPECT_EQ(round->target, "a/b/c");
}

}  // namespace
}  // namespace stack::image
