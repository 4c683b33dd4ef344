// The version of this build. The build may pass STACK_VERSION (e.g. from CMake's
// PROJECT_VERSION); otherwise the version the sources were released as.
#pragma once

namespace stack::cli {

#ifdef STACK_VERSION
inline constexpr const char* kVersion = STACK_VERSION;
#else
inline constexpr const char* kVersion = "0.1.0";
#endif

}  // namespace stack::cli
