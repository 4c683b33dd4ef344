// net::Network: links on the host's network, bridges and veths. NetlinkNetwork (netlink_network.hpp)
// is the real one; the scheduler reaches it through its HostNetwork seam (scheduler/host_network.hpp),
// which its executor tests fake. Mechanism only: the caller decides names (naming.hpp) and
// addresses (IPAM).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net {

struct NetworkSpec {
  std::string name;       // full network name, e.g. "demo_default"
  std::string bridge;     // bridge_name(name)
  Ipv4Interface gateway;  // the bridge's own address: gateway/prefix of the subnet
  unsigned mtu = 0;       // 0 keeps the kernel default (1500)
  std::optional<Ipv6Interface> gateway6;  // enable_ipv6 networks: the v6 gateway/prefix
};

struct BridgeInfo {
  std::string name;
  int ifindex = 0;
  unsigned mtu = 0;
  std::string mac;
  bool created = false;  // false when it already existed (a later reconcile pass)
};

struct Attachment {
  std::string bridge;              // bridge to plug the host end into
  std::string host_veth;           // host_veth_name(container id, network)
  std::string ifname = "eth0";     // name of the container end inside the container
  std::optional<std::string> mac;  // container end MAC; kernel-random when unset
  Ipv4Interface address;           // container address/prefix
  Ipv4 gateway;                    // the bridge's address
  unsigned mtu = 0;                // both ends; 0 keeps the kernel default
  bool default_route = true;       // false for internal networks and secondary networks
  std::optional<Ipv6Interface> address6;  // enable_ipv6 networks: the container's v6 address
  std::optional<Ipv6> gateway6;           // and the bridge's, for the v6 default route
};

class Network {
 public:
  virtual ~Network() = default;

  // Creates the bridge if needed, sets its MTU and gateway address, brings it up. Idempotent.
  virtual util::Result<BridgeInfo> ensure_bridge(const NetworkSpec& spec) = 0;
  // Deletes a bridge that stack made ("stk-..."); false if it did not exist.
  virtual util::Result<bool> remove_bridge(const std::string& name) = 0;

  // Creates the veth pair with the host end a port of the bridge and the other end made directly
  // inside the network namespace netns_fd (borrowed) as ifname, with its MAC and MTU; sets the
  // address, brings lo up and adds the default route unless told not to. Undoes itself on
  // failure. An already_exists error if host_veth exists (the container is attached already).
  virtual util::Result<void> attach(int netns_fd, const Attachment& attachment) = 0;
  // The same for the netns of process pid.
  util::Result<void> attach_pid(pid_t pid, const Attachment& attachment);

  // Deletes the host end (the kernel deletes the container end with it); false if absent.
  virtual util::Result<bool> detach(const std::string& host_veth) = 0;
  // Whether host_veth exists and is a port of bridge: false after either was deleted from
  // outside (deleting a bridge frees its ports; deleting a veth end deletes both).
  virtual util::Result<bool> is_attached(const std::string& host_veth, const std::string& bridge) = 0;
};

// The real implementation, on libnl.
std::unique_ptr<Network> make_netlink_network();

}  // namespace stack::net
