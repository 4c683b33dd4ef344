#include "util/result.hpp"

#include <gtest/gtest.h>

namespace stack::util {
namespace {

TEST(Errc, NamesRoundTripAndUnknownIsIo) {
  for (Errc code : {Errc::invalid_argument, Errc::not_found, Errc::already_exists, Errc::io, Errc::parse,
                    Errc::unsupported, Errc::conflict, Errc::timeout, Errc::internal}) {
    EXPECT_EQ(parse_errc(errc_name(code)), code) << errc_name(code);
  }
  EXPECT_STREQ(errc_name(Errc::conflict), "conflict");
  EXPECT_EQ(parse_errc("nonsense"), Errc::io);
  EXPECT_EQ(parse_errc(""), Errc::io);
}

TEST(Error, FromErrnoKeepsTheKind) {
  EXPECT_EQ(Error::from_errno("open 'x'", ENOENT).code(), Errc::not_found);
  EXPECT_EQ(Error::from_errno("mkdir 'x'", EEXIST).code(), Errc::already_exists);
  Error e = Error::from_errno("read 'x'", EIO);
  EXPECT_EQ(e.code(), Errc::io);
  EXPECT_EQ(e.sys_errno(), EIO);
  EXPECT_EQ(e.message(), "read 'x': Input/output error");
}

}  // namespace
}  // namespace stack::util
