#include "runtime/container/rlimits.hpp"

#include <sys/resource.h>

#include <cctype>
#include <cerrno>

namespace stack::runtime {

using util::Errc;
using util::Error;

namespace {

constexpr RlimitName kNames[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},       {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},   {"nproc", RLIMIT_NPROC},       {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

std::string show(rlim_t v) { return v == RLIM_INFINITY ? "unlimited" : std::to_string(v); }

}  // namespace

std::span<const RlimitName> rlimit_names() { return kNames; }

std::optional<int> rlimit_from_name(std::string_view name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.rfind("rlimit_", 0) == 0) lower.erase(0, 7);
  for (const auto& n : kNames) {
    if (lower == n.name) return n.resource;
  }
  return std::nullopt;
}

Result<void> check_rlimits(const std::map<std::string, Rlimit>& rlimits) {
  std::string msg;
  for (const auto& [name, limit] : rlimits) {
    std::string problem;
    if (!rlimit_from_name(name)) problem = "rlimit '" + name + "' is unknown";
    else if (limit.soft > limit.hard) problem = "rlimit '" + name + "': soft limit above hard limit";
    if (!problem.empty()) msg += (msg.empty() ? "" : "; ") + problem;
  }
  if (msg.empty()) return util::ok();
  return Error(Errc::invalid_argument, msg);
}

Result<void> apply_rlimits(const std::map<std::string, Rlimit>& rlimits) {
  for (const auto& [name, limit] : rlimits) {
    auto resource = rlimit_from_name(name);
    if (!resource) return Error(Errc::invalid_argument, "rlimit '" + name + "' is unknown");
    rlimit current{};
    ::getrlimit(*resource, &current);
    rlimit wanted{static_cast<rlim_t>(limit.soft), static_cast<rlim_t>(limit.hard)};
    if (::setrlimit(*resource, &wanted) == 0) continue;
    int err = errno;
    std::string what = "setrlimit '" + name + "' to " + show(wanted.rlim_cur) + "/" +
                       show(wanted.rlim_max);
    if (err == EPERM && wanted.rlim_max > current.rlim_max) {
      what += " (above the inherited hard limit " + show(current.rlim_max) + ")";
    }
    return Error::from_errno(what, err);
  }
  return util::ok();
}

}  // namespace stack::runtime
