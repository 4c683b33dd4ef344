#include "build/run_mount.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <tuple>
#include <vector>

#include "image/fs.hpp"
#include "util/bytes.hpp"
#include "util/dir.hpp"
#include "util/file_lock.hpp"
#include "util/sha256.hpp"
#include "util/state_root.hpp"

namespace stack::build {

using util::Errc;
using util::fail;

namespace {

Result<uint32_t> parse_number(std::string_view key, std::string_view text, int base) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return fail(Errc::invalid_argument, "--mount: " + std::string(key) + "='" + std::string(text) + "' is not a number");
  }
  return v;
}

Result<void> apply_option(RunMount& m, std::string_view key, std::string_view value, bool has_value,
                          std::string_view type) {
  auto flag = [&]() -> Result<bool> {
    if (!has_value || value == "true") return true;
    if (value == "false") return false;
    return fail(Errc::invalid_argument, "--mount: " + std::string(key) + "='" + std::string(value) + "': expected true or false");
  };
  if (key == "target" || key == "dst" || key == "destination") {
    m.target = value;
  } else if (key == "id") {
    m.id = value;
  } else if (key == "sharing") {
    if (value == "shared") m.sharing = RunMount::Sharing::shared;
    else if (value == "locked" || value == "private") m.sharing = RunMount::Sharing::locked;
    else return fail(Errc::invalid_argument, "--mount: sharing='" + std::string(value) + "': expected shared, private or locked");
  } else if (key == "ro" || key == "readonly") {
    STACK_ASSIGN_OR_RETURN(m.read_only, flag());
  } else if (key == "rw" || key == "readwrite") {
    STACK_ASSIGN_OR_RETURN(bool rw, flag());
    m.read_only = !rw;
  } else if (key == "mode") {
    STACK_ASSIGN_OR_RETURN(m.mode, parse_number(key, value, 8));
  } else if (key == "uid") {
    STACK_ASSIGN_OR_RETURN(m.uid, parse_number(key, value, 10));
  } else if (key == "gid") {
    STACK_ASSIGN_OR_RETURN(m.gid, parse_number(key, value, 10));
  } else if (key == "size") {
    auto bytes = util::parse_bytes(value);
    if (!bytes || *bytes < 0) return fail(Errc::invalid_argument, "--mount: size='" + std::string(value) + "' is not a size");
    m.size = static_cast<uint64_t>(*bytes);
  } else if (key == "source" || key == "src") {
    m.source = value;
  } else if (key == "from") {
    m.from = value;
  } else if (key == "env" && type == "secret") {
    m.env = value;
  } else if (key == "required") {
    STACK_ASSIGN_OR_RETURN(m.required, flag());
  } else {
    return fail(Errc::invalid_argument, "--mount: unknown option '" + std::string(key) + "'");
  }
  return util::ok();
}

}  // namespace

