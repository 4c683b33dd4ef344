#include "build/url_source.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace stack::build {
namespace {

TEST(UrlSource, TellsUrlsFromPaths) {
  EXPECT_TRUE(is_url_source("http://127.0.0.1/x"));
  EXPECT_TRUE(is_url_source("https://example.org/a.tar.gz"));
  EXPECT_FALSE(is_url_source("git@github.com:a/b.git"));
  EXPECT_FALSE(is_url_source("http.txt"));
  EXPECT_FALSE(is_url_source("./http://x"));
}

TEST(UrlSource, FileNameIsThePathsLastComponent) {
  EXPECT_EQ(url_file_name("http://127.0.0.1:8080/files/app.tar.gz"), "app.tar.gz");
  EXPECT_EQ(url_file_name("https://h/dl/tool?version=2#top"), "tool");
  EXPECT_EQ(url_file_name("https://h/dir/"), "dir");
  EXPECT_EQ(url_file_name("https://h/a%20b.txt"), "a b.txt");
  EXPECT_EQ(url_file_name("https://h/"), "__unnamed__");
  EXPECT_EQ(url_file_name("https://h"), "__unnamed__");
  EXPECT_EQ(url_file_name("https://h?x=/y"), "__unnamed__");
}

TEST(UrlSource, Checksum) {
  const std::string hex(64, 'a');
  auto ok = parse_add_checksum("sha256:" + std::string(64, 'A'));
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(*ok, hex);
  for (const std::string& bad : std::vector<std::string>{"sha256:" + hex.substr(1), "sha512:" + hex, hex, "sha256:" + hex + "0",
                                "sha256:" + hex.substr(1) + "g"}) {
    auto r = parse_add_checksum(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message(), "--checksum='" + bad + "': expected sha256:<64 hex digits>");
  }
}

TEST(UrlSource, HttpDate) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  EXPECT_EQ(parse_http_date(""), std::nullopt);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), std::nullopt);
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT trailing"), std::nullopt);
}

}  // namespace
}  // namespace stack::build
