#include "util/shared_library.hpp"

#include <dlfcn.h>

namespace stack::util {

SharedLibrary::~SharedLibrary() {
  if (handle_ != nullptr) dlclose(handle_);
}

SharedLibrary& SharedLibrary::operator=(SharedLibrary&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) dlclose(handle_);
    handle_ = other.handle_;
    name_ = std::move(other.name_);
    other.handle_ = nullptr;
  }
  return *this;
}

Result<SharedLibrary> SharedLibrary::open(const std::string& soname, const std::string& package) {
  void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Error(Errc::not_found, soname + " (package " + package + "): " + (why != nullptr ? why : "cannot be loaded"));
  }
  SharedLibrary library;
  library.handle_ = handle;
  library.name_ = soname;
  return library;
}

Result<void*> SharedLibrary::lookup(const char* name) const {
  dlerror();
  void* address = dlsym(handle_, name);
  if (address == nullptr) {
    const char* why = dlerror();
    return Error(Errc::not_found, name_ + ": symbol " + name + ": " + (why != nullptr ? why : "not found"));
  }
  return address;
}

}  // namespace stack::util
