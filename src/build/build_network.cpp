#include "build/build_network.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <sstream>
#include <utility>

#include "net/forwarding.hpp"
#include "net/host.hpp"
#include "net/ipam_store.hpp"
#include "net/naming.hpp"
#include "util/dir.hpp"
#include "util/fd.hpp"

namespace stack::build {

using util::Errc;
using util::Result;
using util::fail;

namespace {

// A step needs the gateway and its own address; /24s as a project network's are easy to read.
constexpr int kBuildSubnetPrefix = 24;
constexpr int kLongestBuildPrefix = 30;
constexpr std::string_view kBuildLockSuffix = ".lock";

std::string build_net_dir(const std::string& root) { return root + "/build-net"; }
std::string build_net_record(const std::string& root, const std::string& bridge) {
  return build_net_dir(root) + "/" + bridge + std::string(kBuildLockSuffix);
}

// The host-wide lock around choosing a subnet and making its bridge: another build's bridge is
// only seen (as a route) once it has its address. Its directory is /run/stack, which
// net::ForwardingLock::settle removes when empty: made again, as that lock does.
Result<util::FileLock> acquire_subnet_lock(const std::string& dir) {
  for (int attempt = 1;; ++attempt) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail(Errc::io, "creating '" + dir + "': " + ec.message(), ec.value());
    auto lock = util::FileLock::acquire(dir + "/build-subnet.lock");
    if (lock) return lock;
    if (lock.error().sys_errno() != ENOENT || attempt == 5) return std::move(lock).error();
  }
}

bool is_loopback_or_ipv6(std::string_view address) {
  if (address.find(':') != std::string_view::npos) return true;
  auto ip = net::Ipv4::parse(address);
  return ip && (ip->value >> 24) == 127;
}

// Table, then bridge (a table never outlives its bridge, as with project networks).
Result<void> remove_bridge_and_table(BuildHost& host, const std::string& bridge) {
  STACK_TRY(host.remove_firewall(bridge).context("build network '" + bridge + "'"));
  STACK_TRY(host.remove_bridge(bridge).context("build network '" + bridge + "'"));
  return util::ok();
}

class LinuxBuildHost final : public BuildHost {
 public:
  explicit LinuxBuildHost(std::string root) : root_(std::move(root)) {}
  Result<std::vector<net::Subnet>> used_subnets() override {
    STACK_ASSIGN_OR_RETURN(std::vector<net::Subnet> used, net::host_used_subnets());
    STACK_ASSIGN_OR_RETURN(std::vector<net::IpamNetwork> networks, net::IpamStore(root_).list());
    for (const net::IpamNetwork& n : networks) used.push_back(n.subnet);
    return used;
  }
  Result<void> ensure_bridge(const net::NetworkSpec& spec) override {
    STACK_TRY(links_->ensure_bridge(spec));
    return util::ok();
  }
  Result<bool> remove_bridge(const std::string& bridge) override { return links_->remove_bridge(bridge); }
  Result<void> ensure_firewall(const net::FirewallRules& rules) override {
    STACK_TRY(net::ensure_network_firewall(rules));
    return util::ok();
  }
  Result<bool> remove_firewall(const std::string& bridge) override { return net::remove_network_firewall(bridge); }

 private:
  std::string root_;
  std::unique_ptr<net::Network> links_ = net::make_netlink_network();
};

}  // namespace

Result<net::AddressPool> parse_build_pool(std::string_view text) {
  auto subnet = net::Subnet::parse(text);
  if (!subnet) return fail(Errc::invalid_argument, "build pool '" + std::string(text) + "': " + subnet.error().message());
  if (subnet->prefix > kLongestBuildPrefix) {
    return fail(Errc::invalid_argument, "build pool '" + std::string(text) + "' is too small (at most /30)");
  }
  return net::AddressPool{*subnet, std::max(subnet->prefix, kBuildSubnetPrefix)};
}

Result<net::Subnet> select_build_subnet(const net::AddressPool& pool, const std::vector<net::Subnet>& host_used) {
  net::IpamContext context;
  context.pools = {pool};
  context.host_used = host_used;
  auto subnet = net::select_subnet(context);
  if (subnet) return subnet;
  return fail(Errc::conflict, "no free subnet for the build network in '" + pool.base.str() + "' (every /" +
                                  std::to_string(pool.size) +
                                  " overlaps a route or address of the host); choose another with --build-pool or "
                                  "STACK_BUILD_POOL");
}

std::string build_bridge_name(std::string_view root, const net::Subnet& subnet) {
  std::string id = "_build";
  id += '\0';
  id += root;
  id += '\0';
  id += subnet.str();
  return net::bridge_name(id);
}

std::string build_resolv_conf(std::string_view host_resolv_conf) {
  std::string out;
  std::istringstream in{std::string(host_resolv_conf)};
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string keyword, address;
    words >> keyword >> address;
    if (keyword == "nameserver" && is_loopback_or_ipv6(address)) continue;
    out += line + "\n";
  }
  return out;
}

bool names_only_resolved_stub(std::string_view resolv_conf) {
  std::istringstream in{std::string(resolv_conf)};
  bool stub = false;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string keyword, address;
    words >> keyword >> address;
    if (keyword != "nameserver") continue;
    if (address != "127.0.0.53") return false;
    stub = true;
  }
  return stub;
}

