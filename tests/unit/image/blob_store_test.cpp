#include "image/blob_store.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

namespace stack::image {
namespace {

namespace fs = std::filesystem;

class BlobStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/stack-blob-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto store = BlobStore::open(dir_ + "/blobs");
    ASSERT_TRUE(store) << store.error().message();
    store_.emplace(std::move(*store));
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Every file under blobs/, temporaries included.
  size_t file_count() const {
    size_t n = 0;
    for (auto& e : fs::recursive_directory_iterator(dir_ + "/blobs")) n += e.is_regular_file();
    return n;
  }

  std::string dir_;
  std::optional<BlobStore> store_;
};

TEST_F(BlobStoreTest, DigestOfKnownData) {
  EXPECT_EQ(Digest::of("").str(), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Digest::of("abc").hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(BlobStoreTest, WritesAndReadsVerified) {
  auto d = store_->write("hello");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(*d, Digest::of("hello"));
  EXPECT_TRUE(store_->contains(*d));
  EXPECT_EQ(store_->read(*d).value_or(""), "hello");
  EXPECT_EQ(store_->size(*d).value_or(0), 5u);
  EXPECT_EQ(file_count(), 1u);
}

TEST_F(BlobStoreTest, CorruptBlobRejectedNothingStored) {
  Digest expected = Digest::of("the real content");
  auto w = store_->writer({.digest = expected});
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write("tampered content"));
  auto committed = w->commit();
  ASSERT_FALSE(committed);
  EXPECT_NE(committed.error().message().find("digest mismatch: expected " + expected.str()), std::string::npos)
      << committed.error().message();
  EXPECT_FALSE(store_->contains(expected));
  EXPECT_EQ(file_count(), 0u);  // no blob, no temporary
}

TEST_F(BlobStoreTest, SizeLimitStopsEarly) {
  auto w = store_->writer({.digest = Digest::of("abc"), .size = 3});
  ASSERT_TRUE(w);
  EXPECT_FALSE(w->write("abcd"));
  EXPECT_EQ(file_count(), 0u);
}

TEST_F(BlobStoreTest, AbandonedWriterLeavesNothing) {
  {
    auto w = store_->writer();
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->write("partial"));
  }
  EXPECT_EQ(file_count(), 0u);
}

TEST_F(BlobStoreTest, ChunksHashedOnASecondThreadKeepTheirOrder) {
  // Inline writes before and after the chunks: the digest is of all bytes in the order written.
  std::string expected = "head-";
  auto w = store_->writer();
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write("head-"));
  for (int i = 0; i < 9; ++i) {
    std::string chunk(100000 + i, static_cast<char>('a' + i));
    expected += chunk;
    ASSERT_TRUE(w->write_chunk(chunk));
    EXPECT_TRUE(chunk.empty());  // given back empty, to be filled again
  }
  ASSERT_TRUE(w->write("-tail"));
  expected += "-tail";
  auto d = w->commit();
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(*d, Digest::of(expected));
  EXPECT_EQ(store_->read(*d, 1u << 21).value_or(""), expected);
}

TEST_F(BlobStoreTest, ARestartDropsTheChunksHashedSoFar) {
  auto w = store_->writer();
  ASSERT_TRUE(w);
  std::string chunk = "thrown away";
  ASSERT_TRUE(w->write_chunk(chunk));
  ASSERT_TRUE(w->restart());
  chunk = "kept";
  ASSERT_TRUE(w->write_chunk(chunk));
  EXPECT_EQ(w->commit().value_or(Digest()), Digest::of("kept"));
}

