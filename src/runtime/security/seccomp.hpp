// The default seccomp profile: allow everything, fail with EPERM the system calls that docker's
// default profile blocks. The list is data; a capability granted to the container re-opens the
// calls that need it, as docker does.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "runtime/container/config.hpp"
#include "runtime/security/capabilities.hpp"

namespace stack::runtime::security {

struct BlockedSyscall {
  const char* name;
  int unless_capability;  // -1: always blocked; else allowed when the container holds it
};

std::span<const BlockedSyscall> default_blocked_syscalls();

// Names from the list that libseccomp resolves on this architecture (pseudo numbers included);
// names it cannot resolve at all are returned in `unknown`.
struct ResolvedList {
  std::vector<std::string> resolved;
  std::vector<std::string> unknown;
};
ResolvedList resolve_blocked_syscalls();

// Builds and loads the filter for a container holding `caps`. Loading without no_new_privs needs
// CAP_SYS_ADMIN, so the steps table orders this call by the no_new_privileges setting.
Result<void> load_default_profile(CapSet caps);

// The same filter compiled once, to be loaded by many containers: building it with libseccomp
// took a container's child more time and memory (400 KiB of heap) than any other setup step.
// The program is the kernel's struct sock_filter array, as bytes.
Result<std::string> compile_default_profile(CapSet caps);
// Loads a program from compile_default_profile(); an error if it is not a well-formed one.
Result<void> load_compiled_profile(const std::string& program);

}  // namespace stack::runtime::security
