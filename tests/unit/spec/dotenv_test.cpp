#include "spec/dotenv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace stack::spec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

Environment parse(std::string_view text, const Environment& lookup = {}) {
  Diagnostics diags;
  Environment env = parse_dotenv(text, ".env", lookup, diags);
  EXPECT_TRUE(diags.empty()) << diags.format();
  return env;
}

Diagnostics parse_errors(std::string_view text, Environment* env = nullptr) {
  Diagnostics diags;
  Environment out = parse_dotenv(text, ".env", {}, diags);
  if (env) *env = out;
  return diags;
}

TEST(DotenvTest, KeyValueLines) {
  EXPECT_THAT(parse("A=1\nB=two\n"), ElementsAre(Pair("A", "1"), Pair("B", "two")));
}

TEST(DotenvTest, LastLineWithoutNewline) { EXPECT_EQ(parse("A=1").at("A"), "1"); }

TEST(DotenvTest, ExportPrefix) {
  EXPECT_THAT(parse("export A=1\nexport\tB=2\n"), ElementsAre(Pair("A", "1"), Pair("B", "2")));
  // "export" is only a prefix when a blank follows it.
  EXPECT_EQ(parse("exported=1\n").at("exported"), "1");
}

TEST(DotenvTest, CommentsAndBlankLines) {
  Environment env = parse("# header\n\n   \n  # indented comment\nA=1\n\t\nB=2 # trailing\n");
  EXPECT_THAT(env, ElementsAre(Pair("A", "1"), Pair("B", "2")));
}

TEST(DotenvTest, HashWithoutBlankIsPartOfUnquotedValue) {
  EXPECT_EQ(parse("A=a#b\n").at("A"), "a#b");
  EXPECT_EQ(parse("A=#b\n").at("A"), "#b");
  EXPECT_EQ(parse("A=x\t# tab comment\n").at("A"), "x");
}

TEST(DotenvTest, UnquotedValuesAreTrimmed) {
  EXPECT_EQ(parse("A =   spaced out   \n").at("A"), "spaced out");
  EXPECT_EQ(parse("A=value\r\n").at("A"), "value");
}

TEST(DotenvTest, EmptyValue) {
  Environment env = parse("A=\nB=   \nC=''\nD=\"\"\n");
  EXPECT_THAT(env, ElementsAre(Pair("A", ""), Pair("B", ""), Pair("C", ""), Pair("D", "")));
}

TEST(DotenvTest, KeyAloneInheritsFromLookup) {
  Environment env = parse("FROM_SHELL\nMISSING\nOTHER # note\n",
                          {{"FROM_SHELL", "shell"}, {"OTHER", "o"}});
  EXPECT_THAT(env, ElementsAre(Pair("FROM_SHELL", "shell"), Pair("OTHER", "o")));
}

TEST(DotenvTest, YamlStyleColon) { EXPECT_EQ(parse("A: 1\n").at("A"), "1"); }

TEST(DotenvTest, KeyCharacters) {
  Environment env = parse("a.b-c_D[0]=1\n_X=2\n");
  EXPECT_EQ(env.at("a.b-c_D[0]"), "1");
  EXPECT_EQ(env.at("_X"), "2");
}

TEST(DotenvTest, KeysStartingWithDigitAreDropped) {
  EXPECT_THAT(parse("1A=x\nB=y\n"), ElementsAre(Pair("B", "y")));
}

TEST(DotenvTest, SingleQuotesAreLiteral) {
  Environment env = parse("A='$HOME \\n ${X} # not a comment'\n", {{"HOME", "/root"}});
  EXPECT_EQ(env.at("A"), "$HOME \\n ${X} # not a comment");
}

TEST(DotenvTest, DoubleQuoteEscapes) {
  Environment env = parse(R"(A="line1\nline2\ttab \"quoted\" back\\slash \$NOT")" "\n",
                          {{"NOT", "x"}});
  EXPECT_EQ(env.at("A"), "line1\nline2\ttab \"quoted\" back\\slash $NOT");
}

TEST(DotenvTest, DoubleQuotesInterpolate) {
  Environment env = parse("A=\"${USER}@${HOST:-localhost}\"\n", {{"USER", "me"}});
  EXPECT_EQ(env.at("A"), "me@localhost");
}

TEST(DotenvTest, QuotedValueKeepsInnerSpacesAndHash) {
  EXPECT_EQ(parse("A=\"  a # b  \"  # comment\n").at("A"), "  a # b  ");
}

TEST(DotenvTest, MultiLineQuotedValues) {
  Environment env = parse("CERT=\"-----BEGIN-----\nabc\n-----END-----\"\nKEY='x\ny'\nB=1\n");
  EXPECT_EQ(env.at("CERT"), "-----BEGIN-----\nabc\n-----END-----");
  EXPECT_EQ(env.at("KEY"), "x\ny");
  EXPECT_EQ(env.at("B"), "1");
}

TEST(DotenvTest, UnquotedInterpolationFromLookupAndEarlierKeys) {
  Environment env = parse("BASE=/srv\nDATA=$BASE/data\nURL=${SCHEME}://${BASE}\nU=$UNSET-x\n",
                          {{"SCHEME", "https"}});
  EXPECT_EQ(env.at("DATA"), "/srv/data");
  EXPECT_EQ(env.at("URL"), "https:///srv");
  EXPECT_EQ(env.at("U"), "-x");
}

