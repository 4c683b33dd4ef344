#include "image/path_safety.hpp"

#include <gtest/gtest.h>

namespace stack::image {
namespace {

TEST(CleanEntryPath, Normalises) {
  for (const auto& [in, out] : std::vector<std::pair<std::string, std::string>>{
           {"bin/sh", "bin/sh"},
           {"./bin/sh", "bin/sh"},
           {"bin//sh", "bin/sh"},
           {"bin/./sh", "bin/sh"},
           {"etc/", "etc"},
           {"./", ""},
           {".", ""},
           {"a/b/c/", "a/b/c"},
           {"..a/b..", "..a/b.."},  // dots inside names are names
           {"...", "..."},
       }) {
    auto got = clean_entry_path(in);
    ASSERT_TRUE(got) << in << ": " << got.error().message();
    EXPECT_EQ(*got, out) << in;
  }
}

TEST(CleanEntryPath, RejectsEscapes) {
  for (const auto& [in, why] : std::vector<std::pair<std::string, std::string>>{
           {"../../etc/passwd", "entry '../../etc/passwd' escapes the layer root"},
           {"..", "entry '..' escapes the layer root"},
           {"a/../../b", "entry 'a/../../b' escapes the layer root"},
           {"a/../b", "escapes the layer root"},  // harmless, but no real layer needs it
           {"./../x", "escapes the layer root"},
           {"/etc/passwd", "entry '/etc/passwd' has an absolute path"},
           {"//x", "has an absolute path"},
       }) {
    auto got = clean_entry_path(in);
    ASSERT_FALSE(got) << in << " accepted as " << *got;
    EXPECT_NE(got.error().message().find(why), std::string::npos) << got.error().message();
  }
}

TEST(SplitParent, Splits) {
  EXPECT_EQ(split_parent("a/b/c"), (std::pair<std::string, std::string>{"a/b", "c"}));
  EXPECT_EQ(split_parent("c"), (std::pair<std::string, std::string>{"", "c"}));
  EXPECT_EQ(split_parent(""), (std::pair<std::string, std::string>{"", ""}));
}

}  // namespace
}  // namespace stack::image