std::string read_build_resolv_conf() {
  auto host = util::read_file("/etc/resolv.conf");
  std::string text = host ? *host : std::string();
  if (names_only_resolved_stub(text)) {
    if (auto behind = util::read_file("/run/systemd/resolve/resolv.conf")) text = std::move(*behind);
  }
  return build_resolv_conf(text);
}

std::unique_ptr<BuildHost> make_build_host(const std::string& root) { return std::make_unique<LinuxBuildHost>(root); }

Result<BuildNetwork> BuildNetwork::create(BuildHost& host, const BuildNetworkOptions& options) {
  STACK_ASSIGN_OR_RETURN(net::AddressPool pool, parse_build_pool(options.pool.empty() ? kDefaultBuildPool : options.pool));
  STACK_ASSIGN_OR_RETURN(util::FileLock choosing, acquire_subnet_lock(options.host_lock_dir));
  auto made = create_locked(host, options, pool);
  // Nothing is left in the host-wide directory: a waiter retries on a fresh file.
  choosing.unlink();
  ::rmdir(options.host_lock_dir.c_str());  // only when empty
  return made;
}

Result<BuildNetwork> BuildNetwork::create_locked(BuildHost& host, const BuildNetworkOptions& options,
                                                 const net::AddressPool& pool) {
  std::error_code ec;
  std::string root = std::filesystem::absolute(options.root, ec).lexically_normal().string();
  if (ec) root = options.root;
  STACK_ASSIGN_OR_RETURN(std::vector<net::Subnet> used, host.used_subnets());
  STACK_ASSIGN_OR_RETURN(net::Subnet subnet, select_build_subnet(pool, used));
  std::string bridge = build_bridge_name(root, subnet);
  // The record before the bridge: a build killed from here on leaves a lock that is free.
  std::filesystem::create_directories(build_net_dir(options.root), ec);
  if (ec) return fail(Errc::io, "creating '" + build_net_dir(options.root) + "': " + ec.message(), ec.value());
  STACK_ASSIGN_OR_RETURN(auto record, util::FileLock::try_acquire(build_net_record(options.root, bridge)));
  if (!record) return fail(Errc::conflict, "build network '" + bridge + "' is in use by another build");
  BuildNetwork network(host, bridge, subnet, build_net_dir(options.root), std::move(*record));
  const std::string context = "build network '" + bridge + "' (" + subnet.str() + ")";
  STACK_TRY(host.ensure_bridge({"_build", bridge, {network.gateway(), subnet.prefix}, 0}).context(context));
  STACK_TRY(host.ensure_firewall({bridge, subnet, options.masquerade, false}).context(context));
  return network;  // on an error above, the destructor removed what was made
}

BuildNetwork::BuildNetwork(BuildNetwork&& o) noexcept
    : host_(std::exchange(o.host_, nullptr)),
      bridge_(std::move(o.bridge_)),
      subnet_(o.subnet_),
      record_dir_(std::move(o.record_dir_)),
      record_(std::move(o.record_)) {
  o.record_.reset();
}

BuildNetwork::~BuildNetwork() { (void)remove(); }

Result<void> BuildNetwork::remove() {
  if (host_ == nullptr) return util::ok();
  STACK_TRY(remove_bridge_and_table(*host_, bridge_));
  host_ = nullptr;
  if (record_) record_->unlink();
  record_.reset();
  ::rmdir(record_dir_.c_str());  // only when empty: another build's record keeps it
  return util::ok();
}

net::Ipv4 BuildNetwork::gateway() const { return net::Ipv4{subnet_.base.value + 1}; }

net::Attachment BuildNetwork::attachment(std::string_view container_id) const {
  net::Attachment a;
  a.bridge = bridge_;
  a.host_veth = net::host_veth_name(container_id, "_build");
  a.address = net::Ipv4Interface{net::Ipv4{subnet_.base.value + 2}, subnet_.prefix};
  a.mac = net::mac_for_address(a.address.address);
  a.gateway = gateway();
  return a;
}

void remove_stale_build_networks(BuildHost& host, const std::string& root, const std::string& host_lock_dir) {
  const std::string dir = build_net_dir(root);
  auto names = util::list_dir(dir);
  if (!names || names->empty()) return;  // the common case: no lock, no /run/stack
  auto choosing = acquire_subnet_lock(host_lock_dir);
  if (!choosing) return;
  names = util::list_dir(dir);
  for (const std::string& entry : names ? *names : std::vector<std::string>{}) {
    if (!entry.ends_with(kBuildLockSuffix)) continue;
    std::string bridge = entry.substr(0, entry.size() - kBuildLockSuffix.size());
    auto lock = util::FileLock::try_acquire(dir + "/" + entry);
    if (!lock || !*lock) continue;  // a build that is running, or a lock that cannot be opened
    if (net::is_bridge_name(bridge) && !remove_bridge_and_table(host, bridge)) continue;
    (*lock)->unlink();
  }
  ::rmdir(dir.c_str());  // only when empty
  choosing->unlink();
  ::rmdir(host_lock_dir.c_str());  // only when empty
}

}  // namespace stack::build