TEST(DotenvTest, LookupWinsOverEarlierKeysForExpansion) {
  Environment env = parse("A=file\nB=$A\n", {{"A", "shell"}});
  EXPECT_EQ(env.at("A"), "file");  // the file's own value: load() decides precedence
  EXPECT_EQ(env.at("B"), "shell");
}

TEST(DotenvTest, LaterKeyOverridesEarlier) { EXPECT_EQ(parse("A=1\nA=2\n").at("A"), "2"); }

TEST(DotenvTest, ByteOrderMarkIsSkipped) { EXPECT_EQ(parse("\xEF\xBB\xBF" "A=1\n").at("A"), "1"); }

TEST(DotenvTest, BadKeyCharacterPointsAtIt) {
  Environment env;
  Diagnostics diags = parse_errors("A=1\nBAD!KEY=2\nC=3\n", &env);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].format(), ".env:2:4: unexpected character '!' in variable name 'BAD'");
  // Parsing goes on past a bad line so that every error is reported at once.
  EXPECT_THAT(env, ElementsAre(Pair("A", "1"), Pair("C", "3")));
}

TEST(DotenvTest, KeyWithSpaceIsAnError) {
  Diagnostics diags = parse_errors("MY KEY=1\n");
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_THAT(diags.list()[0].message, HasSubstr("cannot contain a space"));
  EXPECT_EQ(diags.list()[0].mark.column, 4);
}

TEST(DotenvTest, MissingKeyIsAnError) {
  Diagnostics diags = parse_errors("  =value\n");
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].mark.line, 1);
  EXPECT_EQ(diags.list()[0].mark.column, 3);
}

TEST(DotenvTest, UnterminatedQuotePointsAtTheQuote) {
  Diagnostics diags = parse_errors("A=1\n\nB=\"never closed\nC=2\n");
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].format(), ".env:3:3: unterminated quoted value");
  Diagnostics single = parse_errors("X='open");
  ASSERT_EQ(single.size(), 1u);
  EXPECT_EQ(single.list()[0].mark.column, 3);
}

TEST(DotenvTest, TextAfterClosingQuoteIsAnError) {
  Diagnostics diags = parse_errors("A=\"x\" y\nB=1\n");
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].mark.line, 1);
  EXPECT_EQ(diags.list()[0].mark.column, 7);
}

TEST(DotenvTest, LineNumbersCountInsideMultiLineValues) {
  Diagnostics diags = parse_errors("A=\"1\n2\n3\"\nB@=x\n");
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].mark.line, 4);
  EXPECT_EQ(diags.list()[0].mark.column, 2);
}

TEST(DotenvTest, InterpolationErrorsAreDiagnostics) {
  Diagnostics diags = parse_errors("A=ok\nB=${REQ:?set REQ}\nC=${\n");
  ASSERT_EQ(diags.size(), 2u);
  EXPECT_EQ(diags.list()[0].format(),
            ".env:2:3: variable 'B': required variable REQ is missing a value: set REQ");
  EXPECT_THAT(diags.list()[1].message, HasSubstr("invalid interpolation format"));
}

TEST(DotenvTest, ManyErrorsStayFast) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "bad key " + std::to_string(i) + "\n";
  Diagnostics diags = parse_errors(text);
  EXPECT_EQ(diags.size(), 20000u);
  EXPECT_EQ(diags.list().back().mark.line, 20000);
}

class DotenvFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("stack-dotenv-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(DotenvFileTest, ReadsAFile) {
  Diagnostics diags;
  auto env = read_dotenv_file(write(".env", "A=1\n"), {}, true, diags);
  ASSERT_TRUE(env.has_value()) << diags.format();
  EXPECT_EQ(env->at("A"), "1");
}

TEST_F(DotenvFileTest, MissingRequiredFileIsAnError) {
  Diagnostics diags;
  std::string path = (dir_ / "absent.env").string();
  EXPECT_FALSE(read_dotenv_file(path, {}, true, diags).has_value());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].format(), path + ": cannot read env file: No such file or directory");
}

// Found by the fuzzer: a directory made the stream read throw instead of giving a diagnostic.
TEST_F(DotenvFileTest, ADirectoryIsAnErrorNotACrash) {
  for (bool required : {true, false}) {
    Diagnostics diags;
    EXPECT_FALSE(read_dotenv_file(dir_.string(), {}, required, diags).has_value());
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(diags.list()[0].format(), dir_.string() + ": cannot read env file: Is a directory");
  }
}

TEST_F(DotenvFileTest, MissingOptionalFileIsEmpty) {
  Diagnostics diags;
  auto env = read_dotenv_file((dir_ / "absent.env").string(), {}, false, diags);
  ASSERT_TRUE(env.has_value());
  EXPECT_TRUE(env->empty());
  EXPECT_TRUE(diags.empty());
}

TEST_F(DotenvFileTest, ParseErrorsNameTheFile) {
  Diagnostics diags;
  std::string path = write("bad.env", "OK=1\nA B\n");
  EXPECT_FALSE(read_dotenv_file(path, {}, true, diags).has_value());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].mark.file_name(), path);
  EXPECT_EQ(diags.list()[0].mark.line, 2);
}

}  // namespace
}  // namespace stack::spec
