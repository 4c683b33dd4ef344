#include "image/registry/libcurl.hpp"

#include <optional>

#include "util/shared_library.hpp"

namespace stack::image::registry {

namespace {

template <class F>
util::Result<void> bind(const util::SharedLibrary& library, const char* name, F*& slot) {
  STACK_ASSIGN_OR_RETURN(slot, library.function<F>(name));
  return util::ok();
}

util::Result<LibCurl> load(const util::SharedLibrary& library) {
  LibCurl api{};
  STACK_TRY(bind(library, "curl_easy_init", api.easy_init));
  STACK_TRY(bind(library, "curl_easy_cleanup", api.easy_cleanup));
  STACK_TRY(bind(library, "curl_easy_reset", api.easy_reset));
  STACK_TRY(bind(library, "curl_easy_setopt", api.easy_setopt));
  STACK_TRY(bind(library, "curl_easy_perform", api.easy_perform));
  STACK_TRY(bind(library, "curl_easy_getinfo", api.easy_getinfo));
  STACK_TRY(bind(library, "curl_easy_strerror", api.easy_strerror));
  STACK_TRY(bind(library, "curl_slist_append", api.slist_append));
  STACK_TRY(bind(library, "curl_slist_free_all", api.slist_free_all));
  decltype(&::curl_global_init) global_init = nullptr;
  STACK_TRY(bind(library, "curl_global_init", global_init));
  if (CURLcode rc = global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
    return util::Error(util::Errc::internal, library.name() + ": curl_global_init failed (" +
                                                 std::to_string(static_cast<int>(rc)) + ")");
  }
  return api;
}

}  // namespace

util::Result<const LibCurl*> libcurl() {
  // Loaded once and never unloaded: curl keeps global state for the life of the process.
  static const util::Result<LibCurl> loaded = []() -> util::Result<LibCurl> {
    static std::optional<util::SharedLibrary> library;
    auto opened = util::SharedLibrary::open("libcurl.so.4", "libcurl4");
    if (!opened) return std::move(opened).error();
    library = std::move(*opened);
    return load(*library);
  }();
  if (!loaded) return loaded.error();
  return &*loaded;
}

}  // namespace stack::image::registry
