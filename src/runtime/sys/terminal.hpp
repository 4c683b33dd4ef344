// Pseudo-terminals, thinly: open a pair from the /dev/ptmx of the current mount namespace, make the
// slave the controlling terminal of a new session, pass a descriptor over a unix socket
// (SCM_RIGHTS), put a terminal in raw mode for the time of a relay, copy window sizes.
#pragma once

#include <termios.h>

#include <optional>

#include "util/fd.hpp"

namespace stack::runtime::sys {

using util::Result;

struct Pty {
  util::UniqueFd master;
  util::UniqueFd slave;
};

// posix_openpt on /dev/ptmx (O_NOCTTY), unlocked; the slave through TIOCGPTPEER, so that it is the
// peer of this master even when /dev/pts is not the devpts instance of that ptmx.
Result<Pty> open_pty();

// setsid(), then TIOCSCTTY: the slave becomes the controlling terminal of the new session.
Result<void> make_controlling_terminal(int slave);

// One descriptor as SCM_RIGHTS with a one-byte message.
Result<void> send_fd(int socket, int fd);
// nullopt when the peer closed the socket without sending one.
Result<std::optional<util::UniqueFd>> receive_fd(int socket);

// Sets TIOCGWINSZ of from on to (TIOCSWINSZ; the kernel then signals SIGWINCH to the foreground
// process group of to). A from that is not a terminal is not an error: nothing is copied.
Result<void> copy_window_size(int from, int to);

// cfmakeraw on a terminal for the guard's lifetime; the previous settings come back on destruction.
// On a descriptor that is not a terminal it does nothing.
class RawMode {
 public:
  static Result<RawMode> enter(int fd);
  RawMode(RawMode&& other) noexcept : fd_(other.fd_), saved_(other.saved_) { other.fd_ = -1; }
  RawMode& operator=(RawMode&&) = delete;
  RawMode(const RawMode&) = delete;
  ~RawMode();

 private:
  RawMode(int fd, const termios& saved) : fd_(fd), saved_(saved) {}
  int fd_ = -1;
  termios saved_{};
};

}  // namespace stack::runtime::sys
