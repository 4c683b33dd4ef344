#include "spec/reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace stack::spec {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Node read_ok(std::string_view yaml) {
  Diagnostics diags;
  auto node = read_yaml(yaml, "stack.yaml", diags);
  EXPECT_TRUE(node.has_value()) << diags.format();
  EXPECT_TRUE(diags.empty());
  return node.value_or(Node{});
}

Diagnostics read_fail(std::string_view yaml, const ReadLimits& limits = {}) {
  Diagnostics diags;
  auto node = read_yaml(yaml, "stack.yaml", diags, limits);
  EXPECT_FALSE(node.has_value());
  EXPECT_FALSE(diags.empty());
  return diags;
}

TEST(ReaderTest, ScalarsSequencesMappingsInOrder) {
  Node root = read_ok("b: 1\na: [x, y]\nc: {k: v}\n");
  ASSERT_TRUE(root.is_mapping());
  ASSERT_EQ(root.entries.size(), 3u);
  EXPECT_EQ(root.entries[0].first.scalar, "b");
  EXPECT_EQ(root.entries[1].first.scalar, "a");
  EXPECT_EQ(root.find("b")->scalar, "1");
  ASSERT_TRUE(root.find("a")->is_sequence());
  EXPECT_EQ(root.find("a")->items[1].scalar, "y");
  EXPECT_EQ(root.find("c")->find("k")->scalar, "v");
}

TEST(ReaderTest, PositionsAreOneBasedLineAndColumn) {
  Node root = read_ok("services:\n  web:\n    image: nginx\n    ports:\n      - \"80:80\"\n");
  const Node* web = root.find("services")->find("web");
  const Node* image = web->find("image");
  EXPECT_EQ(image->mark.line, 3);
  EXPECT_EQ(image->mark.column, 12);
  EXPECT_EQ(image->mark.file_name(), "stack.yaml");
  const Node* key = web->find_key("image");
  EXPECT_EQ(key->mark.line, 3);
  EXPECT_EQ(key->mark.column, 5);
  const Node& port = web->find("ports")->items[0];
  EXPECT_EQ(port.mark.line, 5);
  EXPECT_EQ(port.mark.column, 9);
}

TEST(ReaderTest, QuotedScalarsAreMarked) {
  Node root = read_ok("a: \"1\"\nb: '2'\nc: 3\nd: !!str 4\n");
  EXPECT_TRUE(root.find("a")->quoted);
  EXPECT_TRUE(root.find("b")->quoted);
  EXPECT_FALSE(root.find("c")->quoted);
  EXPECT_TRUE(root.find("d")->quoted);
}

TEST(ReaderTest, NullsAndEmptyDocument) {
  Node root = read_ok("a:\nb: ~\nc: null\n");
  EXPECT_TRUE(root.find("a")->is_null());
  EXPECT_TRUE(root.find("b")->is_null());
  EXPECT_TRUE(root.find("c")->is_null());
  EXPECT_TRUE(read_ok("").is_null());
  EXPECT_TRUE(read_ok("# only a comment\n").is_null());
}

TEST(ReaderTest, AnchorsAndAliasesAreExpanded) {
  Node root = read_ok("x-env: &env\n  A: 1\n  B: 2\nservices:\n  a:\n    environment: *env\n"
                      "  b:\n    environment: *env\n    tag: &t v1\n    copy: *t\n");
  const Node* a = root.find("services")->find("a")->find("environment");
  const Node* b = root.find("services")->find("b");
  ASSERT_TRUE(a->is_mapping());
  EXPECT_EQ(a->find("B")->scalar, "2");
  EXPECT_EQ(b->find("environment")->find("A")->scalar, "1");
  EXPECT_EQ(b->find("copy")->scalar, "v1");
}

TEST(ReaderTest, MergeKeySingleMappingExplicitKeysWin) {
  Node root = read_ok("base: &base\n  image: a\n  restart: always\n"
                      "web:\n  <<: *base\n  image: b\n");
  const Node* web = root.find("web");
  EXPECT_EQ(web->find("image")->scalar, "b");
  EXPECT_EQ(web->find("restart")->scalar, "always");
  EXPECT_EQ(web->find("<<"), nullptr);
  EXPECT_EQ(web->entries.size(), 2u);
}

