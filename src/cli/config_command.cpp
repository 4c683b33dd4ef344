// `stack config`: load, interpolate, merge and validate the stack files, then print the resolved
// model the way `docker compose config` does (YAML or JSON), or parts of it: service, volume and
// network names, config hashes. With -q it only validates.
#include <CLI/CLI.hpp>

#include <iostream>
#include <set>

#include "cli/command.hpp"
#include "cli/global_options.hpp"
#include "cli/output.hpp"
#include "scheduler/graph.hpp"
#include "spec/hash.hpp"
#include "spec/serialize.hpp"

namespace stack::cli {
namespace {

class ConfigCommand final : public Command {
 public:
  std::string name() const override { return "config"; }
  std::string summary() const override {
    return "Validate the stack files and print the resolved model";
  }

  void setup(CLI::App& app) override {
    app.add_option("--format", format_, "Output format")
        ->check(CLI::IsMember({"yaml", "json"}))
        ->capture_default_str();
    app.add_flag("--services", services_, "Print the service names, one per line");
    app.add_flag("--volumes", volumes_, "Print the volume names, one per line");
    app.add_flag("--networks", networks_, "Print the network names, one per line");
    app.add_option("--hash", hash_,
                   "Print '<service> <config hash>' for these services ('*' for all, or a "
                   "comma-separated list)")
        ->type_name("SERVICE");
    app.add_flag("-q,--quiet", quiet_, "Only validate; print nothing");
  }

  bool needs_root() const override { return false; }

  int run(const GlobalOptions& global) override {
    std::optional<spec::Stack> stack = load_stack(global, std::cerr);
    if (!stack) return kExitFailure;
    // spec::validate reports cycles with their position; compiling the graph here as well means
    // `config -q` accepts exactly what `up` will.
    if (auto graph = scheduler::compile(*stack); !graph) {
      std::cerr << "stack: " << graph.error().message() << "\n";
      return kExitFailure;
    }
    if (quiet_) return kExitOk;
    if (!hash_.empty()) return print_hashes(*stack);
    if (services_ || volumes_ || networks_) {
      print_names(*stack);
      return kExitOk;
    }
    std::cout << format_document(spec::escape_dollars(spec::to_json(*stack)), *parse_format(format_));
    return kExitOk;
  }

 private:
  void print_names(const spec::Stack& stack) const {
    if (services_) {
      for (const spec::Service& service : stack.services) std::cout << service.name << "\n";
    }
    if (volumes_) {
      for (const spec::Volume& volume : stack.volumes) std::cout << volume.key << "\n";
    }
    if (networks_) {
      for (const spec::Network& network : stack.networks) std::cout << network.key << "\n";
    }
  }

  // The services named by --hash, in stack order; '*' is every service.
  std::optional<std::vector<const spec::Service*>> hashed_services(const spec::Stack& stack) const {
    std::vector<const spec::Service*> chosen;
    if (hash_ == "*") {
      for (const spec::Service& service : stack.services) chosen.push_back(&service);
      return chosen;
    }
    std::set<std::string> wanted;
    for (std::string name : split_names(hash_)) {
      if (stack.find_service(name) == nullptr) {
        std::cerr << "stack: unknown service '" << name << "'\n";
        return std::nullopt;
      }
      wanted.insert(std::move(name));
    }
    for (const spec::Service& service : stack.services) {
      if (wanted.count(service.name) != 0) chosen.push_back(&service);
    }
    return chosen;
  }

  int print_hashes(const spec::Stack& stack) const {
    auto chosen = hashed_services(stack);
    if (!chosen) return kExitFailure;
    for (const spec::Service* service : *chosen) {
      std::cout << service->name << " " << spec::config_hash(*service) << "\n";
    }
    return kExitOk;
  }

  static std::vector<std::string> split_names(const std::string& text) {
    std::vector<std::string> names;
    std::string name;
    for (char c : text + ",") {
      if (c == ',') {
        if (!name.empty()) names.push_back(name);
        name.clear();
      } else if (c != ' ') {
        name += c;
      }
    }
    return names;
  }

  std::string format_ = "yaml";
  bool services_ = false;
  bool volumes_ = false;
  bool networks_ = false;
  std::string hash_;
  bool quiet_ = false;
};

[[maybe_unused]] const bool kConfigRegistered = register_command(
    []() -> std::unique_ptr<Command> { return std::make_unique<ConfigCommand>(); });

}  // namespace
}  // namespace stack::cli
