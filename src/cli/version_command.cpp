// `stack version`: the version of this binary, as text, short or JSON.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/command.hpp"
#include "cli/global_options.hpp"
#include "cli/output.hpp"
#include "cli/version.hpp"

namespace stack::cli {
namespace {

class VersionCommand final : public Command {
 public:
  std::string name() const override { return "version"; }
  std::string summary() const override { return "Show the stack version"; }

  void setup(CLI::App& app) override {
    app.add_option("--format", format_, "Output format: text or json")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    app.add_flag("--short", short_, "Print the version number only");
  }

  bool needs_root() const override { return false; }

  int run(const GlobalOptions&) override {
    if (short_) {
      std::cout << kVersion << "\n";
    } else if (format_ == "json") {
      std::cout << to_json_text(nlohmann::json{{"version", kVersion}});
    } else {
      std::cout << "stack version " << kVersion << "\n";
    }
    return kExitOk;
  }

 private:
  std::string format_ = "text";
  bool short_ = false;
};

[[maybe_unused]] const bool kVersionRegistered = register_command(
    []() -> std::unique_ptr<Command> { return std::make_unique<VersionCommand>(); });

}  // namespace
}  // namespace stack::cli
