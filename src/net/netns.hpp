// Network namespaces: a handle on one (an open fd of an nsfs file) and a way to run code inside
// one. setns(2) changes the namespace of the calling *thread* only, so in_netns() runs the code on
// a dedicated short-lived thread that enters the namespace and then ends: the caller's thread never
// changes namespace, and no thread is ever left in the wrong one if switching back were to fail.
// Why a thread and not a forked child: the code is libnl calls that allocate; after fork() in a
// multi-threaded process only async-signal-safe calls are allowed, and a thread returns its
// Result without a pipe. See docs/networking.md.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <type_traits>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace stack::net {

class Netns {
 public:
  // /proc/<pid>/ns/net: the namespace a (container) process lives in.
  static util::Result<Netns> of_pid(pid_t pid);
  // A namespace file, e.g. /run/netns/<name> as made by `ip netns add`.
  static util::Result<Netns> open(const std::string& path);
  // The calling thread's namespace.
  static util::Result<Netns> current();

  int fd() const { return fd_.get(); }
  // The nsfs inode: two handles refer to the same namespace iff their inodes are equal.
  util::Result<ino_t> inode() const;

 private:
  explicit Netns(util::UniqueFd fd) : fd_(std::move(fd)) {}
  util::UniqueFd fd_;
};

// A network namespace that lives on without any process in it: a new netns bind-mounted on an
// (empty) file at path, as `ip netns add` does. The scheduler gives each container one, so that a
// restarted container comes back into the same namespace: same veths, addresses, routes, proxies.
// The parent directory must exist. An already_exists error if path exists.
util::Result<void> create_named_netns(const std::string& path);
// Unmounts (lazily: a process still inside keeps it alive) and deletes the file; false if absent.
util::Result<bool> remove_named_netns(const std::string& path);

namespace detail {
// Runs body on a new thread after setns(netns_fd, CLONE_NEWNET); joins it. An error only if the
// thread could not enter the namespace (body then does not run).
util::Result<void> run_on_netns_thread(int netns_fd, const std::function<void()>& body);
}  // namespace detail

// Runs fn (returning a Result) inside the network namespace netns_fd (borrowed) and returns its
// result. fn must not start threads of its own or keep state that outlives the call: the thread it
// runs on ends when it returns.
template <class F>
auto in_netns(int netns_fd, F&& fn) -> std::invoke_result_t<F&> {
  using R = std::invoke_result_t<F&>;
  std::optional<R> out;
  auto entered = detail::run_on_netns_thread(netns_fd, [&] { out.emplace(fn()); });
  if (!entered) return std::move(entered).error();
  return std::move(*out);
}

}  // namespace stack::net
