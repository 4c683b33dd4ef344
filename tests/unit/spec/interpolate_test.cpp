#include "spec/interpolate.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/reader.hpp"

namespace stack::spec {
namespace {

using ::testing::HasSubstr;

class InterpolateTest : public ::testing::Test {
 protected:
  Environment env_{{"SET", "value"}, {"EMPTY", ""}, {"PORT", "8080"}, {"A1_b2", "digits"},
                   {"_UNDER", "under"}, {"HOST", "db"}};

  std::string ok(std::string_view text) {
    std::string error;
    auto out = interpolate_string(text, env_, &error);
    EXPECT_TRUE(out.has_value()) << text << ": " << error;
    return out.value_or("<error>");
  }

  std::string err(std::string_view text) {
    std::string error;
    auto out = interpolate_string(text, env_, &error);
    EXPECT_FALSE(out.has_value()) << text << " gave '" << out.value_or("") << "'";
    return error;
  }
};

TEST_F(InterpolateTest, PlainTextIsUnchanged) {
  EXPECT_EQ(ok(""), "");
  EXPECT_EQ(ok("nginx:1.25"), "nginx:1.25");
  EXPECT_EQ(ok("a { b } c"), "a { b } c");
}

TEST_F(InterpolateTest, BareAndBracedNames) {
  EXPECT_EQ(ok("$SET"), "value");
  EXPECT_EQ(ok("${SET}"), "value");
  EXPECT_EQ(ok("x-$SET-y"), "x-value-y");
  EXPECT_EQ(ok("${HOST}:${PORT}"), "db:8080");
  EXPECT_EQ(ok("$HOST:$PORT"), "db:8080");
}

TEST_F(InterpolateTest, BareNameIsGreedy) {
  // "$SETX" names SETX (unset), not SET followed by "X".
  EXPECT_EQ(ok("$SETX"), "");
  EXPECT_EQ(ok("${SET}X"), "valueX");
  EXPECT_EQ(ok("$SET.x"), "value.x");
}

TEST_F(InterpolateTest, NamesWithDigitsAndUnderscores) {
  EXPECT_EQ(ok("$A1_b2"), "digits");
  EXPECT_EQ(ok("${A1_b2}"), "digits");
  EXPECT_EQ(ok("$_UNDER"), "under");
}

TEST_F(InterpolateTest, NamesAreCaseSensitive) { EXPECT_EQ(ok("$set"), ""); }

TEST_F(InterpolateTest, UnsetIsEmpty) {
  EXPECT_EQ(ok("$NOPE"), "");
  EXPECT_EQ(ok("a${NOPE}b"), "ab");
}

TEST_F(InterpolateTest, DoubleDollarIsLiteral) {
  EXPECT_EQ(ok("$$"), "$");
  EXPECT_EQ(ok("$$SET"), "$SET");
  EXPECT_EQ(ok("$${SET}"), "${SET}");
  EXPECT_EQ(ok("$$$SET"), "$value");
  EXPECT_EQ(ok("echo $$HOME && $$$$"), "echo $HOME && $$");
}

TEST_F(InterpolateTest, DollarBeforeNonNameStaysLiteral) {
  EXPECT_EQ(ok("$"), "$");
  EXPECT_EQ(ok("a$"), "a$");
  EXPECT_EQ(ok("$1"), "$1");
  EXPECT_EQ(ok("cost: $ 5"), "cost: $ 5");
  EXPECT_EQ(ok("$-x"), "$-x");
  EXPECT_EQ(ok("$.x"), "$.x");
  EXPECT_EQ(ok("^[a-z]+$"), "^[a-z]+$");
}

TEST_F(InterpolateTest, ColonDashDefaultsWhenUnsetOrEmpty) {
  EXPECT_EQ(ok("${NOPE:-fallback}"), "fallback");
  EXPECT_EQ(ok("${EMPTY:-fallback}"), "fallback");
  EXPECT_EQ(ok("${SET:-fallback}"), "value");
  EXPECT_EQ(ok("${NOPE:-}"), "");
}

TEST_F(InterpolateTest, DashDefaultsOnlyWhenUnset) {
  EXPECT_EQ(ok("${NOPE-fallback}"), "fallback");
  EXPECT_EQ(ok("${EMPTY-fallback}"), "");
  EXPECT_EQ(ok("${SET-fallback}"), "value");
}

TEST_F(InterpolateTest, DefaultsMayHoldSpacesColonsAndDashes) {
  EXPECT_EQ(ok("${NOPE:-a b:c-d}"), "a b:c-d");
  EXPECT_EQ(ok("${NOPE:-postgres://u:p@h:5432/db}"), "postgres://u:p@h:5432/db");
}

TEST_F(InterpolateTest, NestedDefaults) {
  EXPECT_EQ(ok("${NOPE:-${ALSO_NOPE:-x}}"), "x");
  EXPECT_EQ(ok("${NOPE:-${SET:-x}}"), "value");
  EXPECT_EQ(ok("${SET:-${ALSO_NOPE:-x}}"), "value");
  EXPECT_EQ(ok("${NOPE:-$HOST:${PORT}}"), "db:8080");
  EXPECT_EQ(ok("${NOPE:-${A:-${B:-${C:-deep}}}}/tail"), "deep/tail");
}

TEST_F(InterpolateTest, EscapedDollarInsideDefault) {
  EXPECT_EQ(ok("${NOPE:-$$x}"), "$x");
  EXPECT_EQ(ok("${NOPE:-a$${b}}"), "a${b}");
}

TEST_F(InterpolateTest, BraceAfterExpressionIsText) { EXPECT_EQ(ok("${NOPE:-x}}"), "x}"); }

TEST_F(InterpolateTest, AlternativeValues) {
  EXPECT_EQ(ok("${SET:+alt}"), "alt");
  EXPECT_EQ(ok("${EMPTY:+alt}"), "");
  EXPECT_EQ(ok("${NOPE:+alt}"), "");
  EXPECT_EQ(ok("${SET+alt}"), "alt");
  EXPECT_EQ(ok("${EMPTY+alt}"), "alt");
  EXPECT_EQ(ok("${NOPE+alt}"), "");
  EXPECT_EQ(ok("${SET:+--port=${PORT}}"), "--port=8080");
}

TEST_F(InterpolateTest, RequiredPresentGivesTheValue) {
  EXPECT_EQ(ok("${SET:?must be set}"), "value");
  EXPECT_EQ(ok("${SET?must be set}"), "value");
  EXPECT_EQ(ok("${EMPTY?must be set}"), "");
}

TEST_F(InterpolateTest, RequiredMissingWithMessage) {
  EXPECT_EQ(err("${DB_PASSWORD:?set it in .env}"),
            "required variable DB_PASSWORD is missing a value: set it in .env");
  EXPECT_EQ(err("${DB_PASSWORD?set it in .env}"),
            "required variable DB_PASSWORD is missing a value: set it in .env");
  EXPECT_EQ(err("${EMPTY:?cannot be empty}"),
            "required variable EMPTY is missing a value: cannot be empty");
}

TEST_F(InterpolateTest, RequiredMissingWithoutMessage) {
  EXPECT_EQ(err("${NOPE:?}"), "required variable NOPE is missing a value");
  EXPECT_EQ(err("${NOPE?}"), "required variable NOPE is missing a value");
}

TEST_F(InterpolateTest, RequiredMessageIsInterpolated) {
  EXPECT_EQ(err("${NOPE:?see $HOST}"), "required variable NOPE is missing a value: see db");
}

TEST_F(InterpolateTest, RequiredInsideDefaultOnlyFailsWhenUsed) {
  EXPECT_EQ(ok("${SET:-${NOPE:?x}}"), "value");
  EXPECT_THAT(err("${NOPE:-${ALSO:?inner}}"), HasSubstr("required variable ALSO"));
}

TEST_F(InterpolateTest, InvalidFormats) {
  for (std::string_view bad : {"${", "${}", "${SET", "${SET:-x", "a ${ b", "${1}", "${-x}",
                               "${SET!}", "${SET:x}", "${SET }", "${ SET}", "${NOPE:-${X}"}) {
    EXPECT_THAT(err(bad), HasSubstr("invalid interpolation format for")) << bad;
  }
}

TEST_F(InterpolateTest, InvalidFormatQuotesTheValue) {
  EXPECT_EQ(err("image: ${"),
            "invalid interpolation format for 'image: ${': you may need to escape any $ with "
            "another $");
}

TEST_F(InterpolateTest, LongInvalidValueIsCut) {
  std::string text(500, 'a');
  text += "${";
  std::string e = err(text);
  EXPECT_LT(e.size(), 200u);
  EXPECT_THAT(e, HasSubstr("...'"));
}

TEST_F(InterpolateTest, HostileNestingIsBounded) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "${A:-";
  text += "x";
  for (int i = 0; i < 5000; ++i) text += "}";
  EXPECT_THAT(err(text), HasSubstr("nesting deeper than"));
}

TEST_F(InterpolateTest, ValuesAreNotInterpolatedAgain) {
  env_["INDIRECT"] = "${SET}";
  EXPECT_EQ(ok("$INDIRECT"), "${SET}");
}

TEST_F(InterpolateTest, NullErrorPointerIsAllowed) {
  EXPECT_FALSE(interpolate_string("${", env_, nullptr).has_value());
}

// interpolate_tree

Node read(std::string_view yaml) {
  Diagnostics diags;
  auto node = read_yaml(yaml, "stack.yaml", diags);
  EXPECT_TRUE(node.has_value()) << diags.format();
  return node.value_or(Node{});
}

TEST(InterpolateTreeTest, InterpolatesValuesNotKeys) {
  Node root = read("services:\n  web:\n    image: nginx:${TAG:-latest}\n"
                   "    environment:\n      $KEY: ${VAL}\n");
  Diagnostics diags;
  interpolate_tree(root, {{"VAL", "v"}, {"KEY", "k"}}, diags);
  ASSERT_TRUE(diags.empty()) << diags.format();
  const Node* web = root.find("services")->find("web");
  EXPECT_EQ(web->find("image")->scalar, "nginx:latest");
  const Node* env = web->find("environment");
  ASSERT_NE(env->find("$KEY"), nullptr);
  EXPECT_EQ(env->find("$KEY")->scalar, "v");
}

TEST(InterpolateTreeTest, SequencesAndNulls) {
  Node root = read("a:\n  - $X\n  - [ \"${X}y\" ]\n  - ~\nb:\n");
  Diagnostics diags;
  interpolate_tree(root, {{"X", "1"}}, diags);
  ASSERT_TRUE(diags.empty());
  const Node* a = root.find("a");
  EXPECT_EQ(a->items[0].scalar, "1");
  EXPECT_EQ(a->items[1].items[0].scalar, "1y");
  EXPECT_TRUE(a->items[2].is_null());
  EXPECT_TRUE(root.find("b")->is_null());
}

TEST(InterpolateTreeTest, QuotedFlagAndMarkAreKept) {
  Node root = read("port: \"${P}\"\n");
  Diagnostics diags;
  interpolate_tree(root, {{"P", "80"}}, diags);
  const Node* port = root.find("port");
  EXPECT_EQ(port->scalar, "80");
  EXPECT_TRUE(port->quoted);
  EXPECT_EQ(port->mark.line, 1);
  EXPECT_EQ(port->mark.column, 7);
}

TEST(InterpolateTreeTest, DiagnosticsCarryPositionAndKeyPath) {
  Node root = read("services:\n  web:\n    ports:\n      - \"80:80\"\n      - \"${PORT:?no port}\"\n"
                   "    environment:\n      FOO: ${\n");
  Diagnostics diags;
  interpolate_tree(root, {}, diags);
  ASSERT_EQ(diags.size(), 2u) << diags.format();
  const Diagnostic& ports = diags.list()[0];
  EXPECT_EQ(ports.path, "services.web.ports[1]");
  EXPECT_EQ(ports.mark.line, 5);
  EXPECT_EQ(ports.mark.column, 9);
  EXPECT_EQ(ports.format(),
            "stack.yaml:5:9: services.web.ports[1]: required variable PORT is missing a value: "
            "no port");
  const Diagnostic& foo = diags.list()[1];
  EXPECT_EQ(foo.path, "services.web.environment.FOO");
  EXPECT_EQ(foo.mark.line, 7);
  EXPECT_THAT(foo.message, HasSubstr("invalid interpolation format for '${'"));
}

TEST(InterpolateTreeTest, NestedSequencePaths) {
  Node root = read("x:\n  - - ok\n    - ${\n");
  Diagnostics diags;
  interpolate_tree(root, {}, diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].path, "x[0][1]");
}

TEST(InterpolateTreeTest, EveryFailureIsReported) {
  Node root = read("a: ${\nb: ok\nc: ${X?}\n");
  Diagnostics diags;
  interpolate_tree(root, {}, diags);
  ASSERT_EQ(diags.size(), 2u);
  EXPECT_EQ(diags.list()[0].path, "a");
  EXPECT_EQ(diags.list()[1].path, "c");
  EXPECT_EQ(root.find("b")->scalar, "ok");
}

}  // namespace
}  // namespace stack::spec
