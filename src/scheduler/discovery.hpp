// Service discovery data: which names each container answers to on each network, and the files
// built from it: a container's /etc/hosts and /etc/resolv.conf, a network's DNS records. The
// renderers are pure; the endpoint of each container is kept as endpoint.json in its etc dir
// (<root>/projects/<project>/etc/<container>/), next to the files that are bind-mounted.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "spec/model.hpp"
#include "util/result.hpp"

namespace stack::scheduler {

struct NetworkEndpoint {
  std::string address;               // IPv4 on that network
  std::vector<std::string> aliases;  // from the service's networks.<key>.aliases
  std::string address6;              // IPv6 on that network (enable_ipv6), else empty
};

struct Endpoint {
  std::string container;
  std::string service;
  std::string hostname;
  std::map<std::string, NetworkEndpoint> networks;  // network name -> endpoint
  std::vector<spec::ExtraHost> extra_hosts;
  std::map<std::string, std::string> links;  // alias -> linked service: names in its own hosts only
  std::map<std::string, std::string> external_links;  // alias -> container of any project: DNS only
  std::vector<std::string> dns;  // the service's dns: servers; empty = the networks' gateways
};

std::string encode_endpoint(const Endpoint& endpoint);
util::Result<Endpoint> decode_endpoint(const std::string& text);

// /etc/hosts of `self`: localhost, its own addresses, then every container that shares a network
// with it (service name, container name, aliases), the link aliases of its links' containers on
// those networks, then extra_hosts.
std::string render_hosts(const Endpoint& self, const std::vector<Endpoint>& all);

// name -> addresses answered by the DNS server of `network`: every container's names, the link
// aliases of the containers on it, and the external links of its containers to others on it.
std::map<std::string, std::vector<std::string>> dns_names(const std::string& network,
                                                          const std::vector<Endpoint>& all);

// resolv.conf with the given nameservers (at most three are used by resolvers).
std::string render_resolv_conf(const std::vector<std::string>& nameservers,
                               const std::vector<std::string>& search = {},
                               const std::vector<std::string>& options = {});

// Rewrites a file in place (truncate + write), never by rename: a bind mount of the file in a
// running container keeps seeing the same inode, so it sees the new content. Unless told that the
// content differs, the file is read first and left alone when it has the content already.
enum class Known { unknown, differs };
util::Result<void> write_in_place(const std::string& path, const std::string& content,
                                  Known known = Known::unknown);

}  // namespace stack::scheduler
