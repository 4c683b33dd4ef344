// The json-file log: encoding as docker writes it, line splitting, and rotation in a temp dir.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <regex>

#include "runtime/shim/json_log.hpp"
#include "support/rootfs.hpp"

namespace stack::runtime::shim {
namespace {

TEST(JsonLog, EncodesOneEntryPerLine) {
  std::string entry = encode_log_entry("hello\n", "stdout", "2026-11-28T04:12:01.123456789Z");
  EXPECT_EQ(entry, "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T04:12:01.123456789Z\"}\n");
}

TEST(JsonLog, EscapesLikeGo) {
  EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_quote("\t\r\n"), "\"\\t\\r\\n\"");
  EXPECT_EQ(json_quote(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(json_quote("<a&b>"), "\"\\u003ca\\u0026b\\u003e\"");
  EXPECT_EQ(json_quote("caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
  EXPECT_EQ(json_quote("bad \xff\xc3"), "\"bad \\ufffd\\ufffd\"");
  EXPECT_EQ(json_quote("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // a surrogate is not UTF-8
  EXPECT_EQ(json_quote(std::string("nul\0x", 5)), "\"nul\\u0000x\"");
}

TEST(JsonLog, EntriesParseBackToTheSameText) {
  std::string text = "tab\there \"q\" \x7f \x02 <>& \xc3\xa9\n";
  auto parsed = nlohmann::json::parse(encode_log_entry(text, "stderr", "t"));
  EXPECT_EQ(parsed["log"], text);
  EXPECT_EQ(parsed["stream"], "stderr");
}

TEST(JsonLog, TimeIsRfc3339WithNanosecondsInUtc) {
  struct timespec t {1795839121, 5};  // 2026-11-28T04:12:01Z
  EXPECT_EQ(format_rfc3339_nano(t), "2026-11-28T04:12:01.000000005Z");
  t.tv_nsec = 123456789;
  EXPECT_EQ(format_rfc3339_nano(t), "2026-11-28T04:12:01.123456789Z");
  std::regex shape(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z)");
  EXPECT_TRUE(std::regex_match(now_rfc3339_nano(), shape));
}

TEST(LineSplitter, SplitsAtNewlinesAndKeepsThePartialLine) {
  LineSplitter s;
  EXPECT_EQ(s.feed("a\nb"), (std::vector<std::string>{"a\n"}));
  EXPECT_EQ(s.feed("c\n\nd"), (std::vector<std::string>{"bc\n", "\n"}));
  EXPECT_EQ(s.flush(), "d");
  EXPECT_EQ(s.flush(), "");
}

TEST(LineSplitter, CutsLongLinesAt16KiB) {
  LineSplitter s;
  std::string long_line(kMaxLogLine * 2 + 10, 'x');
  auto entries = s.feed(long_line);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].size(), kMaxLogLine);
  EXPECT_EQ(entries[1].size(), kMaxLogLine);
  entries = s.feed("\n");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0], std::string(10, 'x') + "\n");
}

TEST(LogRotation, NamesCountUpFromTheLiveFile) {
  EXPECT_EQ(rotated_name("/x/c-json.log", 0), "/x/c-json.log");
  EXPECT_EQ(rotated_name("/x/c-json.log", 1), "/x/c-json.log.1");
  EXPECT_EQ(rotated_name("/x/c-json.log", 3), "/x/c-json.log.3");
}

TEST(LogRotation, KeepsMaxFileFilesOfAboutMaxSize) {
  test::TempDir dir("stack-log");
  std::string base = dir / "c-json.log";
  auto file = LogFile::open(base, {100, 3});
  ASSERT_TRUE(file) << file.error().message();
  std::string entry(40, 'e');
  entry.back() = '\n';
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(file->write(entry));
  namespace fs = std::filesystem;
  EXPECT_TRUE(fs::exists(base));
  EXPECT_TRUE(fs::exists(base + ".1"));
  EXPECT_TRUE(fs::exists(base + ".2"));
  EXPECT_FALSE(fs::exists(base + ".3"));
  EXPECT_EQ(fs::file_size(base + ".1"), 120u);  // rotated once 100 bytes were reached
  EXPECT_LE(fs::file_size(base), 120u);
}

TEST(LogRotation, OneFileMeansTruncate) {
  test::TempDir dir("stack-log");
  std::string base = dir / "c-json.log";
  auto file = LogFile::open(base, {50, 1});
  ASSERT_TRUE(file);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(file->write(std::string(30, 'x') + "\n"));
  EXPECT_FALSE(std::filesystem::exists(base + ".1"));
  EXPECT_EQ(std::filesystem::file_size(base), 31u);
}

TEST(LogRotation, ZeroMaxSizeNeverRotates) {
  test::TempDir dir("stack-log");
  std::string base = dir / "c-json.log";
  auto file = LogFile::open(base, {0, 3});
  ASSERT_TRUE(file);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(file->write("0123456789\n"));
  EXPECT_EQ(std::filesystem::file_size(base), 1100u);
  EXPECT_FALSE(std::filesystem::exists(base + ".1"));
}

}  // namespace
}  // namespace stack::runtime::shim
