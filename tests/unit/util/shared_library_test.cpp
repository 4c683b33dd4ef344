#include "util/shared_library.hpp"

#include <gtest/gtest.h>

namespace stack::util {
namespace {

TEST(SharedLibrary, ResolvesAFunctionOfALoadedLibrary) {
  auto libm = SharedLibrary::open("libm.so.6", "libc6");
  ASSERT_TRUE(libm) << libm.error().message();
  auto cosine = libm->function<double(double)>("cos");
  ASSERT_TRUE(cosine) << cosine.error().message();
  EXPECT_DOUBLE_EQ((*cosine)(0.0), 1.0);
}

TEST(SharedLibrary, BindTakesTheTypeFromTheSlot) {
  auto libm = SharedLibrary::open("libm.so.6", "libc6");
  ASSERT_TRUE(libm);
  double (*square_root)(double) = nullptr;
  ASSERT_TRUE(libm->bind("sqrt", square_root));
  EXPECT_DOUBLE_EQ(square_root(9.0), 3.0);
  EXPECT_FALSE(libm->bind("stack_no_such_symbol", square_root));
}

TEST(SharedLibrary, MissingLibraryNamesItAndItsPackage) {
  auto missing = SharedLibrary::open("libstack-does-not-exist.so.9", "stack-nothing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Errc::not_found);
  EXPECT_NE(missing.error().message().find("libstack-does-not-exist.so.9 (package stack-nothing)"), std::string::npos)
      << missing.error().message();
}

TEST(SharedLibrary, MissingSymbolNamesIt) {
  auto libm = SharedLibrary::open("libm.so.6", "libc6");
  ASSERT_TRUE(libm);
  auto absent = libm->function<void()>("stack_no_such_symbol");
  ASSERT_FALSE(absent);
  EXPECT_NE(absent.error().message().find("libm.so.6: symbol stack_no_such_symbol"), std::string::npos)
      << absent.error().message();
}

}  // namespace
}  // namespace stack::util
