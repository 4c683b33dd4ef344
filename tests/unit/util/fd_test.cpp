#include "util/fd.hpp"

#include <gtest/gtest.h>

#include "support/rootfs.hpp"

namespace stack::util {
namespace {

TEST(ReadFile, ReadsUpToTheBoundAndRefusesMore) {
  test::TempDir dir("read-file");
  ASSERT_TRUE(test::write_text(dir / "f", "12345"));
  auto fits = read_file(dir / "f", 5);
  ASSERT_TRUE(fits);
  EXPECT_EQ(*fits, "12345");
  auto larger = read_file(dir / "f", 4);
  ASSERT_FALSE(larger);
  EXPECT_EQ(larger.error().code(), Errc::parse);
  EXPECT_NE(larger.error().message().find("larger than 4 bytes"), std::string::npos);
}

TEST(ReadFile, AbsenceIsNotFound) {
  test::TempDir dir("read-file");
  auto missing = read_file(dir / "missing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Errc::not_found);
}

}  // namespace
}  // namespace stack::util
