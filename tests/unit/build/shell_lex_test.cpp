#include "build/shell_lex.hpp"

#include <gtest/gtest.h>

namespace stack::build {
namespace {

const Vars kVars{{"A", "apple"}, {"EMPTY", ""}, {"SP", "a b"}};

std::string word(const std::string& text, char escape = '\\') {
  auto w = expand_word(text, kVars, escape);
  EXPECT_TRUE(w) << w.error().message();
  return w ? *w : "";
}

TEST(ShellLex, Variables) {
  EXPECT_EQ(word("$A"), "apple");
  EXPECT_EQ(word("${A}pie"), "applepie");
  EXPECT_EQ(word("$Apie"), "");
  EXPECT_EQ(word("x$NOPE-y"), "x-y");
  EXPECT_EQ(word("cost: $5"), "cost: $5");
  EXPECT_EQ(word("${NOPE:-def}"), "def");
  EXPECT_EQ(word("${EMPTY:-def}"), "def");
  EXPECT_EQ(word("${EMPTY-def}"), "");
  EXPECT_EQ(word("${A:+set}"), "set");
  EXPECT_EQ(word("${EMPTY:+set}"), "");
  EXPECT_EQ(word("${EMPTY+set}"), "set");
  EXPECT_EQ(word("${NOPE:-${A}}"), "apple");
}

TEST(ShellLex, QuotesAndEscapes) {
  EXPECT_EQ(word("'$A'"), "$A");
  EXPECT_EQ(word("\"$A is ${A}\""), "apple is apple");
  EXPECT_EQ(word("\\$A"), "$A");
  EXPECT_EQ(word("\"a \\\"q\\\" b\""), "a \"q\" b");
  EXPECT_EQ(word("`$A", '`'), "$A");
  EXPECT_EQ(word("c:\\dir", '`'), "c:\\dir");
}

TEST(ShellLex, HeredocBodyKeepsQuotes) {
  auto body = [](const std::string& text, char escape = '\\') {
    auto b = expand_heredoc(text, kVars, escape);
    EXPECT_TRUE(b) << b.error().message();
    return b ? *b : "";
  };
  EXPECT_EQ(body("say \"$A\" and '${A}'\n"), "say \"apple\" and 'apple'\n");
  EXPECT_EQ(body("\\$A \\n \\\\ ${NOPE:-x}\n"), "$A \\n \\ x\n");
  EXPECT_EQ(body("one \\\ntwo\n"), "one two\n");
  EXPECT_EQ(body("`$A `x\n", '`'), "$A `x\n");
  EXPECT_FALSE(expand_heredoc("${A\n", kVars, '\\'));
}

TEST(ShellLex, Words) {
  auto w = expand_words("a  'b c' \"$SP\" d\\ e $SP", kVars, '\\');
  ASSERT_TRUE(w);
  EXPECT_EQ(*w, (std::vector<std::string>{"a", "b c", "a b", "d e", "a b"}));
  auto empty = expand_words("  ", kVars, '\\');
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(ShellLex, Errors) {
  EXPECT_FALSE(expand_word("'open", kVars, '\\'));
  EXPECT_FALSE(expand_word("\"open", kVars, '\\'));
  EXPECT_FALSE(expand_word("${A", kVars, '\\'));
  EXPECT_FALSE(expand_word("${}", kVars, '\\'));
  EXPECT_FALSE(expand_word("${A/x/y}", kVars, '\\'));
  auto required = expand_word("${NOPE:?must be set}", kVars, '\\');
  ASSERT_FALSE(required);
  EXPECT_EQ(required.error().message(), "NOPE: must be set");
}

TEST(ShellLex, SplitRawKeepsQuotes) {
  EXPECT_EQ(split_raw("A=\"x y\" B='$z' C=d\\ e", '\\'),
            (std::vector<std::string>{"A=\"x y\"", "B='$z'", "C=d\\ e"}));
}

}  // namespace
}  // namespace stack::build
