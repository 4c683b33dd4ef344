// Which directories an image mount stacks, from layer directories laid out as the store unpacks them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "runtime/container/image_mount.hpp"

namespace stack::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

class ImageMountDirs : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("stack-image-mount-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    for (const char* layer : {"top", "mid", "base"}) fs::create_directories(base_ / layer);
  }
  void TearDown() override { fs::remove_all(base_); }
  std::string layer(const char* name) const { return (base_ / name).string(); }
  std::vector<std::string> layers() const { return {layer("top"), layer("mid"), layer("base")}; }
  fs::path base_;
};

TEST_F(ImageMountDirs, EveryLayerForTheRootAndTheLayersThatHaveTheSubpath) {
  fs::create_directories(base_ / "top/etc/app");
  fs::create_directories(base_ / "base/etc/app");
  EXPECT_EQ(*image_mount_dirs(layers(), ""), layers());
  EXPECT_THAT(*image_mount_dirs(layers(), "etc/app"), ElementsAre(layer("top") + "/etc/app", layer("base") + "/etc/app"));
}

TEST_F(ImageMountDirs, ASymlinkOnTheWayAFileAndAMissingPathAreErrors) {
  fs::create_directories(base_ / "base/real");
  fs::create_symlink("/etc", base_ / "mid/link");
  std::ofstream(base_ / "top/file") << "x";
  EXPECT_THAT(image_mount_dirs(layers(), "link/x").error().message(), HasSubstr("crosses a symlink"));
  EXPECT_THAT(image_mount_dirs(layers(), "file").error().message(), HasSubstr("is not a directory"));
  EXPECT_THAT(image_mount_dirs(layers(), "nowhere").error().message(), HasSubstr("is not in the image"));
  EXPECT_THAT(image_mount_dirs(layers(), "../x").error().message(), HasSubstr("leads out of the image"));
}

}  // namespace
}  // namespace stack::runtime
