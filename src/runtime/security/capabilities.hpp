// Capability sets: docker's default set, and the add/drop/ALL/privileged arithmetic as a pure
// function over bit masks (tested without root); apply() puts a set into effect with libcap.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/container/config.hpp"

namespace stack::runtime::security {

// Bit i set means capability number i (CAP_CHOWN = 0, ...).
using CapSet = std::uint64_t;

// Highest capability number the running kernel knows (/proc/sys/kernel/cap_last_cap).
int last_capability();
CapSet all_capabilities();
CapSet default_capabilities();

// "NET_ADMIN", "cap_net_admin" and "CAP_NET_ADMIN" all give CAP_NET_ADMIN.
Result<int> capability_from_name(std::string_view name);
// "NET_ADMIN" (docker's spelling).
std::string capability_name(int cap);
std::vector<std::string> capability_names(CapSet set);

// Docker's rules: privileged -> all; add ALL -> all minus drop; drop ALL -> only add;
// otherwise default minus drop plus add (add wins over drop).
Result<CapSet> compute_capabilities(const CapabilityConfig& config);

// Drops everything outside set from the bounding set. Needs CAP_SETPCAP: run before the user switch.
Result<void> drop_bounding(CapSet set);
// Sets effective, permitted and inheritable to set (clipped to what this process holds) and clears
// the ambient set. Run after the user switch (with PR_SET_KEEPCAPS).
Result<void> apply_capabilities(CapSet set);

// The capabilities of the calling process, read from the kernel.
Result<CapSet> current_permitted();

}  // namespace stack::runtime::security
