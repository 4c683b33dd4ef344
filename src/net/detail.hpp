// Small helpers shared by the .cpp files of src/net; not part of the module's API.
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::net::detail {

// 'name', the way error messages quote names.
inline std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

// Result::context() on an rvalue returns a reference into the temporary, which STACK_TRY would
// keep past the end of the full expression; this returns the Result by value instead.
template <class T>
util::Result<T> with_context(util::Result<T> result, std::string_view outer) {
  result.context(outer);
  return result;
}

}  // namespace stack::net::detail
