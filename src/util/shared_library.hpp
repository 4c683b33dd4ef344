// SharedLibrary: a library opened with dlopen when a feature first needs it, not at startup. Each
// library linked into `stack` costs every command its loading and relocation (libcurl alone brings
// 37 libraries and about 14 ms: docs/performance.md), so the ones only some verbs use are loaded here.
#pragma once

#include <string>

#include "util/result.hpp"

namespace stack::util {

class SharedLibrary {
 public:
  SharedLibrary() = default;
  ~SharedLibrary();
  SharedLibrary(SharedLibrary&& other) noexcept : handle_(other.handle_), name_(std::move(other.name_)) {
    other.handle_ = nullptr;
  }
  SharedLibrary& operator=(SharedLibrary&& other) noexcept;
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  // dlopen(soname) with symbols bound now and kept local; the error names the library and the
  // package that provides it, e.g. "libcurl.so.4 (package libcurl4): cannot open shared object file".
  static Result<SharedLibrary> open(const std::string& soname, const std::string& package);

  // The address of symbol name, as a pointer to F (a function type).
  template <class F>
  Result<F*> function(const char* name) const {
    STACK_ASSIGN_OR_RETURN(void* address, lookup(name));
    return reinterpret_cast<F*>(address);
  }

  // Resolves symbol name into slot, its type taken from the slot: bind("nft_ctx_new", api.ctx_new).
  template <class F>
  Result<void> bind(const char* name, F*& slot) const {
    STACK_ASSIGN_OR_RETURN(slot, function<F>(name));
    return ok();
  }

  const std::string& name() const { return name_; }

 private:
  Result<void*> lookup(const char* name) const;

  void* handle_ = nullptr;
  std::string name_;
};

}  // namespace stack::util
