// Fixtures for the root tests of src/net: unique names, a free test subnet, network namespaces
// that the test creates (and only those), and cleanup by exact name.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "net/ip.hpp"
#include "util/child_process.hpp"
#include "util/fd.hpp"
#include "util/result.hpp"

namespace stack::net::testing {

// A process in a fresh network namespace (unshare in a forked child) that lives until release().
class NetnsHolder {
 public:
  static util::Result<NetnsHolder> spawn();
  pid_t pid() const { return child_.pid(); }
  // Lets the child exit and reaps it; the namespace dies with its last user.
  void release();

 private:
  util::ChildProcess child_;
  util::UniqueFd hold_;  // the child exits when this (the write end of a pipe) closes
};

// A /24 inside 10.234.0.0/16 (no other suite uses it: the e2e tests take 10.231.64 and up) that
// overlaps none of the host's routes or addresses, chosen by a hash of tag so that concurrent tests
// tend to pick different ones.
util::Result<Subnet> pick_test_subnet(const std::string& tag);

// Runs a shell command (the test uses `ip` only to create and observe its fixture namespaces).
int run(const std::string& command);

// The address base + offset: (10.231.130.0/24, 2) -> 10.231.130.2.
inline Ipv4 host(const Subnet& subnet, uint32_t offset) { return Ipv4{subnet.base.value + offset}; }

// Forks a child that enters the netns of fd and runs body; it exits 0 when body returns true, and
// is killed by alarm() after timeout_seconds, so a broken test fails, never hangs.
util::Result<util::ChildProcess> spawn_in_netns(int netns_fd, const std::function<bool()>& body,
                                                unsigned timeout_seconds = 20);

// Forks a child that enters the netns of fd, serves one TCP connection on address:port (answers
// "pong" to "ping") and exits 0. ready receives one byte once the child listens.
util::Result<util::ChildProcess> spawn_tcp_server(int netns_fd, Ipv4 address, uint16_t port,
                                                  int ready_fd);
// Forks a child that enters the netns of fd, connects to address:port, sends "ping" and exits 0
// if the answer is "pong".
util::Result<util::ChildProcess> spawn_tcp_client(int netns_fd, Ipv4 address, uint16_t port);

}  // namespace stack::net::testing
