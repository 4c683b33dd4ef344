#include "runtime/interactive.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>

#include <csignal>

#include "runtime/sys/terminal.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;
using util::UniqueFd;

namespace {

// Output written just before the process ended may still be on its way through the terminal.
constexpr int kDrainTimeoutMs = 200;

int g_winch_pipe = -1;

void on_winch(int) {
  int saved = errno;
  char byte = 1;
  (void)!::write(g_winch_pipe, &byte, 1);
  errno = saved;
}

// SIGWINCH -> a byte on a pipe, for the poll loop; the previous action comes back on destruction.
class WinchPipe {
 public:
  static Result<WinchPipe> install() {
    STACK_ASSIGN_OR_RETURN(util::Pipe pipe, util::Pipe::make(O_CLOEXEC | O_NONBLOCK));
    WinchPipe w(std::move(pipe));
    g_winch_pipe = w.pipe_.write.get();
    struct sigaction sa {};
    sa.sa_handler = on_winch;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (::sigaction(SIGWINCH, &sa, &w.previous_) != 0) return Error::from_errno("sigaction SIGWINCH");
    w.installed_ = true;
    return w;
  }
  WinchPipe(WinchPipe&& o) noexcept
      : pipe_(std::move(o.pipe_)), previous_(o.previous_), installed_(o.installed_) {
    o.installed_ = false;
  }
  ~WinchPipe() {
    if (installed_) ::sigaction(SIGWINCH, &previous_, nullptr);
  }
  int fd() const { return pipe_.read.get(); }
  // True if a signal came since the last call.
  bool take() const {
    char buf[64];
    bool got = false;
    while (::read(pipe_.read.get(), buf, sizeof buf) > 0) got = true;
    return got;
  }

 private:
  explicit WinchPipe(util::Pipe pipe) : pipe_(std::move(pipe)) {}
  util::Pipe pipe_;
  struct sigaction previous_ {};
  bool installed_ = false;
};

// What the terminal takes as end of input (^D unless changed).
char eof_char(int master) {
  termios t{};
  if (::tcgetattr(master, &t) == 0 && t.c_cc[VEOF] != 0) return static_cast<char>(t.c_cc[VEOF]);
  return '\x04';
}

// One direction, master -> out. False once the terminal has no writer left (EIO/hang-up).
Result<bool> pump_output(int master, int out_fd) {
  char buf[16384];
  ssize_t n = ::read(master, buf, sizeof buf);
  if (n > 0) {
    STACK_TRY(util::write_all(out_fd, std::string_view(buf, static_cast<std::size_t>(n))));
    return true;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
  return false;  // 0 or EIO: every slave descriptor is closed
}

struct Relay {
  int master;
  int in_fd;
  int out_fd;
  bool in_open = true;
  bool master_open = true;
  std::string pending;  // input not yet taken by the terminal

  void read_input() {
    char buf[4096];
    ssize_t n = ::read(in_fd, buf, sizeof buf);
    if (n > 0) {
      pending.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      in_open = false;
      pending.push_back(eof_char(master));
    }
  }

  void write_pending() {
    ssize_t n = ::write(master, pending.data(), pending.size());
    if (n > 0) pending.erase(0, static_cast<std::size_t>(n));
    if (n < 0 && errno != EAGAIN && errno != EINTR) pending.clear();  // nobody reads any more
  }

  // After the process ended: what it wrote last, bounded in time.
  Result<void> drain() {
    while (master_open) {
      pollfd p{master, POLLIN, 0};
      if (::poll(&p, 1, kDrainTimeoutMs) <= 0) break;
      STACK_ASSIGN_OR_RETURN(master_open, pump_output(master, out_fd));
    }
    return util::ok();
  }
};

}  // namespace

Result<int> relay_terminal(TerminalProcess& process, int in_fd, int out_fd) {
  int master = process.master.get();
  int flags = ::fcntl(master, F_GETFL);
  if (flags < 0 || ::fcntl(master, F_SETFL, flags | O_NONBLOCK) < 0) {
    return Error::from_errno("fcntl the terminal");
  }
  STACK_ASSIGN_OR_RETURN(UniqueFd pidfd, util::open_pidfd(process.process.pid()));
  STACK_ASSIGN_OR_RETURN(WinchPipe winch, WinchPipe::install());
  STACK_ASSIGN_OR_RETURN(sys::RawMode raw, sys::RawMode::enter(in_fd));
  STACK_TRY(sys::copy_window_size(in_fd, master));
  Relay r{master, in_fd, out_fd};
  for (;;) {
    auto master_events = static_cast<short>(POLLIN | (r.pending.empty() ? 0 : POLLOUT));
    pollfd fds[4] = {{r.in_open && r.pending.empty() ? in_fd : -1, POLLIN, 0},
                     {r.master_open ? master : -1, master_events, 0},
                     {winch.fd(), POLLIN, 0},
                     {pidfd.get(), POLLIN, 0}};
    if (::poll(fds, 4, -1) < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("poll");
    }
    if (fds[2].revents != 0 && winch.take()) STACK_TRY(sys::copy_window_size(in_fd, master));
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      STACK_ASSIGN_OR_RETURN(r.master_open, pump_output(master, out_fd));
    }
    if (fds[1].revents & POLLOUT) r.write_pending();
    if (fds[0].revents != 0) r.read_input();
    if (fds[3].revents != 0) break;
  }
  STACK_TRY(r.drain());
  STACK_ASSIGN_OR_RETURN(util::ExitStatus status, process.process.wait());
  return status.signal != 0 ? 128 + status.signal : status.code;
}

Result<int> exec_interactive(Runtime& runtime, const std::string& id, ExecConfig config, int in_fd,
                             int out_fd) {
  config.tty = true;
  STACK_ASSIGN_OR_RETURN(TerminalProcess process, runtime.exec_terminal(id, config));
  return relay_terminal(process, in_fd, out_fd);
}

}  // namespace stack::runtime
