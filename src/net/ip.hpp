// The address types live in util (the stack model carries them, typed, from the file on); the
// network layer names them unqualified.
#pragma once

#include "util/ip.hpp"
#include "util/ip6.hpp"

namespace stack::net {

using util::Ipv4;
using util::Ipv4Interface;
using util::Subnet;
using util::Ipv6;
using util::Ipv6Interface;
using util::Subnet6;

}  // namespace stack::net
