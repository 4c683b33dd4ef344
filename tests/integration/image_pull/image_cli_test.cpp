// The image verbs through the real binary: images / image ls (table, json, -q), load, import,
// inspect, tag, pull (from the fake registry), rm, prune (keeping what a container uses), exit codes.
#include <gtest/gtest.h>

#include "fake_registry.hpp"
#include "registry_fixture.hpp"
#include "runtime/shim/shim_config.hpp"

namespace stack::image {
namespace {

using namespace testing_support;

class ImageCli : public ::testing::Test {
 protected:
  // Runs `stack --root <root> ARGS`; stdout returned, stderr in err_, exit code in rc_.
  std::string stack(const std::string& args) {
    std::string cmd = std::string(STACK_BINARY) + " --root " + root() + " " + args + " 2>" + (dir_ / "err");
    std::string out = run_capture(cmd, &rc_);
    err_ = read_text(dir_ / "err");
    return out;
  }
  std::string root() const { return dir_ / "root"; }

  TempDir dir_;
  int rc_ = -1;
  std::string err_;
};

TEST_F(ImageCli, LoadListInspectImport) {
  EXPECT_EQ(stack("images").rfind("REPOSITORY", 0), 0u);  // the header alone
  EXPECT_EQ(rc_, 0) << err_;
  std::string tar = make_test_image(dir_.path());
  EXPECT_EQ(stack("image load -i " + tar), "Loaded image: busybox:latest\n");
  EXPECT_EQ(rc_, 0) << err_;
  auto json = nlohmann::json::parse(stack("images --format json"));
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["Repository"], "busybox");
  EXPECT_EQ(json[0]["Tag"], "latest");
  std::string id = stack("image ls -q");
  EXPECT_EQ(id.size(), 13u) << id;
  std::string table = stack("images");
  EXPECT_EQ(table.rfind("REPOSITORY", 0), 0u) << table;
  EXPECT_NE(table.find("busybox"), std::string::npos);
  auto inspected = nlohmann::json::parse(stack("image inspect busybox"));
  EXPECT_EQ(inspected[0]["RepoTags"][0], "busybox:latest");
  write_text(dir_ / "rootfs.tar", tar_bytes({dir("etc"), file("etc/hello", "hi\n")}));
  std::string imported = stack("image import " + (dir_ / "rootfs.tar") + " me/app:1");
  EXPECT_EQ(rc_, 0) << err_;
  EXPECT_EQ(imported.rfind("sha256:", 0), 0u);
  EXPECT_EQ(nlohmann::json::parse(stack("images --format json")).size(), 2u);
}

TEST_F(ImageCli, ErrorsAreOneLineWithExitCodes) {
  stack("image rm nope:1");
  EXPECT_EQ(rc_, 1);
  EXPECT_EQ(err_, "stack: no such image 'nope:1'\n");
  stack("image frobnicate");
  EXPECT_EQ(rc_, 2);
  stack("images --format xml");
  EXPECT_EQ(rc_, 2);
  stack("image prune");  // not a terminal and no -f
  EXPECT_EQ(rc_, 1);
}

TEST_F(ImageCli, TagGivesAnImageAnotherName) {
  std::string tar = make_test_image(dir_.path());
  stack("image load -i " + tar);
  ASSERT_EQ(rc_, 0) << err_;
  stack("image tag busybox 127.0.0.1:5000/team/bb:1");
  EXPECT_EQ(rc_, 0) << err_;
  auto inspected = nlohmann::json::parse(stack("image inspect 127.0.0.1:5000/team/bb:1"));
  EXPECT_EQ(inspected[0]["Id"], nlohmann::json::parse(stack("image inspect busybox"))[0]["Id"]);
  stack("image tag nope:1 x:1");
  EXPECT_EQ(rc_, 1);
  EXPECT_EQ(err_, "stack: tag: no such image: nope:1\n");
  stack("image tag busybox 'Bad Name'");
  EXPECT_EQ(rc_, 2);
  EXPECT_EQ(err_.find('\n'), err_.size() - 1) << "one line: " << err_;
  EXPECT_EQ(stack("image rm 127.0.0.1:5000/team/bb:1"), "Untagged: 127.0.0.1:5000/team/bb:1\n");
}

TEST_F(ImageCli, PullFromRegistryPrintsPlainProgress) {
  FakeRegistry fake;
  std::string ref = fake.domain() + "/test/fake:latest";
  std::string out = stack("image pull " + ref);
  ASSERT_EQ(rc_, 0) << err_;
  EXPECT_EQ(out, ref + "\n");
  EXPECT_NE(err_.find(fake.image().layer.hex().substr(0, 12) + ": Pull complete"), std::string::npos) << err_;
  stack("image pull " + ref);
  EXPECT_NE(err_.find(": Already exists"), std::string::npos) << err_;
  EXPECT_NE(err_.find("Downloaded 0 blobs (0 bytes)"), std::string::npos) << err_;
}

TEST_F(ImageCli, PruneAndRmKeepImagesContainersUse) {
  std::string tar = make_test_image(dir_.path());
  stack("image load -i " + tar);
  write_text(dir_ / "rootfs.tar", tar_bytes({dir("etc"), file("etc/hello", "hi\n")}));
  stack("image import " + (dir_ / "rootfs.tar") + " me/app:1");
  auto images = nlohmann::json::parse(stack("image inspect busybox"));
  std::string diff_id = images[0]["RootFS"]["Layers"][0];
  runtime::shim::ShimConfig config;
  config.container.rootfs.lower_layers = {root() + "/images/layers/" + diff_id.substr(7)};
  write_text(root() + "/containers/c1/config.json", runtime::shim::encode_shim_config(config));

  stack("image rm busybox");
  EXPECT_EQ(rc_, 1);
  EXPECT_EQ(err_, "stack: image 'busybox' is used by a container (use --force)\n");
  std::string pruned = stack("image prune -a -f");
  EXPECT_EQ(rc_, 0) << err_;
  EXPECT_NE(pruned.find("Deleted: sha256:"), std::string::npos);
  auto left = nlohmann::json::parse(stack("images --format json"));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["Repository"], "busybox");

  fs::remove_all(root() + "/containers/c1");
  EXPECT_NE(stack("image rm busybox").find("Deleted: sha256:"), std::string::npos);
  EXPECT_EQ(rc_, 0) << err_;
}

}  // namespace
}  // namespace stack::image
