// The daemon's side of systemd's service protocol, through libsystemd's sd_notify: READY=1 after
// the first pass over every project, STATUS= one line, WATCHDOG=1 from the main loop,
// RELOADING=1 (with MONOTONIC_USEC) on SIGHUP, STOPPING=1 on SIGTERM, EXTEND_TIMEOUT_USEC= while
// the first passes run long (pulls). Without NOTIFY_SOCKET every call does nothing.
//
// libsystemd is opened (util::SharedLibrary) only when systemd talks to this process: linked into
// `stack`, it and the six libraries it needs (libgcrypt, libzstd, liblzma, ...) were loaded by every
// command, each DNS server included (docs/performance.md, "DNS server").
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace stack::daemon {

class Notifier {
 public:
  Notifier();
  ~Notifier();
  Notifier(Notifier&&) noexcept;
  Notifier& operator=(Notifier&&) noexcept;

  void ready(const std::string& status);
  void status(const std::string& line);  // sent only when it changed
  void watchdog();
  void reloading();
  void stopping();
  void extend_timeout(std::chrono::microseconds by);

  // WATCHDOG_USEC for this process (sd_watchdog_enabled), when systemd asks for pings.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

  // Why the protocol cannot be spoken although systemd asked for it (libsystemd missing); "" if
  // it can, or was not asked for.
  const std::string& unavailable() const { return unavailable_; }

  struct Api;  // libsystemd's entry points (notify.cpp)

 private:
  void send(const std::string& message);

  std::unique_ptr<Api> api_;  // null without NOTIFY_SOCKET and WATCHDOG_USEC
  std::string unavailable_;
  std::optional<std::chrono::microseconds> watchdog_;
  std::string last_status_;
};

}  // namespace stack::daemon
