// The observed state of one container, written by its shim to <root>/containers/<id>/state.json
// (atomically) at every transition, and read by the Runtime. Times are RFC 3339 with nanoseconds.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/proxy/forward.hpp"
#include "util/result.hpp"

namespace stack::runtime::shim {

// stopped: ended because the user asked (stop); exited: ended on its own and stays down.
enum class Status { created, running, restarting, exited, stopped };

enum class HealthStatus { starting, healthy, unhealthy };

struct Health {
  HealthStatus status = HealthStatus::starting;
  int failing_streak = 0;
  std::string last_output;  // of the last probe, at most 4 KiB
  bool operator==(const Health&) const = default;
};

struct ContainerState {
  Status status = Status::created;
  pid_t pid = 0;       // the container's PID 1, in the host's PID namespace; 0 when not running
  pid_t shim_pid = 0;
  // The shim's start time in clock ticks since boot (/proc/<pid>/stat): with shim_pid, the identity
  // of that one process, so that a recycled pid is never taken for it. 0 in states of older shims.
  std::uint64_t shim_start_ticks = 0;
  std::string started_at;
  std::string finished_at;
  int exit_code = 0;   // 128 + signal when killed
  int signal = 0;
  bool oom_killed = false;
  int restart_count = 0;
  std::optional<Health> health;
  std::string error;   // one line, when setup failed or the shim died
  util::Errc error_code = util::Errc::io;  // the kind of that error, kept across the process boundary
  std::string error_subject;  // and what failed (util::Error::subject), e.g. the setup step "user"
  bool shim_died = false;  // exited because its shim died, not by its own or the user's doing
  std::vector<net::proxy::Forward> ports;  // the published ports as bound (a range's pick, the kernel's)
  // Not stored: set by the Runtime when it found the shim process alive.
  bool shim_alive = false;

  bool operator==(const ContainerState&) const = default;
};

// exited and stopped are final: no shim supervises the container any more.
bool is_final(Status status);

const char* status_name(Status status);
const char* health_status_name(HealthStatus status);

std::string encode_state(const ContainerState& state);
util::Result<ContainerState> decode_state(const std::string& text);

util::Result<void> write_state(const std::string& path, const ContainerState& state);
// Absence is Errc::not_found.
util::Result<ContainerState> read_state(const std::string& path);

}  // namespace stack::runtime::shim
