// Which downloads are a context's archive and which are a Dockerfile (docker's test of the first bytes).
#include <gtest/gtest.h>

#include <string>

#include "build/url_context.hpp"

namespace stack::build {
namespace {

TEST(UrlContext, CompressedStreamsAndTarHeadersAreArchives) {
  EXPECT_TRUE(looks_like_archive(std::string("\x1f\x8b\x08\x00", 4)));            // gzip
  EXPECT_TRUE(looks_like_archive("BZh91AY&SY"));                                  // bzip2
  EXPECT_TRUE(looks_like_archive(std::string("\xfd" "7zXZ\x00\x00", 7)));          // xz
  EXPECT_TRUE(looks_like_archive(std::string("\x28\xb5\x2f\xfd\x00", 5)));         // zstd
  std::string tar(512, '\0');
  tar.replace(0, 8, "file.txt");
  tar.replace(257, 6, std::string("ustar\0", 6));
  EXPECT_TRUE(looks_like_archive(tar));
}

TEST(UrlContext, AnythingElseIsADockerfile) {
  EXPECT_FALSE(looks_like_archive("FROM busybox\nRUN true\n"));
  EXPECT_FALSE(looks_like_archive(""));
  EXPECT_FALSE(looks_like_archive(std::string("\x1f", 1)));  // a gzip magic cut short
  EXPECT_FALSE(looks_like_archive(std::string(300, 'x')));   // long enough, no "ustar"
  EXPECT_FALSE(looks_like_archive(std::string("\xfd" "7zX", 4)));
}

}  // namespace
}  // namespace stack::build
