// The layers the containers under a state root mount (runtime/container_layers.hpp).
#include "runtime/container_layers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "runtime/shim/shim_config.hpp"
#include "support/rootfs.hpp"

namespace stack::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

void write_config(const StatePaths& paths, const std::string& id, std::vector<std::string> lower) {
  std::filesystem::create_directories(paths.container_dir(id));
  shim::ShimConfig config;
  config.container.id = id;
  config.container.rootfs.lower_layers = std::move(lower);
  ASSERT_TRUE(test::write_text(paths.config_file(id), shim::encode_shim_config(config)));
}

TEST(ContainerLowerLayers, EveryContainersLowerDirectories) {
  test::TempDir root("stack-layers");
  StatePaths paths(root.path());
  write_config(paths, "a", {"/r/images/layers/2", "/r/images/layers/1"});
  write_config(paths, "b", {"/r/images/layers/1"});
  std::filesystem::create_directories(paths.container_dir("being-made"));  // no config.json yet
  auto lower = container_lower_layers(paths);
  ASSERT_TRUE(lower) << lower.error().message();
  EXPECT_THAT(*lower, ElementsAre("/r/images/layers/2", "/r/images/layers/1", "/r/images/layers/1"));
}

TEST(ContainerLowerLayers, NoContainersDirectoryIsNoContainers) {
  test::TempDir root("stack-layers");
  auto lower = container_lower_layers(StatePaths(root.path()));
  ASSERT_TRUE(lower) << lower.error().message();
  EXPECT_THAT(*lower, IsEmpty());
}

TEST(ContainerLowerLayers, AnUnreadableConfigIsAnErrorNamingIt) {
  test::TempDir root("stack-layers");
  StatePaths paths(root.path());
  write_config(paths, "a", {"/r/images/layers/1"});
  std::filesystem::create_directories(paths.container_dir("b"));
  ASSERT_TRUE(test::write_text(paths.config_file("b"), "{not json"));
  auto lower = container_lower_layers(paths);
  ASSERT_FALSE(lower);
  EXPECT_THAT(lower.error().message(), HasSubstr("'" + paths.config_file("b") + "'"));
}

}  // namespace
}  // namespace stack::runtime