TEST(ReaderTest, MergeKeyExplicitKeyWinsEvenWhenWrittenFirst) {
  Node root = read_ok("base: &base {image: a}\nweb:\n  image: b\n  <<: *base\n");
  EXPECT_EQ(root.find("web")->find("image")->scalar, "b");
}

TEST(ReaderTest, MergeKeyListEarlierMappingWins) {
  Node root = read_ok("one: &one {a: 1, b: 1}\ntwo: &two {b: 2, c: 2}\n"
                      "m:\n  <<: [*one, *two]\n  c: 3\n");
  const Node* m = root.find("m");
  EXPECT_EQ(m->find("a")->scalar, "1");
  EXPECT_EQ(m->find("b")->scalar, "1");
  EXPECT_EQ(m->find("c")->scalar, "3");
}

TEST(ReaderTest, MergeKeyInlineMapping) {
  Node root = read_ok("m:\n  <<: {a: 1}\n  b: 2\n");
  EXPECT_EQ(root.find("m")->find("a")->scalar, "1");
}

TEST(ReaderTest, QuotedMergeKeyIsAnOrdinaryKey) {
  Node root = read_ok("m:\n  \"<<\": {a: 1}\n");
  ASSERT_NE(root.find("m")->find("<<"), nullptr);
}

TEST(ReaderTest, MergeKeyWithScalarIsAnError) {
  Diagnostics diags = read_fail("m:\n  <<: 5\n");
  EXPECT_THAT(diags.format(), HasSubstr("'<<' merge key must be a mapping"));
  Diagnostics list = read_fail("m:\n  <<: [{a: 1}, 2]\n");
  EXPECT_THAT(list.format(), HasSubstr("may hold only mappings"));
}

TEST(ReaderTest, DuplicateKeyIsAnErrorAtTheSecondKey) {
  Diagnostics diags = read_fail("services:\n  web:\n    image: a\n    image: b\n");
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].format(), "stack.yaml:4:5: duplicate key 'image'");
}

TEST(ReaderTest, EveryDuplicateIsReported) {
  Diagnostics diags = read_fail("a: 1\na: 2\nb: 1\nb: 2\n");
  EXPECT_EQ(diags.size(), 2u);
}

TEST(ReaderTest, NonScalarKeyIsAnError) {
  Diagnostics diags = read_fail("? [a, b]\n: 1\n");
  EXPECT_THAT(diags.format(), HasSubstr("mapping keys must be strings"));
}

TEST(ReaderTest, NulByteIsRefused) {
  std::string text = "a: 1\n";
  text += '\0';
  text += "b: 2\n";
  Diagnostics diags = read_fail(text);
  EXPECT_THAT(diags.format(), HasSubstr("NUL byte at offset 5"));
}

TEST(ReaderTest, TooLargeIsRefused) {
  ReadLimits small;
  small.max_bytes = 1u << 20;
  std::string text = "a: \"" + std::string((1u << 20) + 10, 'x') + "\"\n";
  EXPECT_THAT(read_fail(text, small).format(), HasSubstr("larger than 1 MiB"));
  std::string huge((8u << 20) + 1, '#');
  EXPECT_THAT(read_fail(huge).format(), HasSubstr("larger than 8 MiB"));
}

TEST(ReaderTest, InvalidYamlNamesTheLine) {
  Diagnostics diags = read_fail("services:\n  web:\n    image: [unclosed\n    ports: x\n");
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_THAT(diags.list()[0].message, StartsWith("invalid YAML: "));
  EXPECT_GE(diags.list()[0].mark.line, 3);
  Diagnostics tab = read_fail("a:\n\tb: 1\n");
  EXPECT_EQ(tab.list()[0].mark.line, 2);
  Diagnostics indent = read_fail("a: 1\n b: 2\n");
  EXPECT_EQ(indent.list()[0].mark.line, 2);
}

TEST(ReaderTest, UnknownAliasIsAnError) {
  EXPECT_THAT(read_fail("a: *nowhere\n").format(), HasSubstr("invalid YAML"));
}

