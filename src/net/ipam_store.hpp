// IPAM persistence: one file per network, <root>/networks/<name>.json, written atomically (temp
// file, fsync, rename) and changed only under an exclusive flock, so that two `stack` commands
// never hand out the same subnet or address. Subnet selection additionally holds a pool-wide lock,
// since it must see every other network's subnet.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ipam.hpp"
#include "util/result.hpp"

namespace stack::net {

// The JSON form of a network (the codec is pure and unit-tested on its own).
std::string encode_network(const IpamNetwork& network);
util::Result<IpamNetwork> decode_network(std::string_view text);

class IpamStore {
 public:
  // Files live under <state_root>/networks; the directory is created on first write.
  explicit IpamStore(std::filesystem::path state_root,
                     std::vector<AddressPool> pools = default_pools());

  // The network as stored, or a new one planned against host_used (the host's routes and
  // addresses, read by the caller through netlink) and every stored network's subnet. An existing
  // network must agree with the request (check_request).
  util::Result<IpamNetwork> ensure_network(const std::string& name, const SubnetRequest& request,
                                           const std::vector<Subnet>& host_used,
                                           const std::vector<Subnet6>& host_used6 = {});

  // allocate()/release() of ipam.hpp on the stored network, saved before returning.
  util::Result<Ipv4> allocate(const std::string& name, const std::string& key,
                              const std::optional<Ipv4>& requested = std::nullopt,
                              const std::optional<Ipv6>& requested6 = std::nullopt);
  util::Result<bool> release(const std::string& name, const std::string& key);
  // allocate() for many keys under one lock and one write (an `up` of many containers, where a
  // write per container queued them all behind the file). A key that cannot have its address is
  // skipped: allocate() for it says why, in the context of its container.
  struct Request {
    std::string key;
    std::optional<Ipv4> requested;
    std::optional<Ipv6> requested6;
  };
  util::Result<void> reserve(const std::string& name, const std::vector<Request>& requests);

  // Deletes the network's file; false if there was none.
  util::Result<bool> remove_network(const std::string& name);

  // Reads need no lock: a rename makes every write appear whole.
  util::Result<std::optional<IpamNetwork>> load(const std::string& name) const;
  util::Result<std::vector<IpamNetwork>> list() const;

  std::filesystem::path directory() const { return root_ / "networks"; }
  std::filesystem::path network_file(const std::string& name) const;

 private:
  util::Result<IpamNetwork> load_existing(const std::string& name) const;
  util::Result<void> save(const IpamNetwork& network) const;

  std::filesystem::path root_;
  std::vector<AddressPool> pools_;
};

}  // namespace stack::net
