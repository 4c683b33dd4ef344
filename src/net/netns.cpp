#include "net/netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
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

Result<void> create_named_netns(const std::string& path) {
  {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (fd < 0) {
      int err = errno;
      return util::Error(err == EEXIST ? Errc::already_exists : Errc::io,
                         "creating netns file '" + path + "': " + std::strerror(err), err);
    }
    ::close(fd);
  }
  // unshare() on a thread of its own: only that thread moves into the new namespace, and the
  // bind mount (a process-wide mount table change) keeps the namespace once the thread ends.
  Result<void> made;
  auto run = [&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      made = util::Error::from_errno("creating a network namespace");
    } else if (::mount("/proc/thread-self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      made = util::Error::from_errno("bind-mounting the network namespace on '" + path + "'");
    }
  };
  try {
    std::thread worker(run);
    worker.join();
  } catch (const std::system_error& e) {
    made = util::fail(Errc::io, std::string("starting netns thread: ") + e.what(), e.code().value());
  }
  if (!made) ::unlink(path.c_str());
  return made;
}

Result<bool> remove_named_netns(const std::string& path) {
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    return util::Error::from_errno("unmounting netns '" + path + "'");
  }
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return false;
    return util::Error::from_errno("deleting netns file '" + path + "'");
  }
  return true;
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
