#include "build/rootfs_view.hpp"

#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "build/glob.hpp"
#include "util/dir.hpp"

namespace stack::build {

using util::Errc;
using util::fail;

namespace {

bool is_whiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0); }

bool is_opaque(const std::string& dir) {
  char v[4];
  ssize_t n = ::lgetxattr(dir.c_str(), "trusted.overlay.opaque", v, sizeof v);
  return n == 1 && v[0] == 'y';
}

std::string join(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  return std::string(a) + "/" + std::string(b);
}

}  // namespace

std::optional<ViewEntry> RootfsView::lookup(std::string_view path) const {
  auto parts = split_path(path);
  for (const std::string& layer : layers_) {
    // A parent that this layer hides (whiteout or non-directory) ends the search; an opaque parent
    // ends it after this layer.
    bool last_layer = false;
    std::string p = layer;
    for (size_t i = 0; i < parts.size(); ++i) {
      struct stat st {};
      bool found = ::lstat(p.c_str(), &st) == 0;
      if (i > 0 && found && (is_whiteout(st) || !S_ISDIR(st.st_mode))) return std::nullopt;
      if (found && S_ISDIR(st.st_mode) && is_opaque(p)) last_layer = true;
      p += "/" + std::string(parts[i]);
    }
    ViewEntry e{p, {}};
    if (::lstat(p.c_str(), &e.st) == 0) {
      if (is_whiteout(e.st)) return std::nullopt;
      return e;
    }
    if (last_layer) return std::nullopt;
  }
  return std::nullopt;
}

Result<std::string> RootfsView::resolve(std::string_view path, bool follow_last) const {
  std::vector<std::string> done;
  std::vector<std::string> todo;
  for (auto p : split_path(path)) todo.emplace_back(p);
  std::reverse(todo.begin(), todo.end());
  int hops = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    std::string current;
    for (const auto& d : done) current = join(current, d);
    current = join(current, part);
    auto e = lookup(current);
    if (e && S_ISLNK(e->st.st_mode) && (follow_last || !todo.empty())) {
      if (++hops > 40) return fail(Errc::invalid_argument, "too many symlinks resolving '/" + std::string(path) + "'");
      std::vector<char> buf(4096);
      ssize_t n = ::readlink(e->host_path.c_str(), buf.data(), buf.size());
      if (n < 0) return util::Error::from_errno("readlink '" + e->host_path + "'");
      std::string target(buf.data(), static_cast<size_t>(n));
      if (target.starts_with("/")) done.clear();
      auto tparts = split_path(target);
      for (auto it = tparts.rbegin(); it != tparts.rend(); ++it) todo.emplace_back(*it);
      continue;
    }
    done.push_back(part);
  }
  std::string out;
  for (const auto& d : done) out = join(out, d);
  return out;
}

std::vector<std::string> RootfsView::list(std::string_view dir) const {
  std::set<std::string> names;
  std::set<std::string> hidden;
  auto parts = split_path(dir);
  for (const std::string& layer : layers_) {
    std::string p = layer;
    bool blocked = false;
    for (auto part : parts) {
      struct stat st {};
      if (::lstat(p.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) blocked = true;
      p += "/" + std::string(part);
    }
    struct stat st {};
    if (blocked || ::lstat(p.c_str(), &st) != 0) continue;
    if (!S_ISDIR(st.st_mode)) break;
    if (auto d = util::DirStream::open(p)) {
      while (const dirent* de = d->next()) {
        std::string n = de->d_name;
        if (hidden.count(n)) continue;
        struct stat cst {};
        if (::lstat((p + "/" + n).c_str(), &cst) == 0 && is_whiteout(cst)) {
          hidden.insert(n);
          continue;
        }
        names.insert(n);
      }
    }
    if (is_opaque(p)) break;
  }
  return {names.begin(), names.end()};
}

std::optional<std::string> RootfsView::read_small_file(std::string_view path) const {
  auto e = lookup(path);
  if (!e || !S_ISREG(e->st.st_mode)) return std::nullopt;
  std::ifstream in(e->host_path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 10 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

Result<unsigned long> id_number(const std::string& text, const std::string& what) {
  if (!all_digits(text)) return fail(Errc::invalid_argument, "--chown: " + what + " '" + text + "' is not a valid id");
  return std::stoul(text);
}

// Field 2 (uid/gid) and 3 (gid of a passwd line) of the line whose first field is name.
std::optional<std::vector<std::string>> find_line(const std::optional<std::string>& file, const std::string& name) {
  if (!file) return std::nullopt;
  std::istringstream in(*file);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    std::string field;
    while (std::getline(ls, field, ':')) f.push_back(field);
    if (f.size() >= 3 && f[0] == name) return f;
  }
  return std::nullopt;
}

}  // namespace

Result<std::pair<uid_t, gid_t>> resolve_chown(const RootfsView& view, const std::string& spec) {
  size_t colon = spec.find(':');
  std::string user = spec.substr(0, colon);
  std::string group = colon == std::string::npos ? "" : spec.substr(colon + 1);
  uid_t uid = 0;
  gid_t gid = 0;
  if (all_digits(user)) {
    STACK_ASSIGN_OR_RETURN(unsigned long u, id_number(user, "user"));
    uid = static_cast<uid_t>(u);
    gid = static_cast<gid_t>(u);
  } else {
    auto f = find_line(view.read_small_file("etc/passwd"), user);
    if (!f || f->size() < 4) return fail(Errc::not_found, "--chown: unable to find user '" + user + "' in /etc/passwd");
    STACK_ASSIGN_OR_RETURN(unsigned long u, id_number((*f)[2], "uid of user '" + user + "'"));
    STACK_ASSIGN_OR_RETURN(unsigned long g, id_number((*f)[3], "gid of user '" + user + "'"));
    uid = static_cast<uid_t>(u);
    gid = static_cast<gid_t>(g);
  }
  if (!group.empty()) {
    if (all_digits(group)) {
      STACK_ASSIGN_OR_RETURN(unsigned long g, id_number(group, "group"));
      gid = static_cast<gid_t>(g);
    } else {
      auto f = find_line(view.read_small_file("etc/group"), group);
      if (!f) return fail(Errc::not_found, "--chown: unable to find group '" + group + "' in /etc/group");
      STACK_ASSIGN_OR_RETURN(unsigned long g, id_number((*f)[2], "gid of group '" + group + "'"));
      gid = static_cast<gid_t>(g);
    }
  }
  return std::make_pair(uid, gid);
}

}  // namespace stack::build
