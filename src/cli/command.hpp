// One CLI verb. Each verb lives in its own file (config_command.cpp, version_command.cpp, ...)
// and registers itself with register_command() from a static initialiser, so adding a verb
// touches no other file. setup() binds the verb's options to members of the object; run() gets
// the parsed global options and returns the process exit code.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace stack::cli {

struct GlobalOptions;

// Exit codes: 0 success, 1 a failure (invalid stack file, runtime error), 2 a usage error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

class Command {
 public:
  virtual ~Command() = default;
  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;  // one line for `stack --help`
  virtual void setup(CLI::App& app) = 0;
  virtual int run(const GlobalOptions& global) = 0;
  // Verbs that touch the host need root (namespaces, cgroups, netlink, the state root); the few
  // that only read stack files (config, version) say false and work for every user.
  virtual bool needs_root() const { return true; }
};

using CommandFactory = std::unique_ptr<Command> (*)();

// Returns true so that a verb file can write
//   [[maybe_unused]] const bool kRegistered = register_command(&make);
bool register_command(CommandFactory factory);

// One instance of every registered verb, sorted by name.
std::vector<std::unique_ptr<Command>> make_commands();

}  // namespace stack::cli
