#include "daemon/stacks_dir.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

namespace stack::daemon {

namespace fs = std::filesystem;

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

const std::vector<std::string>& default_stack_file_names() {
  static const std::vector<std::string> names = {"compose.yaml", "compose.yml", "docker-compose.yaml",
                                                 "docker-compose.yml", "stack.yaml", "stack.yml"};
  return names;
}

bool ignored(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.front() == '#') return true;
  for (std::string_view suffix : {"~", ".swp", ".swx", ".tmp", ".bak", ".orig", ".dpkg-new", ".dpkg-old"}) {
    if (ends_with(name, suffix)) return true;
  }
  return false;
}

std::string key_of_file(std::string_view name) {
  if (ignored(name)) return "";
  for (std::string_view ext : {".yaml", ".yml"}) {
    if (ends_with(name, ext) && name.size() > ext.size()) return std::string(name.substr(0, name.size() - ext.size()));
  }
  return "";
}

util::Result<std::vector<StackSource>> scan_stacks_dir(const std::string& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return util::fail(util::Errc::io, "reading stacks directory '" + dir + "': " + ec.message(), ec.value());
  std::map<std::string, StackSource> by_key;
  for (fs::directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return util::fail(util::Errc::io, "reading stacks directory '" + dir + "': " + ec.message(), ec.value());
    const std::string name = it->path().filename().string();
    if (ignored(name)) continue;
    if (it->is_directory(ec)) {
      for (const std::string& file : default_stack_file_names()) {
        fs::path candidate = it->path() / file;
        if (fs::is_regular_file(candidate, ec)) {
          by_key[name] = {name, {candidate.string()}, it->path().string()};
          break;
        }
      }
      continue;
    }
    std::string key = key_of_file(name);
    if (key.empty() || !it->is_regular_file(ec)) continue;
    if (by_key.count(key) && by_key[key].directory != dir) continue;  // NAME/ wins over NAME.yaml
    by_key[key] = {key, {it->path().string()}, dir};
  }
  std::vector<StackSource> out;
  for (auto& [key, source] : by_key) out.push_back(std::move(source));
  return out;
}

}  // namespace stack::daemon
