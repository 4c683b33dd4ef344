// Hostile layers: each must fail with an error that names the entry, write nothing outside the
// store (a sentinel directory beside it stays as it was) and leave no layer directory behind.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "image/local_store.hpp"
#include "image_fixture.hpp"

namespace stack::image {
namespace {

using namespace testing_support;

class HostileLayer : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "integration tests run as root";
    fs::create_directories(outside());
    write_text(outside() + "/target", "sentinel");
    auto store = LocalStore::open(tmp_ / "root/images");
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }

  std::string outside() const { return tmp_ / "outside"; }

  // Loads a one-layer image and unpacks it; returns the unpack error (the load itself succeeds:
  // loading only stores verified blobs).
  std::string unpack_error(const std::vector<TarEntry>& entries) {
    write_oci_layout(tmp_ / "layout", {Layer{entries, Compression::gzip}}, "example.com/evil:1");
    auto loaded = store_->load(tmp_ / "layout");
    EXPECT_TRUE(loaded) << loaded.error().message();
    auto image = store_->find("example.com/evil:1");
    EXPECT_TRUE(image && image->has_value());
    if (!image || !image->has_value()) return "";
    auto dirs = store_->layer_dirs(**image);
    EXPECT_FALSE(dirs) << "hostile layer unpacked";
    return dirs ? "" : dirs.error().message();
  }

  void expect_nothing_written() {
    std::vector<std::string> names;
    for (auto& e : fs::directory_iterator(outside())) names.push_back(e.path().filename());
    EXPECT_EQ(names, std::vector<std::string>{"target"});
    EXPECT_EQ(read_text(outside() + "/target"), "sentinel");
    struct stat st;
    ASSERT_EQ(::stat((outside() + "/target").c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 1u);
    // No layer, finished or half-done.
    EXPECT_TRUE(fs::is_empty(tmp_ / "root/images/layers"));
  }

  TempDir tmp_;
  std::unique_ptr<LocalStore> store_;
};

TEST_F(HostileLayer, AbsolutePath) {
  std::string err = unpack_error({file("ok", "fine"), file(outside() + "/pwned", "x")});
  EXPECT_NE(err.find("entry '" + outside() + "/pwned' has an absolute path"), std::string::npos) << err;
  EXPECT_EQ(err.rfind("layer sha256:", 0), 0u) << err;
  expect_nothing_written();
}

TEST_F(HostileLayer, DotDotTraversal) {
  std::string err = unpack_error({file("../../../../outside/pwned", "x")});
  EXPECT_NE(err.find("entry '../../../../outside/pwned' escapes the layer root"), std::string::npos) << err;
  expect_nothing_written();
}

TEST_F(HostileLayer, WriteThroughSymlinkCreatedEarlier) {
  std::string err = unpack_error({symlink("evil", outside()), file("evil/pwned", "x")});
  EXPECT_NE(err.find("entry 'evil/pwned'"), std::string::npos) << err;
  EXPECT_NE(err.find("goes through a symlink"), std::string::npos) << err;
  expect_nothing_written();
}

TEST_F(HostileLayer, WriteThroughRelativeSymlinkDeeper) {
  std::string err = unpack_error({dir("a"), symlink("a/up", "../../../../outside"), file("a/up/pwned", "x")});
  EXPECT_NE(err.find("goes through a symlink"), std::string::npos) << err;
  expect_nothing_written();
}

TEST_F(HostileLayer, HardlinkOutsideTheRoot) {
  std::string err = unpack_error({hardlink("h", "../../../../outside/target")});
  EXPECT_NE(err.find("hard link target '../../../../outside/target' escapes the layer root"), std::string::npos)
      << err;
  expect_nothing_written();
}

TEST_F(HostileLayer, HardlinkAbsoluteTarget) {
  std::string err = unpack_error({hardlink("h", outside() + "/target")});
  EXPECT_NE(err.find("escapes the layer root"), std::string::npos) << err;
  expect_nothing_written();
}

TEST_F(HostileLayer, HardlinkThroughSymlink) {
  std::string err = unpack_error({symlink("s", outside()), hardlink("h", "s/target")});
  EXPECT_NE(err.find("goes through a symlink"), std::string::npos) << err;
  expect_nothing_written();
}

// Not hostile in itself, and must not become so: a file replacing a symlink of the same name
// replaces the link; it never writes to where the link pointed.
TEST_F(HostileLayer, FileOverSymlinkReplacesTheLink) {
  write_oci_layout(tmp_ / "layout",
                   {Layer{{symlink("passwd", outside() + "/target"), file("passwd", "layer content")}}},
                   "example.com/evil:1");
  ASSERT_TRUE(store_->load(tmp_ / "layout"));
  auto image = store_->find("example.com/evil:1");
  ASSERT_TRUE(image && image->has_value());
  auto dirs = store_->layer_dirs(**image);
  ASSERT_TRUE(dirs) << dirs.error().message();
  EXPECT_FALSE(fs::is_symlink(dirs->front() + "/passwd"));
  EXPECT_EQ(read_text(dirs->front() + "/passwd"), "layer content");
  EXPECT_EQ(read_text(outside() + "/target"), "sentinel");
}

TEST_F(HostileLayer, DiffIdMismatchRejected) {
  write_oci_layout(tmp_ / "layout", {Layer{{file("a", "a")}}}, "example.com/evil:1");
  // Point the config at another diff id: the unpacked stream must not be accepted under it.
  auto image_before = [&] {
    EXPECT_TRUE(store_->load(tmp_ / "layout"));
    return store_->find("example.com/evil:1");
  }();
  ASSERT_TRUE(image_before && image_before->has_value());
  Image forged = **image_before;
  forged.layers[0].diff_id = Digest::of("something else");
  auto dirs = store_->layer_dirs(forged);
  ASSERT_FALSE(dirs);
  EXPECT_NE(dirs.error().message().find("the image says"), std::string::npos) << dirs.error().message();
  expect_nothing_written();
}

}  // namespace
}  // namespace stack::image
