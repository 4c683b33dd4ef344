#include "net/netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include <system_error>
#include <thread>

namespace stack::net {

using util::Errc;
using util::Result;
using util::UniqueFd;

Result<Netns> Netns::of_pid(pid_t pid) {
  if (pid <= 0) return util::fail(Errc::invalid_argument, "invalid pid " + std::to_string(pid));
  const std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
  auto fd = UniqueFd::open(path, O_RDONLY);
  if (!fd) return std::move(fd).error().context("opening netns of pid " + std::to_string(pid));
  return Netns(std::move(*fd));
}

Result<Netns> Netns::open(const std::string& path) {
  auto fd = UniqueFd::open(path, O_RDONLY);
  if (!fd) return std::move(fd).error().context("opening netns '" + path + "'");
  return Netns(std::move(*fd));
}

Result<Netns> Netns::current() {
  // thread-self, not self: in_netns() threads differ from the process's main thread.
  return open("/proc/thread-self/ns/net");
}

Result<ino_t> Netns::inode() const {
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return util::Error::from_errno("stat of netns descriptor");
  return st.st_ino;
}

namespace detail {

Result<void> run_on_netns_thread(int netns_fd, const std::function<void()>& body) {
  Result<void> entered;
  // setns() also refuses (EINVAL) a descriptor that is not a network namespace.
  auto run = [&] {
    if (::setns(netns_fd, CLONE_NEWNET) != 0) {
      entered = util::Error::from_errno("entering network namespace");
      return;
    }
    body();
  };
  try {
    std::thread worker(run);
    worker.join();
  } catch (const std::system_error& e) {  // thread creation failed (EAGAIN: no resources)
    return util::fail(Errc::io, std::string("starting netns thread: ") + e.what(),
                      e.code().value());
  }
  return entered;
}

}  // namespace detail

}  // namespace stack::net
