// The `stack` executable: global options, one subcommand per registered verb, and the rules
// every verb shares: usage errors are one line on stderr with exit code 2, help goes to stdout,
// and no exception leaves main.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <iostream>

#include "cli/command.hpp"
#include "cli/global_options.hpp"
#include "cli/version.hpp"

namespace stack::cli {

namespace {

std::vector<CommandFactory>& registry() {
  // A function-local static: verbs register from other files' static initialisers, whose order
  // relative to this file is unspecified.
  static std::vector<CommandFactory> factories;
  return factories;
}

// CLI11 messages start upper-case and may span lines; ours are one lower-case line.
std::string one_line(std::string message) {
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!message.empty() && message.back() == ' ') message.pop_back();
  bool acronym = message.size() > 1 && std::isupper(static_cast<unsigned char>(message[1]));
  if (!message.empty() && !acronym) {
    message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  }
  return message;
}

int run(int argc, char** argv) {
  CLI::App app{"Declarative multi-container stacks on one Linux host, with their own runtime.",
               "stack"};
  app.set_version_flag("--version", std::string("stack version ") + kVersion);
  // Global options are accepted after the verb too (`stack config -f x.yaml`).
  app.fallthrough();
  app.require_subcommand(0, 1);
  GlobalOptions global;
  add_global_options(app, global);

  std::vector<std::unique_ptr<Command>> commands = make_commands();
  std::vector<std::pair<CLI::App*, Command*>> verbs;
  for (const auto& command : commands) {
    CLI::App* sub = app.add_subcommand(command->name(), command->summary());
    command->setup(*sub);
    verbs.emplace_back(sub, command.get());
  }
  app.footer("Run 'stack COMMAND --help' for a verb.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0: CLI11 prints them to stdout.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    std::cerr << "stack: " << one_line(e.what()) << "\n";
    return kExitUsage;
  }
  for (const auto& [sub, command] : verbs) {
    if (sub->parsed()) {
      // Before anything is touched, so that a normal user reads why instead of a failed mkdir.
      if (command->needs_root() && ::geteuid() != 0) {
        std::cerr << "stack: needs root (run it with sudo); rootless mode is not supported yet\n";
        return kExitFailure;
      }
      setup_logging(global);
      return command->run(global);
    }
  }
  std::cerr << "stack: no command given (see 'stack --help')\n";
  return kExitUsage;
}

}  // namespace

bool register_command(CommandFactory factory) {
  registry().push_back(factory);
  return true;
}

std::vector<std::unique_ptr<Command>> make_commands() {
  std::vector<std::unique_ptr<Command>> commands;
  for (CommandFactory factory : registry()) commands.push_back(factory());
  std::sort(commands.begin(), commands.end(),
            [](const auto& a, const auto& b) { return a->name() < b->name(); });
  return commands;
}

}  // namespace stack::cli

int main(int argc, char** argv) {
  try {
    return stack::cli::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "stack: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "stack: internal error: unknown exception\n";
  }
  return stack::cli::kExitFailure;
}
