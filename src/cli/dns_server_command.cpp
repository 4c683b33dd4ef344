// `stack dns-server --network NAME --listen IP` (hidden): a network's embedded DNS server, started
// detached by net::dns::ensure_dns_server, never by hand. See src/net/dns/dns_server.hpp.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <iostream>

#include "cli/command.hpp"
#include "cli/global_options.hpp"
#include "net/dns/dns_server.hpp"

namespace stack::cli {
namespace {

class DnsServerCommand final : public Command {
 public:
  std::string name() const override { return "dns-server"; }
  std::string summary() const override { return "Serve one network's DNS names (internal)"; }

  void setup(CLI::App& app) override {
    app.group("");  // hidden from `stack --help`: the orchestrator starts it, users do not
    app.add_option("--network", network_, "The network whose names are served")->required();
    app.add_option("--listen", listen_, "The address to listen on (the network's gateway)")->required();
    app.add_option("--port", port_, "UDP and TCP port")->check(CLI::Range(1, 65535));
    app.add_flag("--forward", forward_, "Forward other names to the host's resolvers");
    app.add_option("--upstream", upstreams_, "Resolver to forward to (IP[:PORT]) instead of resolv.conf");
    app.add_option("--ready-fd", ready_fd_, "Descriptor that receives 'ok' or the error line");
  }

  int run(const GlobalOptions& global) override {
    net::dns::DnsServerOptions options{.root = global.root, .network = network_, .port = port_,
                                       .forward = forward_ || !upstreams_.empty()};
    auto listen = util::Ipv4::parse(listen_);
    if (!listen) return fail(listen.error().message());
    options.listen = *listen;
    for (const std::string& text : upstreams_) {
      auto upstream = net::dns::parse_upstream(text);
      if (!upstream) return fail(upstream.error().message());
      options.upstreams.push_back(*upstream);
    }
    return net::dns::run_dns_server(options, ready_fd_);
  }

 private:
  int fail(const std::string& message) const {
    std::string line = "dns-server: " + message + "\n";
    if (ready_fd_ >= 0 && ::write(ready_fd_, line.data(), line.size()) < 0) {}
    std::cerr << line;
    return kExitUsage;
  }

  std::string network_;
  std::string listen_;
  std::uint16_t port_ = 53;
  bool forward_ = false;
  std::vector<std::string> upstreams_;
  int ready_fd_ = -1;
};

[[maybe_unused]] const bool kDnsServerRegistered = register_command(
    []() -> std::unique_ptr<Command> { return std::make_unique<DnsServerCommand>(); });

}  // namespace
}  // namespace stack::cli