TEST_F(BlobStoreTest, ABlobAlreadyStoredIsKeptAndTheNewCopyDropped) {
  auto first = store_->write("same bytes");
  ASSERT_TRUE(first);
  struct stat before;
  ASSERT_EQ(::stat(store_->path(*first).c_str(), &before), 0);
  auto w = store_->writer();
  ASSERT_TRUE(w);
  std::string chunk = "same bytes";
  ASSERT_TRUE(w->write_chunk(chunk));
  EXPECT_EQ(w->commit().value_or(Digest()), *first);
  struct stat after;
  ASSERT_EQ(::stat(store_->path(*first).c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // not renamed over
  EXPECT_EQ(file_count(), 1u);             // and no temporary left
}

// A stored blob that new bytes are to repeat (a remembered layer made again): they are hashed
// and compared, never written; different bytes are an error and store nothing.
TEST_F(BlobStoreTest, BytesThatRepeatAStoredBlobAreOnlyHashedAndCompared) {
  auto first = store_->write("same bytes");
  ASSERT_TRUE(first);
  struct stat before;
  ASSERT_EQ(::stat(store_->path(*first).c_str(), &before), 0);
  {
    auto w = store_->writer({.repeats = *first});
    ASSERT_TRUE(w);
    EXPECT_EQ(file_count(), 1u);  // no temporary made
    std::string chunk = "same ";
    ASSERT_TRUE(w->write_chunk(chunk));
    ASSERT_TRUE(w->write("bytes"));
    EXPECT_EQ(w->commit().value_or(Digest()), *first);
  }
  struct stat after;
  ASSERT_EQ(::stat(store_->path(*first).c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(file_count(), 1u);

  auto w = store_->writer({.repeats = *first});
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write("other bytes"));
  auto differs = w->commit();
  ASSERT_FALSE(differs);
  EXPECT_EQ(differs.error().code(), util::Errc::conflict);
  EXPECT_FALSE(store_->contains(Digest::of("other bytes")));
  EXPECT_EQ(file_count(), 1u);
  EXPECT_EQ(store_->read(*first).value_or(""), "same bytes");

  // A blob the store lacks: the bytes are written and stored as usual.
  auto absent = store_->writer({.repeats = Digest::of("absent")});
  ASSERT_TRUE(absent);
  ASSERT_TRUE(absent->write("new bytes"));
  EXPECT_EQ(absent->commit().value_or(Digest()), Digest::of("new bytes"));
  EXPECT_TRUE(store_->contains(Digest::of("new bytes")));
}

TEST_F(BlobStoreTest, ResumesFromPartialFile) {
  std::string data(300000, 'x');
  data += "tail";
  Digest d = Digest::of(data);
  {
    auto w = store_->writer({.digest = d, .resume = true});
    ASSERT_TRUE(w);
    EXPECT_EQ(w->offset(), 0u);
    ASSERT_TRUE(w->write(std::string_view(data).substr(0, 1000)));
  }  // interrupted: the partial file stays
  auto w = store_->writer({.digest = d, .resume = true});
  ASSERT_TRUE(w);
  EXPECT_EQ(w->offset(), 1000u);
  ASSERT_TRUE(w->write(std::string_view(data).substr(1000)));
  auto committed = w->commit();
  ASSERT_TRUE(committed) << committed.error().message();
  EXPECT_EQ(store_->read(d).value_or(""), data);
  EXPECT_EQ(file_count(), 1u);
}

TEST_F(BlobStoreTest, ResumeNeedsDigest) { EXPECT_FALSE(store_->writer({.resume = true})); }

TEST_F(BlobStoreTest, ReadDetectsCorruptionOnDisk) {
  auto d = store_->write("original");
  ASSERT_TRUE(d);
  {
    FILE* f = std::fopen(store_->path(*d).c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("changed!", f);
    std::fclose(f);
  }
  auto read = store_->read(*d);
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message().find("corrupt"), std::string::npos);
}

TEST_F(BlobStoreTest, ListAndRemove) {
  auto a = store_->write("a");
  auto b = store_->write("b");
  ASSERT_TRUE(a && b);
  auto listed = store_->list();
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 2u);
  EXPECT_TRUE(store_->remove(*a).value_or(false));
  EXPECT_FALSE(store_->remove(*a).value_or(true));
  EXPECT_FALSE(store_->contains(*a));
}

TEST(Digest, Parse) {
  EXPECT_TRUE(Digest::parse("sha256:" + std::string(64, 'a')));
  EXPECT_FALSE(Digest::parse("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(Digest::parse("sha256:" + std::string(63, 'a')));
  EXPECT_FALSE(Digest::parse("sha512:" + std::string(128, 'a')));
  EXPECT_FALSE(Digest::parse(std::string(64, 'a')));
}

}  // namespace
}  // namespace stack::image