Result<RunMount> parse_run_mount(std::string_view value) {
  RunMount m;
  std::string type = "bind";  // BuildKit's default
  std::vector<std::tuple<std::string_view, std::string_view, bool>> items;
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string_view key = item.substr(0, eq);
    std::string_view val = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    if (key == "type") {
      type = val;
      continue;
    }
    items.emplace_back(key, val, eq != std::string_view::npos);
  }
  // The type first: it decides the defaults that the options then change.
  if (type == "cache") m.type = RunMount::Type::cache;
  else if (type == "tmpfs") m.type = RunMount::Type::tmpfs;
  else if (type == "bind") m.type = RunMount::Type::bind, m.read_only = true;
  else if (type == "secret") m.type = RunMount::Type::secret, m.mode = 0400;
  else if (type == "ssh") m.type = RunMount::Type::ssh, m.mode = 0600, m.read_only = true;
  else return fail(Errc::invalid_argument, "--mount: unknown type '" + type + "' (cache, tmpfs, bind, secret or ssh)");
  for (const auto& [key, val, has_value] : items) STACK_TRY(apply_option(m, key, val, has_value, type));
  auto only_for = [&](bool given, const char* option, std::string_view types) -> Result<void> {
    // types: one type, or "bind|cache"
    bool applies = types == type || types.starts_with(type + "|") || types.ends_with("|" + type);
    if (given && !applies) return fail(Errc::invalid_argument, "--mount: " + std::string(option) + "= does not apply to type=" + type);
    return util::ok();
  };
  STACK_TRY(only_for(!m.source.empty(), "source", "bind|cache"));
  STACK_TRY(only_for(!m.from.empty(), "from", "bind|cache"));
  STACK_TRY(only_for(m.size != 0, "size", "tmpfs"));
  STACK_TRY(only_for(m.required, "required", "secret|ssh"));
  if (m.type == RunMount::Type::ssh) {
    // The agent's own socket is mounted (not a proxy of it, as BuildKit's): its owner and mode
    // are the agent's, so these options could not be honoured.
    if (m.mode != 0600 || m.uid != 0 || m.gid != 0) {
      return fail(Errc::unsupported, "--mount: type=ssh: uid, gid and mode are not supported (the agent's own socket is mounted)");
    }
    if (m.id.empty()) m.id = "default";
    return m;  // no target: /run/buildkit/ssh_agent.N, N its place among the step's ssh mounts
  }
  if (m.type == RunMount::Type::secret) {
    if (m.id.empty() && m.target.empty()) return fail(Errc::invalid_argument, "--mount: type=secret needs an id or a target");
    if (m.id.empty()) m.id = std::filesystem::path(m.target).filename().string();
    if (m.target.empty() && m.env.empty()) m.target = "/run/secrets/" + m.id;
    return m;
  }
  if (m.target.empty()) return fail(Errc::invalid_argument, "--mount: type=" + type + " needs a target");
  if (m.id.empty()) m.id = m.target;
  return m;
}

Result<CacheDir> open_cache_dir(const std::string& root, const RunMount& mount, const CacheSeed* seed) {
  CacheDir out;
  std::string parent = util::StateRoot(root).build_cache_mounts();
  STACK_TRY(image::make_dirs(parent, 0700));
  // With from=, one directory per id and seed (BuildKit keys it "id:ref" the same way): another
  // stage's files start another cache.
  std::string key = seed ? mount.id + '\0' + seed->key : mount.id;
  out.path = parent + "/" + util::sha256_hex(key).substr(0, 32);
  if (seed && !image::path_exists(out.path)) {
    // Filled aside, then renamed into place: a build that sees the directory sees all of it; of
    // two builds seeding at once, the second one's copy is dropped.
    std::string aside = parent + "/.seed-" + util::sha256_hex(key + std::to_string(::getpid())).substr(0, 16);
    STACK_TRY(util::remove_tree(aside));
    auto filled = seed->fill(aside);
    if (filled && ::rename(aside.c_str(), out.path.c_str()) != 0 && errno != EEXIST && errno != ENOTEMPTY) {
      filled = util::Error::from_errno("cache mount '" + mount.id + "': rename '" + aside + "'");
    }
    (void)util::remove_tree(aside);
    STACK_TRY(filled);
  }
  if (::mkdir(out.path.c_str(), 0700) == 0) {
    // Owner and mode as the mount says, set once: the contents belong to the steps after that.
    if (::chown(out.path.c_str(), mount.uid, mount.gid) != 0 || ::chmod(out.path.c_str(), mount.mode) != 0) {
      int err = errno;
      ::rmdir(out.path.c_str());
      return util::Error::from_errno("cache mount '" + mount.id + "'", err);
    }
  } else if (errno != EEXIST) {
    return util::Error::from_errno("mkdir '" + out.path + "'");
  }
  if (mount.sharing == RunMount::Sharing::locked) {
    auto lock = util::FileLock::acquire_directory(out.path);
    if (!lock) return std::move(lock).error().context("cache mount '" + mount.id + "'");
    out.lock = std::move(*lock).release();
  }
  return out;
}

}  // namespace stack::build