// Ten levels of ten aliases each would expand to 10^10 nodes.
std::string billion_laughs() {
  std::string text = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 10; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += (j ? ", " : "") + prev;
    text += "]\n";
  }
  return text;
}

TEST(ReaderTest, BillionLaughsStopsQuickly) {
  auto start = std::chrono::steady_clock::now();
  Diagnostics diags = read_fail(billion_laughs());
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(diags.format(), HasSubstr("alias expansion bomb"));
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 1000);
}

TEST(ReaderTest, MergeKeyBombStopsQuickly) {
  std::string text = "m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n";
  for (int i = 1; i <= 10; ++i) {
    std::string prev = "*m" + std::to_string(i - 1);
    text += "m" + std::to_string(i) + ": &m" + std::to_string(i) + " {";
    for (int j = 0; j < 10; ++j) text += (j ? ", " : "") + std::string("k") + std::to_string(j) +
                                         ": {<<: " + prev + "}";
    text += "}\n";
  }
  auto start = std::chrono::steady_clock::now();
  Diagnostics diags = read_fail(text);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(diags.format(), HasSubstr("alias expansion bomb"));
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 1000);
}

TEST(ReaderTest, SelfReferencingAliasIsAnError) {
  read_fail("a: &a [1, *a]\n");
  read_fail("a: &a {b: *a, c: *a}\n");
}

TEST(ReaderTest, AliasesWithinTheLimitAreExpanded) {
  Node root = read_ok("a: &a [1, 2]\nb: [*a, *a, *a]\n");
  EXPECT_EQ(root.find("b")->items.size(), 3u);
  EXPECT_EQ(root.find("b")->items[2].items[1].scalar, "2");
}

TEST(ReaderTest, NodeLimitIsConfigurable) {
  ReadLimits limits;
  limits.max_nodes = 10;
  EXPECT_THAT(read_fail("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n", limits).format(),
              HasSubstr("more than 10 nodes"));
}

TEST(ReaderTest, DeepFlowNestingIsAnErrorNotACrash) {
  std::string text(10000, '[');
  text += std::string(10000, ']');
  Diagnostics diags = read_fail(text);
  EXPECT_EQ(diags.size(), 1u);
}

TEST(ReaderTest, DeepFlowMappingNestingIsAnError) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "{a: ";
  text += "1";
  text += std::string(10000, '}');
  read_fail(text);
}

TEST(ReaderTest, DeepBlockNestingIsAnError) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += std::string(static_cast<size_t>(i), ' ') + "a:\n";
  read_fail(text);
}

TEST(ReaderTest, NestingBeyondTheLimitIsNamed) {
  std::string text(200, '[');
  text += std::string(200, ']');
  Diagnostics diags = read_fail(text);
  EXPECT_THAT(diags.format(), HasSubstr("nesting deeper than 128 levels"));
  std::string fine(100, '[');
  fine += std::string(100, ']');
  read_ok(fine);
}

TEST(ReaderTest, ManyKeysStayFast) {
  std::string text;
  for (int i = 0; i < 50000; ++i) text += "k" + std::to_string(i) + ": " + "v\n";
  auto start = std::chrono::steady_clock::now();
  Node root = read_ok(text);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(root.entries.size(), 50000u);
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 5000);
}

TEST(ReaderTest, MissingFileIsADiagnostic) {
  Diagnostics diags;
  EXPECT_FALSE(read_yaml_file("/nonexistent/stack.yaml", diags).has_value());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].format(),
            "/nonexistent/stack.yaml: cannot read stack file: No such file or directory");
}

TEST(ReaderTest, ReadsAFileWithItsNameInMarks) {
  auto path = std::filesystem::temp_directory_path() /
              ("stack-reader-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << "a:\n  b: 1\n";
  Diagnostics diags;
  auto node = read_yaml_file(path.string(), diags);
  std::filesystem::remove(path);
  ASSERT_TRUE(node.has_value()) << diags.format();
  EXPECT_EQ(node->find("a")->find("b")->mark.file_name(), path.string());
  EXPECT_EQ(node->find("a")->find("b")->mark.line, 2);
}

}  // namespace
}  // namespace stack::spec
