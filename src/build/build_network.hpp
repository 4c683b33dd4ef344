// The network of `RUN --network=default` steps, as docker's build gives it: a bridge of the
// build's own with an nftables table (isolation from the other stack bridges and, unless
// --ip-masq false, outbound masquerading), and for each step a veth into the step's own network
// namespace (made by run_step.cpp through net::Network::attach).
//
// One bridge per build, made at its first RUN that needs it and removed when the build ends:
// a build leaves nothing on the host. Its subnet is the first /24 of the pool (BuildKit's
// 10.10.0.0/16 unless --build-pool / STACK_BUILD_POOL says otherwise) that overlaps no route or
// address of the host, chosen under a host-wide lock so that two builds never take the same one.
// The bridge is named like a stack network's, stk-<hash8> of "_build" + the state root + the
// subnet ("_build" is no valid project name, so it never meets a project's network).
//
// A killed build cannot clean up: while the bridge exists, its build holds an exclusive lock on
// <root>/build-net/<bridge>.lock, taken before the bridge is made and dropped after it is gone.
// remove_stale_build_networks (every build, first thing) removes the bridge and table of every
// such lock that is free. The step's veth and namespace need no record: the step dies with its
// builder, and the kernel deletes both ends of a veth with the namespace of either.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/firewall.hpp"
#include "net/forwarding.hpp"
#include "net/ipam.hpp"
#include "net/network.hpp"
#include "util/file_lock.hpp"
#include "util/result.hpp"

namespace stack::build {

// BuildKit's bridge subnet, carved into /24s.
inline constexpr std::string_view kDefaultBuildPool = "10.10.0.0/16";

// "CIDR" of the pool: a prefix up to /24 gives /24 subnets, a longer one (up to /30) is the only
// subnet. An invalid_argument error that names the text otherwise.
util::Result<net::AddressPool> parse_build_pool(std::string_view text);

// The first subnet of pool that overlaps nothing in host_used; a conflict error that says so.
util::Result<net::Subnet> select_build_subnet(const net::AddressPool& pool, const std::vector<net::Subnet>& host_used);

// "stk-" + 8 hex of "_build" '\0' root '\0' subnet.
std::string build_bridge_name(std::string_view root, const net::Subnet& subnet);

// The step's /etc/resolv.conf from the host's: nameserver lines with a loopback address (a stub
// such as 127.0.0.53 is not reachable from the step's namespace) or an IPv6 one (the build
// network is IPv4 only) are dropped, as docker's build does; the other lines are kept. Nothing
// left means no nameserver at all (docker would fall back to Google's; stack never sends names
// anywhere the host did not say).
std::string build_resolv_conf(std::string_view host_resolv_conf);

// Whether resolv.conf names systemd-resolved's stub (127.0.0.53) and no other nameserver: then,
// as docker does, the resolvers behind it (/run/systemd/resolve/resolv.conf) are the ones to copy.
bool names_only_resolved_stub(std::string_view resolv_conf);

// The step's resolv.conf: build_resolv_conf of /etc/resolv.conf, or of systemd-resolved's file.
std::string read_build_resolv_conf();

// The host calls a build network makes: net's public API on the real host, a recorder in tests.
class BuildHost {
 public:
  virtual ~BuildHost() = default;
  // What a build subnet must not overlap: the host's routes and addresses, and the subnets of the
  // state root's project networks, whether their bridges exist now or not (as IPAM's rules).
  virtual util::Result<std::vector<net::Subnet>> used_subnets() = 0;
  virtual util::Result<void> ensure_bridge(const net::NetworkSpec& spec) = 0;
  virtual util::Result<bool> remove_bridge(const std::string& bridge) = 0;
  virtual util::Result<void> ensure_firewall(const net::FirewallRules& rules) = 0;
  virtual util::Result<bool> remove_firewall(const std::string& bridge) = 0;
};

std::unique_ptr<BuildHost> make_build_host(const std::string& root);

struct BuildNetworkOptions {
  std::string root;                        // the state root: <root>/build-net/<bridge>.lock
  std::string pool;                        // "" = kDefaultBuildPool
  bool masquerade = true;                  // --ip-masq
  std::string host_lock_dir = net::kHostRunDir;  // the host-wide lock of the subnet choice
};

class BuildNetwork {
 public:
  // Chooses the subnet, makes the bridge and its table; undoes itself on failure.
  static util::Result<BuildNetwork> create(BuildHost& host, const BuildNetworkOptions& options);
  BuildNetwork(BuildNetwork&& o) noexcept;
  BuildNetwork& operator=(BuildNetwork&&) = delete;
  ~BuildNetwork();  // remove(), errors ignored: the record stays and the next build sweeps

  // Table, then bridge, then the record. Idempotent.
  util::Result<void> remove();

  const std::string& bridge() const { return bridge_; }
  const net::Subnet& subnet() const { return subnet_; }
  net::Ipv4 gateway() const;
  // The step's eth0: the subnet's second address (steps run one at a time), default route via the
  // gateway, host end named after the step's container.
  net::Attachment attachment(std::string_view container_id) const;

 private:
  BuildNetwork(BuildHost& host, std::string bridge, net::Subnet subnet, std::string record_dir, util::FileLock record)
      : host_(&host), bridge_(std::move(bridge)), subnet_(subnet), record_dir_(std::move(record_dir)), record_(std::move(record)) {}
  static util::Result<BuildNetwork> create_locked(BuildHost& host, const BuildNetworkOptions& options,
                                                  const net::AddressPool& pool);
  BuildHost* host_;  // null once removed or moved from
  std::string bridge_;
  net::Subnet subnet_;
  std::string record_dir_;  // <root>/build-net, removed with the last record
  std::optional<util::FileLock> record_;
};

// Removes the bridge and table of every build of root that died with its network up. Best
// effort: what cannot be removed now keeps its record for the next build.
// It runs under the host-wide lock of create(), so it never takes a record that a build has made
// but not yet locked.
void remove_stale_build_networks(BuildHost& host, const std::string& root,
                                 const std::string& host_lock_dir = net::kHostRunDir);

}  // namespace stack::build
