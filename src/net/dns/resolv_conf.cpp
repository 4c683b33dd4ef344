#include "net/dns/resolv_conf.hpp"

#include <sstream>
#include <string>

namespace stack::net::dns {

std::vector<Ipv4> parse_nameservers(std::string_view resolv_conf, Ipv4 exclude) {
  std::vector<Ipv4> out;
  std::istringstream in{std::string(resolv_conf)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string keyword, address;
    if (!(words >> keyword >> address) || keyword != "nameserver") continue;
    auto parsed = Ipv4::parse(address);
    if (!parsed || *parsed == exclude) continue;
    out.push_back(*parsed);
  }
  return out;
}

}  // namespace stack::net::dns
