#include "image/registry/libcurl.hpp"

#include "util/shared_library.hpp"

namespace stack::image::registry {

namespace {

// The library stays loaded for the life of the process: curl keeps global state.
struct Loaded {
  util::SharedLibrary library;
  LibCurl api{};
};

util::Result<Loaded> load() {
  Loaded l;
  STACK_ASSIGN_OR_RETURN(l.library, util::SharedLibrary::open("libcurl.so.4", "libcurl4"));
  const util::SharedLibrary& lib = l.library;
  LibCurl& api = l.api;
  STACK_TRY(lib.bind("curl_easy_init", api.easy_init));
  STACK_TRY(lib.bind("curl_easy_cleanup", api.easy_cleanup));
  STACK_TRY(lib.bind("curl_easy_reset", api.easy_reset));
  STACK_TRY(lib.bind("curl_easy_setopt", api.easy_setopt));
  STACK_TRY(lib.bind("curl_easy_perform", api.easy_perform));
  STACK_TRY(lib.bind("curl_easy_getinfo", api.easy_getinfo));
  STACK_TRY(lib.bind("curl_easy_strerror", api.easy_strerror));
  STACK_TRY(lib.bind("curl_slist_append", api.slist_append));
  STACK_TRY(lib.bind("curl_slist_free_all", api.slist_free_all));
  decltype(&::curl_global_init) global_init = nullptr;
  STACK_TRY(lib.bind("curl_global_init", global_init));
  if (CURLcode rc = global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
    return util::Error(util::Errc::internal,
                       lib.name() + ": curl_global_init failed (" + std::to_string(static_cast<int>(rc)) + ")");
  }
  return l;
}

}  // namespace

util::Result<const LibCurl*> libcurl() {
  static const util::Result<Loaded> loaded = load();  // once per process, thread-safe
  if (!loaded) return loaded.error();
  return &loaded->api;
}

}  // namespace stack::image::registry
