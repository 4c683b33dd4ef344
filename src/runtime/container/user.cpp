#include "runtime/container/user.hpp"

#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "runtime/sys/process.hpp"
#include "util/fd.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

template <class F>
void for_each_line(std::string_view text, F&& f) {
  for (auto line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    f(line);
  }
}

std::optional<std::uint32_t> parse_id(std::string_view s) {
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// The group part of a spec: a gid, or a name looked up in /etc/group.
Result<gid_t> resolve_group(std::string_view spec, const std::vector<GroupEntry>& groups) {
  for (const auto& g : groups) {
    if (g.name == spec) return g.gid;
  }
  if (auto id = parse_id(spec)) return static_cast<gid_t>(*id);
  return Error(Errc::not_found, "unable to find group '" + std::string(spec) + "'");
}

}  // namespace

std::vector<PasswdEntry> parse_passwd(std::string_view text) {
  std::vector<PasswdEntry> out;
  for_each_line(text, [&](std::string_view line) {
    auto f = split(line, ':');
    if (f.size() < 7) return;
    auto uid = parse_id(f[2]);
    auto gid = parse_id(f[3]);
    if (f[0].empty() || !uid || !gid) return;
    out.push_back({std::string(f[0]), *uid, *gid, std::string(f[5]), std::string(f[6])});
  });
  return out;
}

std::vector<GroupEntry> parse_group(std::string_view text) {
  std::vector<GroupEntry> out;
  for_each_line(text, [&](std::string_view line) {
    auto f = split(line, ':');
    if (f.size() < 4) return;
    auto gid = parse_id(f[2]);
    if (f[0].empty() || !gid) return;
    GroupEntry g{std::string(f[0]), *gid, {}};
    for (auto m : split(f[3], ',')) {
      if (!m.empty()) g.members.emplace_back(m);
    }
    out.push_back(std::move(g));
  });
  return out;
}

Result<ResolvedUser> resolve_user(std::string_view spec, std::string_view passwd_text,
                                  std::string_view group_text) {
  auto users = parse_passwd(passwd_text);
  auto groups = parse_group(group_text);
  std::size_t colon = spec.find(':');
  std::string_view user_part = spec.substr(0, colon);
  if (user_part.empty()) user_part = "0";

  ResolvedUser out;
  const PasswdEntry* entry = nullptr;
  for (const auto& u : users) {
    if (u.name == user_part) entry = &u;
  }
  if (!entry) {
    auto uid = parse_id(user_part);
    if (!uid) return Error(Errc::not_found, "unable to find user '" + std::string(user_part) + "'");
    for (const auto& u : users) {
      if (u.uid == *uid && !entry) entry = &u;
    }
    out.uid = *uid;
  }
  if (entry) {
    out.uid = entry->uid;
    out.gid = entry->gid;
    if (!entry->home.empty()) out.home = entry->home;
  }
  if (colon != std::string_view::npos) {
    STACK_ASSIGN_OR_RETURN(out.gid, resolve_group(spec.substr(colon + 1), groups));
  }
  if (entry) {
    for (const auto& g : groups) {
      bool member = std::find(g.members.begin(), g.members.end(), entry->name) != g.members.end();
      bool seen = std::find(out.supplementary.begin(), out.supplementary.end(), g.gid) !=
                  out.supplementary.end();
      if (member && g.gid != out.gid && !seen) out.supplementary.push_back(g.gid);
    }
  }
  return out;
}

Result<void> add_groups(ResolvedUser& user, const std::vector<std::string>& names, std::string_view group_text) {
  auto groups = parse_group(group_text);
  for (const std::string& name : names) {
    STACK_ASSIGN_OR_RETURN(gid_t gid, resolve_group(name, groups));
    if (std::find(user.supplementary.begin(), user.supplementary.end(), gid) == user.supplementary.end()) {
      user.supplementary.push_back(gid);
    }
  }
  return util::ok();
}

Result<ResolvedUser> resolve_user_in_root(std::string_view spec, const std::string& root,
                                          const std::vector<std::string>& additional_groups) {
  auto read_or_empty = [](const std::string& path) -> Result<std::string> {
    auto text = util::read_file(path);
    if (!text && text.error().code() == Errc::not_found) return std::string();
    return text;
  };
  std::string base = root == "/" ? "" : root;
  STACK_ASSIGN_OR_RETURN(std::string passwd, read_or_empty(base + "/etc/passwd"));
  STACK_ASSIGN_OR_RETURN(std::string group, read_or_empty(base + "/etc/group"));
  // The messages name the user or group; the subject says which setting the caller should name.
  STACK_ASSIGN_OR_RETURN(ResolvedUser user, resolve_user(spec, passwd, group));
  if (auto added = add_groups(user, additional_groups, group); !added) {
    return std::move(added).error().with_subject("group_add");
  }
  return user;
}

Result<void> switch_user(const ResolvedUser& user) {
  // Capabilities are recomputed by the capabilities step; keep them through the uid change.
  STACK_TRY(sys::set_keep_caps(true));
  if (::setgroups(user.supplementary.size(), user.supplementary.data()) < 0) {
    return Error::from_errno("setgroups");
  }
  if (::setresgid(user.gid, user.gid, user.gid) < 0) {
    return Error::from_errno("setgid " + std::to_string(user.gid));
  }
  if (::setresuid(user.uid, user.uid, user.uid) < 0) {
    return Error::from_errno("setuid " + std::to_string(user.uid));
  }
  return sys::set_keep_caps(false);
}

void add_home(std::vector<std::string>& env, const ResolvedUser& user) {
  bool has = std::any_of(env.begin(), env.end(),
                         [](const std::string& e) { return e.rfind("HOME=", 0) == 0; });
  if (!has) env.push_back("HOME=" + user.home);
}

}  // namespace stack::runtime
