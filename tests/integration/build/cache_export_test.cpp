// --cache-to type=local,dest=DIR and --cache-from type=local,src=DIR through the real binary: a
// build's steps and layers exported to a directory, and a build whose own cache and layers are
// gone (a fresh CI machine) taking every step from it, with the same image id.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "build_fixture.hpp"
#include "util/fd.hpp"

namespace stack::build {
namespace {

namespace fs = std::filesystem;

size_t files_in(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) n += it->is_regular_file();
  return n;
}

TEST_F(BuildTest, AnExportedCacheServesAnotherBuildWithoutItsOwnCache) {
  write("a.txt", "one\n");
  write("Dockerfile",
        "FROM busybox\n"
        "COPY a.txt /a.txt\n"
        "RUN echo made > /made\n");
  const std::string cache = root_ / "ci-cache";
  // The import's directory does not exist yet (a first CI run): no error, nothing imported.
  Outcome first = build("--network none -t bld-cache:1 --cache-from type=local,src=" + cache +
                        " --cache-to type=local,dest=" + cache + ",mode=max");
  std::string id = built_id(first);
  EXPECT_NE(first.err.find("2 run"), std::string::npos) << first.err;
  EXPECT_EQ(files_in(cache + "/steps"), 2u);
  EXPECT_EQ(files_in(cache + "/blobs/sha256"), 2u);  // the COPY's and the RUN's layers

  // Nothing of it left in the root: the images, their layers, the step cache.
  auto forget = [&](const std::string& tags) {
    ASSERT_EQ(stack("image rm " + tags).code, 0);
    ASSERT_EQ(stack("image prune -f").code, 0);
    fs::remove_all(root_ / "build-cache");
  };
  forget("bld-cache:1");
  Outcome again = build("--network none -t bld-cache:1 --cache-from type=local,src=" + cache);
  EXPECT_EQ(built_id(again), id);
  EXPECT_NE(again.err.find("2 cached, 0 run"), std::string::npos) << again.err;
  EXPECT_EQ(read_view(view("bld-cache:1"), "made"), "made\n");

  // A changed file misses the import for its step and the steps after it.
  write("a.txt", "two\n");
  Outcome changed = build("--network none -t bld-cache:2 --cache-from type=local,src=" + cache);
  EXPECT_NE(built_id(changed), id);
  EXPECT_NE(changed.err.find("0 cached, 2 run"), std::string::npos) << changed.err;

  // A cache whose layers do not match their digests: the RUN step runs, with a warning. (The COPY
  // made its layer to learn its key, so the cache's copy of that layer is not needed.)
  for (const auto& blob : fs::directory_iterator(cache + "/blobs/sha256")) {
    ASSERT_TRUE(test::write_text(blob.path().string(), "not the layer"));
  }
  write("a.txt", "one\n");
  forget("bld-cache:1 bld-cache:2");
  Outcome broken = build("--network none -t bld-cache:1 --cache-from type=local,src=" + cache);
  EXPECT_EQ(built_id(broken), id);
  EXPECT_NE(broken.err.find("1 cached, 1 run"), std::string::npos) << broken.err;
  EXPECT_NE(broken.err.find("--cache-from " + cache + ": "), std::string::npos) << broken.err;
  EXPECT_NE(broken.err.find("; the step runs"), std::string::npos) << broken.err;

  // Values stack cannot read are one line, before anything runs.
  Outcome gha = build("-t bld-cache:3 --cache-from type=gha");
  EXPECT_EQ(gha.code, 2);
  EXPECT_NE(gha.err.find("--cache-from 'type=gha': type=gha is not supported"), std::string::npos) << gha.err;
  EXPECT_FALSE(find("bld-cache:3").has_value());
}

// A COPY's key covers the digest of the layer it makes: a first build reads the file once, for
// the layer and its digest; once the file has settled, the digest is remembered and a rebuild
// reads nothing; an edit re-runs the step, and undoing it finds the first build's step again.
TEST_F(BuildTest, ACopyIsKeyedByItsLayerRememberedWhileItsSourcesStayTheSame) {
  std::string big(300 * 1024, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + (i / 4096) % 26);
  write("big.bin", big);
  write("Dockerfile", "FROM busybox\nCOPY big.bin /big.bin\n");
  Outcome first = build("-t bld-big:1");
  std::string id = built_id(first);
  EXPECT_NE(first.err.find("0 cached, 1 run"), std::string::npos) << first.err;
  EXPECT_EQ(read_view(view("bld-big:1"), "big.bin"), big);
  Outcome again = build("-t bld-big:1");  // too fresh to be remembered: the layer made again
  EXPECT_EQ(built_id(again), id);
  EXPECT_NE(again.err.find("1 cached, 0 run"), std::string::npos) << again.err;
  const std::string memo_dir = root_ / "build-cache/layers";
  EXPECT_FALSE(fs::exists(memo_dir) && !fs::is_empty(memo_dir));
  ::sleep(3);  // settled: the next build remembers the layer's digest
  EXPECT_EQ(built_id(build("-t bld-big:1")), id);
  ASSERT_EQ(files_in(memo_dir), 1u);
  const std::string entry = fs::directory_iterator(memo_dir)->path();
  Outcome remembered = build("-t bld-big:1");
  EXPECT_EQ(built_id(remembered), id);
  EXPECT_NE(remembered.err.find("1 cached, 0 run"), std::string::npos) << remembered.err;

  // Proof that the key comes from the memo: a digest no layer has misses the cache, and the layer
  // then made disagrees with the key, which the build refuses rather than cache a wrong layer.
  auto text = util::read_file(entry);
  ASSERT_TRUE(text);
  std::string forged = text->substr(0, text->size() - 65) + std::string(64, '0') + "\n";
  ASSERT_TRUE(test::write_text(entry, forged));
  Outcome lied = build("-t bld-big:3");
  EXPECT_EQ(lied.code, 1);
  EXPECT_NE(lied.err.find("Dockerfile:2:1: COPY: a source changed while it was being copied; build again"),
            std::string::npos) << lied.err;
  EXPECT_FALSE(find("bld-big:3").has_value());
  // The same with a layer the store holds (busybox's): the step's layer is then only re-derived
  // and compared, nothing written, and the difference is the same one line.
  auto image = find("bld-big:1");
  ASSERT_TRUE(image.has_value());
  forged = text->substr(0, text->size() - 72) + image->layers.front().diff_id.str() + "\n";
  ASSERT_TRUE(test::write_text(entry, forged));
  lied = build("-t bld-big:3");
  EXPECT_EQ(lied.code, 1);
  EXPECT_NE(lied.err.find("Dockerfile:2:1: COPY: a source changed while it was being copied; build again"),
            std::string::npos) << lied.err;
  EXPECT_FALSE(find("bld-big:3").has_value());
  ASSERT_TRUE(test::write_text(entry, *text));

  big[0] = '!';
  write("big.bin", big);
  Outcome edited = build("-t bld-big:2");
  EXPECT_NE(built_id(edited), id);
  EXPECT_NE(edited.err.find("0 cached, 1 run"), std::string::npos) << edited.err;
  EXPECT_EQ(read_view(view("bld-big:2"), "big.bin"), big);
  big[0] = 'a';
  write("big.bin", big);  // the edit undone: the same layer, so the first build's step
  Outcome undone = build("-t bld-big:1");
  EXPECT_EQ(built_id(undone), id);
  EXPECT_NE(undone.err.find("1 cached, 0 run"), std::string::npos) << undone.err;
}

}  // namespace
}  // namespace stack::build
