// Which entries of the stacks directory are projects, and under which key.
#include "daemon/stacks_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/rootfs.hpp"

namespace stack::daemon {
namespace {

TEST(StacksDir, KeysOfFileNames) {
  EXPECT_EQ(key_of_file("shop.yaml"), "shop");
  EXPECT_EQ(key_of_file("shop.yml"), "shop");
  EXPECT_EQ(key_of_file("shop.json"), "");
  EXPECT_EQ(key_of_file(".yaml"), "");
  for (const char* temporary : {".shop.yaml.swp", "shop.yaml~", "#shop.yaml#", ".hidden.yaml", "shop.yaml.tmp",
                                "shop.yaml.dpkg-new", ".shop.yaml.kate-swp"}) {
    EXPECT_EQ(key_of_file(temporary), "") << temporary;
  }
}

TEST(StacksDir, ScanFindsFilesAndProjectDirectories) {
  test::TempDir dir("stack-stacks-dir");
  namespace fs = std::filesystem;
  ASSERT_TRUE(test::write_text(dir / "shop.yaml", "services: {}\n"));
  ASSERT_TRUE(test::write_text(dir / "blog.yml", "services: {}\n"));
  ASSERT_TRUE(test::write_text(dir / ".shop.yaml.swp", "x"));
  ASSERT_TRUE(test::write_text(dir / "notes.txt", "x"));
  fs::create_directories(dir / "wiki");
  ASSERT_TRUE(test::write_text(dir / "wiki/compose.yaml", "services: {}\n"));
  ASSERT_TRUE(test::write_text(dir / "wiki/.env", "A=1\n"));
  fs::create_directories(dir / "empty");
  // A directory wins over a file of the same key.
  ASSERT_TRUE(test::write_text(dir / "wiki.yaml", "services: {}\n"));

  auto sources = scan_stacks_dir(dir.path());
  ASSERT_TRUE(sources) << sources.error().message();
  ASSERT_EQ(sources->size(), 3u);
  EXPECT_EQ((*sources)[0], (StackSource{"blog", {dir / "blog.yml"}, dir.path()}));
  EXPECT_EQ((*sources)[1], (StackSource{"shop", {dir / "shop.yaml"}, dir.path()}));
  EXPECT_EQ((*sources)[2], (StackSource{"wiki", {dir / "wiki/compose.yaml"}, dir / "wiki"}));
}

TEST(StacksDir, AMissingDirectoryIsAnError) {
  auto sources = scan_stacks_dir("/nonexistent/stacks.d");
  ASSERT_FALSE(sources);
  EXPECT_NE(sources.error().message().find("/nonexistent/stacks.d"), std::string::npos);
}

}  // namespace
}  // namespace stack::daemon
