// The tag a root test of src/net puts in every name it makes (links, netns, tables), so that its
// cleanup by exact name never touches another test's, also when two test binaries run at once.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace stack::net::testing {

// "<prefix><running test's name>-<pid>".
inline std::string unique_test_tag(const std::string& prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return prefix + info->name() + "-" + std::to_string(::getpid());
}

}  // namespace stack::net::testing
