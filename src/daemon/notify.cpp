#include "daemon/notify.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>
#include <cstdlib>

#include "util/shared_library.hpp"

namespace stack::daemon {

struct Notifier::Api {
  util::SharedLibrary library;
  decltype(&sd_notify) notify = nullptr;
  decltype(&sd_watchdog_enabled) watchdog_enabled = nullptr;
};

namespace {

util::Result<std::unique_ptr<Notifier::Api>> open_api() {
  auto api = std::make_unique<Notifier::Api>();
  STACK_ASSIGN_OR_RETURN(api->library, util::SharedLibrary::open("libsystemd.so.0", "libsystemd0"));
  STACK_TRY(api->library.bind("sd_notify", api->notify));
  STACK_TRY(api->library.bind("sd_watchdog_enabled", api->watchdog_enabled));
  return api;
}

}  // namespace

Notifier::Notifier() {
  if (std::getenv("NOTIFY_SOCKET") == nullptr && std::getenv("WATCHDOG_USEC") == nullptr) return;
  auto api = open_api();
  if (!api) {
    unavailable_ = "systemd's notifications: " + api.error().message();
    return;
  }
  api_ = std::move(*api);
  std::uint64_t usec = 0;
  // unset_environment = 0: the helpers this process starts (shims, DNS servers) do not speak the
  // protocol, so leaving the variables set is harmless.
  if (api_->watchdog_enabled(0, &usec) > 0 && usec > 0) watchdog_ = std::chrono::microseconds(usec);
}

Notifier::~Notifier() = default;
Notifier::Notifier(Notifier&&) noexcept = default;
Notifier& Notifier::operator=(Notifier&&) noexcept = default;

void Notifier::send(const std::string& message) {
  if (api_) (void)api_->notify(0, message.c_str());
}

void Notifier::ready(const std::string& status) {
  last_status_ = status;
  send("READY=1\nSTATUS=" + status);
}

void Notifier::status(const std::string& line) {
  if (line == last_status_) return;
  last_status_ = line;
  send("STATUS=" + line);
}

void Notifier::watchdog() { send("WATCHDOG=1"); }

void Notifier::reloading() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const std::uint64_t usec = static_cast<std::uint64_t>(ts.tv_sec) * 1000000u + static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void Notifier::stopping() { send("STOPPING=1"); }

void Notifier::extend_timeout(std::chrono::microseconds by) {
  send("EXTEND_TIMEOUT_USEC=" + std::to_string(by.count()));
}

}  // namespace stack::daemon
