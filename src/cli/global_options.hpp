// The options every verb shares (stack [-f FILE]... [-p NAME] ... <command>) and the one way
// verbs load the stack those options name.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "spec/load.hpp"
#include "spec/model.hpp"
#include "util/result.hpp"

namespace CLI {
class App;
}

namespace stack::cli {

struct GlobalOptions {
  std::vector<std::string> files;      // -f, in order
  std::string project_name;            // -p
  std::vector<std::string> env_files;  // --env-file
  std::vector<std::string> profiles;   // --profile
  std::string project_directory;       // --project-directory
  std::string root = "/var/lib/stack"; // --root / STACK_ROOT: the state root
  std::string log_level = "warn";      // --log-level
  bool ip_masq = true;                 // --ip-masq / STACK_IP_MASQ: networks' masquerading default
  bool dns_forward = true;             // --dns-forward / STACK_DNS_FORWARD: DNS servers' forwarding default
  std::vector<std::string> dns_upstreams;  // --dns-upstream / STACK_DNS_UPSTREAM: instead of resolv.conf
  std::string build_pool;              // --build-pool / STACK_BUILD_POOL: the build network's subnets
};

void add_global_options(CLI::App& app, GlobalOptions& options);

// Sends logs to stderr at the chosen level: stdout carries only a command's output.
void setup_logging(const GlobalOptions& options);

// The stack files to load: -f, else COMPOSE_FILE (split on COMPOSE_PATH_SEPARATOR, default ':'),
// else the first default name found in the project directory (or the current one).
util::Result<std::vector<std::string>> stack_files(const GlobalOptions& options,
                                                   const spec::Environment& env);

// The load options for spec::load from the global options and the process environment.
util::Result<spec::LoadOptions> load_options(const GlobalOptions& options);

// Loads and validates the stack. On failure every diagnostic (or the error) is printed to `err`,
// one per line, and nullopt is returned: the caller exits with kExitFailure.
std::optional<spec::Stack> load_stack(const GlobalOptions& options, std::ostream& err);

}  // namespace stack::cli
