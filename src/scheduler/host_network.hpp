// scheduler::HostNetwork: every network call the engine makes on the host, in one interface:
// bridges and veths, the containers' persistent network namespaces, each network's firewall table
// and DNS server, the routes a new subnet must not overlap, and host ports. LinuxHostNetwork
// (linux_host_network.hpp) is the real one; the executor's unit tests use a fake that records the
// calls (tests/unit/scheduler/fake_host.hpp). Mechanism only: names and addresses are the caller's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "net/dns/dns_server.hpp"
#include "net/firewall.hpp"
#include "util/ip.hpp"
#include "net/network.hpp"
#include "net/proxy/forward.hpp"
#include "spec/model.hpp"
#include "util/result.hpp"

namespace stack::scheduler {

class HostNetwork {
 public:
  virtual ~HostNetwork() = default;

  // Bridges and veths (net::Network); attach enters the namespace kept at netns_path.
  virtual util::Result<net::BridgeInfo> ensure_bridge(const net::NetworkSpec& spec) = 0;
  virtual util::Result<bool> remove_bridge(const std::string& bridge) = 0;
  virtual util::Result<void> attach(const std::string& netns_path, const net::Attachment& attachment) = 0;
  virtual util::Result<bool> detach(const std::string& host_veth) = 0;
  virtual util::Result<bool> is_attached(const std::string& host_veth, const std::string& bridge) = 0;
  virtual util::Result<bool> bridge_exists(const std::string& bridge) = 0;
  // Subnets of the host's routes (but bridge's own), which a new network must not overlap.
  virtual util::Result<std::vector<util::Subnet>> used_subnets(const std::string& bridge) = 0;
  // The same for IPv6 (asked only for networks with IPv6; fakes have none).
  virtual util::Result<std::vector<util::Subnet6>> used_subnets6(const std::string& /*bridge*/) {
    return std::vector<util::Subnet6>{};
  }

  // A namespace kept by a file at path (net/netns.hpp): an already_exists error if path exists;
  // removal is false when absent.
  virtual util::Result<void> create_netns(const std::string& path) = 0;
  virtual util::Result<bool> remove_netns(const std::string& path) = 0;
  virtual bool netns_exists(const std::string& path) = 0;

  // A network's nftables table (isolation, masquerading) and DNS server process.
  virtual util::Result<void> ensure_firewall(const net::FirewallRules& rules) = 0;
  // The table holds exactly these rules (and ip_forward is on when it masquerades).
  virtual util::Result<bool> firewall_holds(const net::FirewallRules& rules) = 0;
  virtual util::Result<void> remove_firewall(const std::string& bridge) = 0;
  virtual util::Result<void> ensure_dns_server(const std::string& stack_binary,
                                               const net::dns::DnsServerOptions& options) = 0;
  virtual util::Result<bool> stop_dns_server(const std::string& root, const std::string& network) = 0;
  virtual bool dns_server_running(const std::string& root, const std::string& network) = 0;

  // Whether a host port is free now (host_ports.hpp): `up` fails before it changes anything.
  virtual util::Result<void> check_port_free(const net::proxy::Forward& port) = 0;
};

}  // namespace stack::scheduler
