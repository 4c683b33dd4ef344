// The two ways src/net talks to nftables. Changes go through libnftables, which is opened with
// dlopen on first use and never linked (every shared library costs each `stack` command its
// start-up: docs/performance.md), one transaction per call. Reading which tables exist is a plain
// nfnetlink dump over libnl, which is loaded anyway, so a converged `up` never loads libnftables.
#pragma once

#include <string>
#include <vector>

#include "util/result.hpp"

namespace stack::net::nft {

// Runs commands (nft syntax, one per line) as one transaction: the kernel applies all of them or
// none. Returns what nft printed (listings). A failure is one line, e.g.
// "nftables: Could not process rule: No such file or directory ('delete table ip stk-1a2b3c4d')".
util::Result<std::string> run(const std::string& commands);

struct Table {
  std::string family = "ip";  // "ip", or "inet" for a network with IPv6
  std::string name;
  std::string comment;  // the table's `comment`, "" when it has none
  bool operator==(const Table&) const = default;
};

// The tables of families ip and inet in the calling thread's netns, read over NETLINK_NETFILTER.
util::Result<std::vector<Table>> list_tables();

// The first error of libnftables' error buffer as one line (pure; see run()).
std::string error_line(const std::string& error_buffer);

}  // namespace stack::net::nft
