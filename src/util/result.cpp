#include "util/result.hpp"

#include <cstring>
#include <utility>

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

namespace {
constexpr std::pair<Errc, const char*> kErrcNames[] = {
    {Errc::invalid_argument, "invalid_argument"}, {Errc::not_found, "not_found"},
    {Errc::already_exists, "already_exists"},     {Errc::io, "io"},
    {Errc::parse, "parse"},                       {Errc::unsupported, "unsupported"},
    {Errc::conflict, "conflict"},                 {Errc::timeout, "timeout"},
    {Errc::internal, "internal"},
};
}  // namespace

const char* errc_name(Errc code) {
  for (const auto& [c, name] : kErrcNames) {
    if (c == code) return name;
  }
  return "io";
}

Errc parse_errc(std::string_view name) {
  for (const auto& [c, n] : kErrcNames) {
    if (name == n) return c;
  }
  return Errc::io;
}

}  // namespace stack::util
