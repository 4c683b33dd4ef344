#include "daemon/daemon_record.hpp"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "util/atomic_file.hpp"
#include "util/fd.hpp"

namespace stack::daemon {

using util::Errc;
using util::Error;
using util::Result;

std::string daemon_dir(const std::string& root) { return root + "/daemon"; }

namespace {

std::string record_file(const std::string& root) { return daemon_dir(root) + "/daemon.json"; }

}  // namespace

Result<DaemonRecord> load_record(const std::string& root) {
  auto text = util::read_file(record_file(root));
  if (!text) {
    if (text.error().code() == Errc::not_found || text.error().sys_errno() == ENOENT) return DaemonRecord{};
    return std::move(text).error();
  }
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error(Errc::parse, "'" + record_file(root) + "' is not JSON");
  DaemonRecord record;
  record.boot_id = j.value("boot_id", "");
  if (j.contains("applied") && j["applied"].is_object()) {
    for (const auto& [key, project] : j["applied"].items()) {
      if (project.is_string()) record.applied[key] = project.get<std::string>();
    }
  }
  return record;
}

Result<void> save_record(const std::string& root, const DaemonRecord& record) {
  std::error_code ec;
  std::filesystem::create_directories(daemon_dir(root), ec);
  if (ec) return Error(Errc::io, "create '" + daemon_dir(root) + "': " + ec.message());
  nlohmann::json j = {{"boot_id", record.boot_id}, {"applied", record.applied}};
  return util::write_file_atomic(record_file(root), j.dump(2) + "\n", util::Durability::power_loss);
}

std::string current_boot_id() {
  auto text = util::read_file("/proc/sys/kernel/random/boot_id");
  if (!text) return "";
  std::string id = *text;
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

}  // namespace stack::daemon
