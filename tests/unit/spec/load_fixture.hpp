// Shared fixture for tests through spec::load: stack files written into a temporary directory
// (sub-directories made as needed), loaded as `stack -p demo -f <first> [-f ...]` would.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "spec/load.hpp"
#include "support/rootfs.hpp"

namespace stack::spec::testing {

class LoadTest : public ::testing::Test {
 protected:
  // Writes `text` at `rel` (relative to the temporary directory); returns the absolute path.
  std::string write(const std::string& rel, const std::string& text) {
    std::string path = dir_ / rel;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    EXPECT_TRUE(test::write_text(path, text)) << path;
    return path;
  }

  LoadOutcome load_files(std::initializer_list<std::string> rels, Environment env = {}) {
    LoadOptions options;
    for (const auto& rel : rels) options.files.push_back(dir_ / rel);
    options.project_name = "demo";
    options.environment = std::move(env);
    return load(options);
  }

  const Service& service(const LoadOutcome& o, std::string_view name) {
    static const Service kNone;
    const Service* s = o.stack ? o.stack->find_service(name) : nullptr;
    EXPECT_NE(s, nullptr) << "no service " << name;
    return s ? *s : kNone;
  }

  std::string path(const std::string& rel) const { return dir_ / rel; }

  test::TempDir dir_{"stack-spec-load"};
};

}  // namespace stack::spec::testing
