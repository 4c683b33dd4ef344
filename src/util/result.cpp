#include "util/result.hpp"

#include <cstring>

namespace stack::util {

Error Error::from_errno(std::string_view what, int err) {
  std::string msg(what);
  msg += ": ";
  msg += std::strerror(err);
  Errc code = Errc::io;
  if (err == ENOENT) code = Errc::not_found;
  if (err == EEXIST) code = Errc::already_exists;
  return Error(code, std::move(msg), err);
}

}  // namespace stack::util
