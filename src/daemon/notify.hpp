// The daemon's side of systemd's service protocol, through libsystemd's sd_notify: READY=1 after
// the first pass over every project, STATUS= one line, WATCHDOG=1 from the main loop,
// RELOADING=1 (with MONOTONIC_USEC) on SIGHUP, STOPPING=1 on SIGTERM, EXTEND_TIMEOUT_USEC= while
// the first passes run long (pulls). Without NOTIFY_SOCKET every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace stack::daemon {

class Notifier {
 public:
  Notifier();

  void ready(const std::string& status);
  void status(const std::string& line);  // sent only when it changed
  void watchdog();
  void reloading();
  void stopping();
  void extend_timeout(std::chrono::microseconds by);

  // WATCHDOG_USEC for this process (sd_watchdog_enabled), when systemd asks for pings.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

 private:
  void send(const std::string& message);

  std::optional<std::chrono::microseconds> watchdog_;
  std::string last_status_;
};

}  // namespace stack::daemon
