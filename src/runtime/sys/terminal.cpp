#include "runtime/sys/terminal.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace stack::runtime::sys {

using util::Errc;
using util::Error;
using util::UniqueFd;

Result<Pty> open_pty() {
  Pty pty;
  pty.master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master) return Error::from_errno("open /dev/ptmx");
  if (::unlockpt(pty.master.get()) != 0) return Error::from_errno("unlockpt");
  int slave = ::ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) return Error::from_errno("open the terminal's slave");
  pty.slave.reset(slave);
  return pty;
}

Result<void> make_controlling_terminal(int slave) {
  if (::setsid() < 0) return Error::from_errno("setsid");
  if (::ioctl(slave, TIOCSCTTY, 0) < 0) return Error::from_errno("set the controlling terminal");
  return util::ok();
}

namespace {

// A one-byte message with room for one descriptor, for sendmsg and recvmsg alike.
struct FdMessage {
  char byte = 'T';
  iovec iov{};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};

  FdMessage() {
    iov = {&byte, 1};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
  }
  FdMessage(const FdMessage&) = delete;
  FdMessage& operator=(const FdMessage&) = delete;
};

}  // namespace

Result<void> send_fd(int socket, int fd) {
  FdMessage m;
  cmsghdr* c = CMSG_FIRSTHDR(&m.msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  ssize_t n;
  do {
    n = ::sendmsg(socket, &m.msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Error::from_errno("send a descriptor");
  return util::ok();
}

Result<std::optional<UniqueFd>> receive_fd(int socket) {
  FdMessage m;
  ssize_t n;
  do {
    n = ::recvmsg(socket, &m.msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Error::from_errno("receive a descriptor");
  if (n == 0) return std::optional<UniqueFd>();
  cmsghdr* c = CMSG_FIRSTHDR(&m.msg);
  if (c == nullptr || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
      c->cmsg_len != CMSG_LEN(sizeof(int))) {
    return Error(Errc::internal, "a message without a descriptor");
  }
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return std::optional<UniqueFd>(UniqueFd(fd));
}

Result<void> copy_window_size(int from, int to) {
  winsize ws{};
  if (::ioctl(from, TIOCGWINSZ, &ws) < 0) {
    if (errno == ENOTTY || errno == EINVAL) return util::ok();
    return Error::from_errno("read the window size");
  }
  if (::ioctl(to, TIOCSWINSZ, &ws) < 0) return Error::from_errno("set the window size");
  return util::ok();
}

Result<RawMode> RawMode::enter(int fd) {
  termios saved{};
  if (::tcgetattr(fd, &saved) < 0) {
    if (errno == ENOTTY || errno == EINVAL) return RawMode(-1, saved);
    return Error::from_errno("read the terminal's settings");
  }
  termios raw = saved;
  ::cfmakeraw(&raw);
  if (::tcsetattr(fd, TCSANOW, &raw) < 0) return Error::from_errno("set the terminal to raw mode");
  return RawMode(fd, saved);
}

RawMode::~RawMode() {
  if (fd_ >= 0) ::tcsetattr(fd_, TCSANOW, &saved_);
}

}  // namespace stack::runtime::sys
