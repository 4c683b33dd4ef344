#include "util/sha256.hpp"

#include <gtest/gtest.h>

#include <string>

namespace stack::util {
namespace {

// FIPS 180-2's examples.
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kTwoBlocks = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr const char* kTwoBlocksText = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(sha256_hex(""), kEmpty);
  EXPECT_EQ(sha256_hex("abc"), kAbc);
  EXPECT_EQ(sha256_hex(kTwoBlocksText), kTwoBlocks);
}

TEST(Sha256, StreamedInPiecesAndStartedOverAfterEachDigest) {
  Sha256 hash;
  const std::string text = kTwoBlocksText;
  for (size_t i = 0; i < text.size(); i += 5) hash.update(std::string_view(text).substr(i, 5));
  EXPECT_EQ(hash.finish_hex(), kTwoBlocks);
  EXPECT_EQ(hash.finish_hex(), kEmpty);  // nothing fed since
  hash.update("ab");
  hash.update("c", 1);
  hash.update(nullptr, 0);
  EXPECT_EQ(hash.finish_hex(), kAbc);
}

// The one-shot digest (libmd) and the streaming one (libcrypto) are two implementations: they
// must agree on every length around the 64-byte block and its 56-byte padding boundary.
TEST(Sha256, OneShotAndStreamedDigestsAgree) {
  std::string text;
  for (size_t length = 0; length <= 200; ++length) {
    Sha256 hash;
    hash.update(text);
    ASSERT_EQ(sha256_hex(text), hash.finish_hex()) << "length " << length;
    text.push_back(static_cast<char>('a' + length % 26));
  }
}

TEST(Sha256, MovedHasherKeepsItsState) {
  Sha256 a;
  a.update("a");
  Sha256 b(std::move(a));
  b.update("bc");
  Sha256 c;
  c = std::move(b);
  EXPECT_EQ(c.finish_hex(), kAbc);
}

}  // namespace
}  // namespace stack::util
