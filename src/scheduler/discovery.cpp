#include "scheduler/discovery.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "util/fd.hpp"

namespace stack::scheduler {

using nlohmann::json;
using util::Errc;
using util::Error;
using util::Result;

std::string encode_endpoint(const Endpoint& e) {
  json nets = json::object();
  for (const auto& [name, n] : e.networks) {
    nets[name] = {{"address", n.address}, {"aliases", n.aliases}};
    if (!n.address6.empty()) nets[name]["address6"] = n.address6;
  }
  json extra = json::array();
  for (const auto& h : e.extra_hosts) extra.push_back({{"hostname", h.hostname}, {"address", h.address}});
  json j = {{"container", e.container}, {"service", e.service}, {"hostname", e.hostname},
            {"networks", nets}, {"extra_hosts", extra}, {"dns", e.dns}};
  if (!e.links.empty()) j["links"] = e.links;
  if (!e.external_links.empty()) j["external_links"] = e.external_links;
  return j.dump(2) + "\n";
}

Result<Endpoint> decode_endpoint(const std::string& text) {
  try {
    json j = json::parse(text);
    Endpoint e;
    e.container = j.at("container").get<std::string>();
    e.service = j.at("service").get<std::string>();
    e.hostname = j.value("hostname", std::string());
    for (const auto& [name, n] : j.at("networks").items()) {
      e.networks[name] = {n.at("address").get<std::string>(), n.value("aliases", std::vector<std::string>{}),
                          n.value("address6", std::string())};
    }
    for (const auto& h : j.value("extra_hosts", json::array())) {
      e.extra_hosts.push_back({h.at("hostname").get<std::string>(), h.at("address").get<std::string>()});
    }
    e.dns = j.value("dns", std::vector<std::string>{});
    e.links = j.value("links", std::map<std::string, std::string>{});
    e.external_links = j.value("external_links", std::map<std::string, std::string>{});
    return e;
  } catch (const json::exception& ex) {
    return Error(Errc::parse, std::string("endpoint.json: ") + ex.what());
  }
}

namespace {

// The names a container answers to on one network, service name first (as docker's DNS).
std::vector<std::string> names_of(const Endpoint& e, const NetworkEndpoint& n) {
  std::vector<std::string> out;
  auto add = [&](const std::string& name) {
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  };
  add(e.service);
  add(e.container);
  for (const auto& a : n.aliases) add(a);
  return out;
}

// Its addresses on one network: IPv4, then IPv6 when it has one.
std::vector<std::string> addresses_of(const NetworkEndpoint& n) {
  std::vector<std::string> out{n.address};
  if (!n.address6.empty()) out.push_back(n.address6);
  return out;
}

}  // namespace

std::string render_hosts(const Endpoint& self, const std::vector<Endpoint>& all) {
  std::string out =
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "ff00::0\tip6-mcastprefix\n"
      "ff02::1\tip6-allnodes\n"
      "ff02::2\tip6-allrouters\n";
  std::set<std::string> seen;
  for (const auto& [network, n] : self.networks) {
    // Its v6 address too, on a line of its own, as docker writes it.
    for (const std::string& address : addresses_of(n)) {
      std::string line = address + "\t" + (self.hostname.empty() ? self.container : self.hostname);
      if (!self.hostname.empty() && self.hostname != self.container) line += " " + self.container;
      if (seen.insert(line).second) out += line + "\n";
    }
  }
  for (const auto& [network, mine] : self.networks) {
    for (const Endpoint& peer : all) {
      auto it = peer.networks.find(network);
      if (it == peer.networks.end()) continue;
      auto names = names_of(peer, it->second);
      for (const std::string& address : addresses_of(it->second)) {
        std::string line = address + "\t";
        for (size_t i = 0; i < names.size(); ++i) line += (i ? " " : "") + names[i];
        if (seen.insert(line).second) out += line + "\n";
      }
    }
  }
  for (const auto& [alias, service] : self.links) {
    if (alias == service) continue;  // the service's own name is there already
    for (const auto& [network, mine] : self.networks) {
      for (const Endpoint& peer : all) {
        auto it = peer.networks.find(network);
        if (peer.service != service || it == peer.networks.end()) continue;
        std::string line = it->second.address + "\t" + alias;
        if (seen.insert(line).second) out += line + "\n";
      }
    }
  }
  for (const auto& h : self.extra_hosts) out += h.address + "\t" + h.hostname + "\n";
  return out;
}

std::map<std::string, std::vector<std::string>> dns_names(const std::string& network,
                                                          const std::vector<Endpoint>& all) {
  std::map<std::string, std::vector<std::string>> out;
  for (const Endpoint& e : all) {
    auto it = e.networks.find(network);
    if (it == e.networks.end()) continue;
    for (const std::string& name : names_of(e, it->second)) {
      auto& list = out[name];
      for (const std::string& address : addresses_of(it->second)) {
        if (std::find(list.begin(), list.end(), address) == list.end()) list.push_back(address);
      }
    }
  }
  // Link aliases, on the networks the linker shares with the linked service (or, for an external
  // link, container): resolvers that ask DNS before /etc/hosts (glibc without nsswitch.conf) find
  // them too. Unlike docker, which answers an alias to the linker alone, every container of the
  // network may resolve it.
  auto add_alias = [&](const std::string& alias, auto is_target) {
    for (const Endpoint& e : all) {
      auto it = e.networks.find(network);
      if (!is_target(e) || it == e.networks.end()) continue;
      auto& list = out[alias];
      for (const std::string& address : addresses_of(it->second)) {
        if (std::find(list.begin(), list.end(), address) == list.end()) list.push_back(address);
      }
    }
  };
  for (const Endpoint& linker : all) {
    if (linker.networks.find(network) == linker.networks.end()) continue;
    for (const auto& [alias, service] : linker.links) {
      if (alias != service) add_alias(alias, [&](const Endpoint& e) { return e.service == service; });
    }
    for (const auto& [alias, container] : linker.external_links) {
      add_alias(alias, [&](const Endpoint& e) { return e.container == container; });
    }
  }
  return out;
}

std::string render_resolv_conf(const std::vector<std::string>& nameservers,
                               const std::vector<std::string>& search,
                               const std::vector<std::string>& options) {
  std::string out;
  size_t n = 0;
  for (const auto& s : nameservers) {
    if (n++ == 3) break;
    out += "nameserver " + s + "\n";
  }
  // "." alone is docker's "no search domains".
  if (!search.empty() && !(search.size() == 1 && search[0] == ".")) {
    out += "search";
    for (const auto& s : search) out += " " + s;
    out += "\n";
  }
  // ndots:0 unless dns_opt sets ndots: a bare service name is looked up as is, not first with
  // the search domains.
  bool ndots = std::any_of(options.begin(), options.end(), [](const std::string& o) { return o.rfind("ndots:", 0) == 0; });
  out += "options";
  if (!ndots) out += " ndots:0";
  for (const auto& o : options) out += " " + o;
  out += "\n";
  return out;
}

Result<void> write_in_place(const std::string& path, const std::string& content, Known known) {
  STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  // Overwrite, then cut to length: a truncation to zero makes ext4 start writeback of the file on
  // close (auto_da_alloc), a disk write for every hosts file at every change.
  if (known == Known::unknown) {
    auto current = util::read_file(path);
    if (current && *current == content) return util::ok();
  }
  STACK_TRY(util::write_all(fd.get(), content).context("write '" + path + "'"));
  if (::ftruncate(fd.get(), static_cast<off_t>(content.size())) != 0) return Error::from_errno("truncate '" + path + "'");
  return util::ok();
}

}  // namespace stack::scheduler
