#include "scheduler/hooks.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

#include "util/fd.hpp"

namespace stack::scheduler {

using util::Errc;
using util::Error;
using util::Result;

namespace {

constexpr std::size_t kMaxOutput = 64 * 1024;  // the end of the output read back for its last line

// The last non-empty line of text, without its line end.
std::string last_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  const std::size_t start = text.rfind('\n');
  return std::string(start == std::string_view::npos ? text : text.substr(start + 1));
}

}  // namespace

runtime::ExecConfig hook_exec(const runtime::ContainerConfig& container, const spec::LifecycleHook& hook) {
  runtime::ExecConfig exec;
  exec.args = hook.command;
  // The hook's variables replace the container's of the same name (the first of a name wins in
  // most programs' getenv).
  for (const std::string& entry : container.env) {
    const std::string name = entry.substr(0, entry.find('='));
    if (hook.environment.count(name) == 0) exec.env.push_back(entry);
  }
  for (const auto& [name, value] : hook.environment) exec.env.push_back(name + "=" + value);
  exec.cwd = hook.working_dir.empty() ? container.cwd : hook.working_dir;
  exec.user = hook.user.empty() ? container.user : hook.user;
  exec.additional_groups = container.additional_groups;
  exec.security = container.security;
  if (hook.privileged) exec.security.capabilities.privileged = true;
  return exec;
}

Result<void> run_hooks(runtime::Runtime& runtime, const std::string& container, const std::string& service,
                       const char* kind, const std::vector<spec::LifecycleHook>& hooks) {
  if (hooks.empty()) return util::ok();
  STACK_ASSIGN_OR_RETURN(runtime::shim::ShimConfig config, runtime.config(container));
  for (std::size_t i = 0; i < hooks.size(); ++i) {
    const std::string key = "services." + service + "." + kind + "[" + std::to_string(i) + "]";
    util::UniqueFd output(::memfd_create("stack-hook", MFD_CLOEXEC));
    if (!output) return Error::from_errno(key + ": memfd_create");
    runtime::ExecConfig exec = hook_exec(config.container, hooks[i]);
    exec.stdout_fd = output.get();
    exec.stderr_fd = output.get();
    auto code = runtime.exec(container, exec);
    if (!code) return std::move(code).error().context(key);
    if (*code == 0) continue;
    // The end of what it printed, where its last line is.
    std::string text;
    const off_t size = ::lseek(output.get(), 0, SEEK_END);
    const off_t from = size > static_cast<off_t>(kMaxOutput) ? size - static_cast<off_t>(kMaxOutput) : 0;
    if (size >= 0 && ::lseek(output.get(), from, SEEK_SET) == from) {
      text = util::read_to_end(output.get(), kMaxOutput).value_or("");
    }
    const std::string line = last_line(text);
    return Error(Errc::conflict, key + ": exited with code " + std::to_string(*code) + (line.empty() ? "" : ": " + line));
  }
  return util::ok();
}

}  // namespace stack::scheduler
