// `stack port SERVICE PRIVATE_PORT`: the host address a container port is published on.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/command.hpp"
#include "cli/project_context.hpp"
#include "cli/service_container.hpp"

namespace stack::cli {
namespace {

class PortCommand final : public Command {
 public:
  std::string name() const override { return "port"; }
  std::string summary() const override { return "Print the public address of a port"; }

  void setup(CLI::App& app) override {
    app.add_option("--protocol", protocol_, "tcp or udp")->check(CLI::IsMember({"tcp", "udp"}));
    app.add_option("--index", index_, "Replica number of the service");
    app.add_option("service", service_, "Service")->required();
    app.add_option("port", port_, "Container port")->required();
  }

  int run(const GlobalOptions& global) override {
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::name_only);
    if (!ctx) return kExitFailure;
    auto container = service_container(*ctx, service_, index_);
    if (!container) return fail(container.error());
    for (const auto& p : container->ports) {
      if (p.target_port == port_ && net::proxy::protocol_name(p.protocol) == protocol_) {
        // As docker port: one line per address, "0.0.0.0:8080" and "[::]:8080" for a port given none.
        for (const std::string& ip : net::proxy::listen_ips(p)) {
          std::cout << net::proxy::with_brackets(ip) << ":" << p.host_port << "\n";
        }
        return kExitOk;
      }
    }
    std::cerr << "stack: no port " << port_ << "/" << protocol_ << " published for " << container->name << "\n";
    return kExitFailure;
  }

 private:
  std::string protocol_ = "tcp";
  int index_ = 1;
  std::string service_;
  uint16_t port_ = 0;
};

std::unique_ptr<Command> make_port() { return std::make_unique<PortCommand>(); }
[[maybe_unused]] const bool kPortRegistered = register_command(&make_port);

}  // namespace
}  // namespace stack::cli
