#include "spec/yaml_emit.hpp"

#include <gtest/gtest.h>

namespace stack::spec {
namespace {

TEST(YamlEmit, QuotesWhatYamlWouldReadAsSomethingElse) {
  for (const char* text : {"8080", "80:80", "yes", "Off", "1e3", "0x1F", "0o17", ".inf", ".NaN", "-1.5", "y"}) {
    EXPECT_TRUE(needs_yaml_quotes(text)) << text;
  }
  for (const char* text : {"web", "8080a", "busybox:1.36", "a b", "", "yesterday", "10.0.0.1"}) {
    EXPECT_FALSE(needs_yaml_quotes(text)) << text;
  }
}

TEST(YamlEmit, BlockStyleWithQuotedScalarsAndFlowEmpties) {
  nlohmann::json doc = {{"name", "demo"},
                        {"ports", {"8080:80"}},
                        {"replicas", 2},
                        {"read_only", true},
                        {"labels", nlohmann::json::object()},
                        {"none", nullptr}};
  EXPECT_EQ(to_yaml(doc),
            "labels: {}\n"
            "name: demo\n"
            "none: null\n"
            "ports:\n"
            "  - \"8080:80\"\n"
            "read_only: true\n"
            "replicas: 2\n");
}

}  // namespace
}  // namespace stack::spec
