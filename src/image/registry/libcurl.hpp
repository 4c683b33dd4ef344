// libcurl, loaded when the first registry request is made rather than linked into `stack`: it
// brings 37 shared libraries (TLS, Kerberos, LDAP, ...) whose loading cost every command about
// 14 ms although only pulls use them (docs/performance.md, "Startup").
#pragma once

#include <curl/curl.h>

#include "util/result.hpp"

namespace stack::image::registry {

// The entry points the client uses. setopt and getinfo are variadic in the C API: called through
// these pointers they bypass curl.h's type-checking macros, so callers pass long, pointers and
// callbacks exactly as the option documents.
struct LibCurl {
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_reset) easy_reset;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_perform) easy_perform;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
};

// Loads libcurl.so.4 and runs curl_global_init once per process (thread-safe); afterwards the same
// table, or the same error naming the library and its package.
util::Result<const LibCurl*> libcurl();

}  // namespace stack::image::registry
