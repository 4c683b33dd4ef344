#include "runtime/shim/log_pump.hpp"

#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

namespace stack::runtime::shim {

using util::Error;

util::Result<std::pair<util::UniqueFd, util::UniqueFd>> LogPump::open_pipes() {
  STACK_ASSIGN_OR_RETURN(util::Pipe out, util::Pipe::make(O_CLOEXEC));
  STACK_ASSIGN_OR_RETURN(util::Pipe err, util::Pipe::make(O_CLOEXEC));
  // Only the read ends are non-blocking: the container's writes block as usual when it outruns us.
  for (int fd : {out.read.get(), err.read.get()}) {
    if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
      return Error::from_errno("fcntl O_NONBLOCK");
    }
  }
  out_.read = std::move(out.read);
  err_.read = std::move(err.read);
  return std::make_pair(std::move(out.write), std::move(err.write));
}

void LogPump::use_terminal(util::UniqueFd master) {
  if (master) (void)::fcntl(master.get(), F_SETFL, ::fcntl(master.get(), F_GETFL) | O_NONBLOCK);
  out_.read = std::move(master);
  err_.read.reset();
}

int LogPump::fd(Stream stream) const {
  return stream == Stream::out ? out_.read.get() : err_.read.get();
}

util::Result<void> LogPump::log(Stream stream, std::string_view text) {
  std::string time = now_rfc3339_nano();
  for (const std::string& entry : channel(stream).splitter.feed(text)) {
    STACK_TRY(file_.write(encode_log_entry(entry, name(stream), time)));
  }
  return util::ok();
}

util::Result<bool> LogPump::pump(Stream stream) {
  Channel& c = channel(stream);
  if (!c.read) return false;
  char buf[16 * 1024];
  // A bounded number of reads per wake-up, so that one chatty stream cannot starve the other.
  for (int round = 0; round < 4; ++round) {
    ssize_t n = ::read(c.read.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    if (n < 0 && errno == EIO) n = 0;  // a terminal's master once every slave is closed
    if (n < 0) return Error::from_errno(std::string("read ") + name(stream));
    if (n == 0) {
      std::string rest = c.splitter.flush();
      if (!rest.empty()) STACK_TRY(file_.write(encode_log_entry(rest, name(stream), now_rfc3339_nano())));
      c.read.reset();
      return false;
    }
    STACK_TRY(log(stream, std::string_view(buf, static_cast<std::size_t>(n))));
  }
  return true;
}

util::Result<void> LogPump::drain(int timeout_ms) {
  struct timespec start {};
  ::clock_gettime(CLOCK_MONOTONIC, &start);
  while (out_.read || err_.read) {
    struct pollfd fds[2] = {{out_.read.get(), POLLIN, 0}, {err_.read.get(), POLLIN, 0}};
    struct timespec now {};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1'000'000;
    if (spent >= timeout_ms) break;
    int n = ::poll(fds, 2, static_cast<int>(timeout_ms - spent));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents != 0) STACK_TRY(pump(i == 0 ? Stream::out : Stream::err));
    }
  }
  // A writer outside the container still holds a pipe: log what we have and let go.
  for (Stream s : {Stream::out, Stream::err}) {
    Channel& c = channel(s);
    std::string rest = c.splitter.flush();
    if (!rest.empty()) STACK_TRY(file_.write(encode_log_entry(rest, name(s), now_rfc3339_nano())));
    c.read.reset();
  }
  return util::ok();
}

}  // namespace stack::runtime::shim
