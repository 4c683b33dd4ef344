// What the project verbs (up, down, ps, logs, ...) share: the stack (when a file is found), the
// project name, and an Engine wired to the real runtime, network and image store, with progress
// printed as compose prints it ("✔ Container demo-web-1  Started"; plain lines off a terminal).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cli/global_options.hpp"
#include "cli/service_builds.hpp"
#include "image/store.hpp"
#include "net/network.hpp"
#include "runtime/shim_runtime.hpp"
#include "scheduler/engine.hpp"

namespace stack::cli {

class ProjectContext {
 public:
  // What a verb needs of the stack file.
  enum class StackFile {
    required,    // up, run, pull: the file must load
    if_present,  // down, logs, start...: loaded when there is one (service order, names)
    name_only,   // ps, exec, port, top, stats: only the project's name, so with -p the file is
                 // not read at all (parsing 50 services costs `ps` about 5 ms of its 20)
  };
  // Loads the stack as the verb needs; without a stack file, -p alone names the project. Errors
  // are printed; nullptr returned. The image ids of services with build are looked up (the
  // config hash includes them).
  // Where the engine's "Container x  Started" lines go: stdout for up, down and the rest; stderr
  // for run, whose stdout is the container's own output (as docker compose run keeps it).
  enum class Progress { stdout_stream, stderr_stream };
  static std::unique_ptr<ProjectContext> open(const GlobalOptions& global, StackFile need,
                                              Progress where = Progress::stdout_stream);

  const std::string& project() const { return project_; }
  const spec::Stack* stack() const { return stack_ ? &*stack_ : nullptr; }
  scheduler::Engine& engine() { return *engine_; }
  runtime::ShimRuntime& runtime() { return *runtime_; }
  image::Store& images() { return *store_; }
  const std::string& root() const { return root_; }
  // Builds the images of the stack's services with build as options say (root, --ip-masq,
  // --build-pool and SOURCE_DATE_EPOCH filled in here), progress on stderr, and updates their image ids.
  util::Result<void> build_images(ServiceBuildOptions options);

 private:
  std::string root_;
  bool ip_masq_ = true;     // for the build network
  std::string build_pool_;
  std::string project_;
  std::optional<spec::Stack> stack_;
  std::unique_ptr<runtime::ShimRuntime> runtime_;
  std::unique_ptr<scheduler::HostNetwork> host_;
  std::unique_ptr<image::Store> store_;
  std::unique_ptr<scheduler::Engine> engine_;
};

// The engine's options from the global ones (--root, --ip-masq, --dns-forward, --dns-upstream).
util::Result<scheduler::EngineOptions> engine_options(const GlobalOptions& global);

// Prints one error line "stack: <message>" and returns kExitFailure.
int fail(const util::Error& error);

// The absolute path of the running `stack` executable.
std::string self_binary();

}  // namespace stack::cli
