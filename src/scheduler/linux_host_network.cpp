#include "scheduler/linux_host_network.hpp"

#include <net/if.h>
#include <unistd.h>

#include "net/dns/control.hpp"
#include "net/dns/dns_server.hpp"
#include "net/dns/pid_file.hpp"
#include "net/firewall.hpp"
#include "net/forwarding.hpp"
#include "net/host.hpp"
#include "net/netns.hpp"
#include "scheduler/host_ports.hpp"

namespace stack::scheduler {

using util::Result;

namespace {

class LinuxHostNetwork final : public HostNetwork {
 public:
  explicit LinuxHostNetwork(std::unique_ptr<net::Network> links) : links_(std::move(links)) {}

  Result<net::BridgeInfo> ensure_bridge(const net::NetworkSpec& spec) override { return links_->ensure_bridge(spec); }
  Result<bool> remove_bridge(const std::string& bridge) override { return links_->remove_bridge(bridge); }
  Result<void> attach(const std::string& netns_path, const net::Attachment& attachment) override {
    STACK_ASSIGN_OR_RETURN(net::Netns ns, net::Netns::open(netns_path));
    return links_->attach(ns.fd(), attachment);
  }
  Result<bool> detach(const std::string& host_veth) override { return links_->detach(host_veth); }
  Result<bool> is_attached(const std::string& host_veth, const std::string& bridge) override {
    return links_->is_attached(host_veth, bridge);
  }
  Result<bool> bridge_exists(const std::string& bridge) override { return ::if_nametoindex(bridge.c_str()) != 0; }
  Result<std::vector<util::Subnet>> used_subnets(const std::string& bridge) override {
    return net::host_used_subnets(bridge);
  }
  Result<std::vector<util::Subnet6>> used_subnets6(const std::string& bridge) override {
    return net::host_used_subnets6(bridge);
  }

  Result<void> create_netns(const std::string& path) override { return net::create_named_netns(path); }
  Result<bool> remove_netns(const std::string& path) override { return net::remove_named_netns(path); }
  bool netns_exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Result<void> ensure_firewall(const net::FirewallRules& rules) override {
    STACK_TRY(net::ensure_network_firewall(rules));
    return util::ok();
  }
  Result<bool> firewall_holds(const net::FirewallRules& rules) override {
    STACK_ASSIGN_OR_RETURN(auto table, net::find_firewall(rules.bridge));
    if (!table || !table->holds(rules)) return false;
    if (!rules.masquerade || rules.internal) return true;
    return net::ip_forward();
  }
  Result<void> remove_firewall(const std::string& bridge) override {
    STACK_TRY(net::remove_network_firewall(bridge));
    return util::ok();
  }
  Result<void> ensure_dns_server(const std::string& stack_binary, const net::dns::DnsServerOptions& options) override {
    return net::dns::ensure_dns_server(stack_binary, options);
  }
  Result<bool> stop_dns_server(const std::string& root, const std::string& network) override {
    return net::dns::stop_dns_server(root, network);
  }

  bool dns_server_running(const std::string& root, const std::string& network) override {
    return net::dns::pid_file_holder(net::dns::dns_pid_file(root, network)).has_value();
  }

  Result<void> check_port_free(const net::proxy::Forward& port) override {
    return scheduler::check_port_free(port);
  }

 private:
  std::unique_ptr<net::Network> links_;
};

}  // namespace

std::unique_ptr<HostNetwork> make_linux_host_network(std::unique_ptr<net::Network> links) {
  return std::make_unique<LinuxHostNetwork>(std::move(links));
}

}  // namespace stack::scheduler
