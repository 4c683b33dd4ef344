// Address literals for tests, one definition for every suite: ip("10.0.0.1"), subnet("10.0.0.0/24").
// The text must be valid: a typo fails the test where it is used.
#pragma once

#include "util/ip.hpp"
#include "util/ip6.hpp"

namespace stack::test {

inline util::Ipv4 ip(const char* text) { return *util::Ipv4::parse(text); }
inline util::Subnet subnet(const char* text) { return *util::Subnet::parse(text); }
inline util::Ipv6 ip6(const char* text) { return *util::Ipv6::parse(text); }
inline util::Subnet6 subnet6(const char* text) { return *util::Subnet6::parse(text); }

}  // namespace stack::test
