// Users and groups as the container sees them: parsed from the container's own /etc/passwd and
// /etc/group (never the host's), resolved like docker and runc do.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/container/config.hpp"

namespace stack::runtime {

struct PasswdEntry {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string shell;
};

struct GroupEntry {
  std::string name;
  gid_t gid = 0;
  std::vector<std::string> members;
};

// Malformed lines are skipped, as libc does.
std::vector<PasswdEntry> parse_passwd(std::string_view text);
std::vector<GroupEntry> parse_group(std::string_view text);

struct ResolvedUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> supplementary;  // groups that list the user as a member
  std::string home = "/";
};

// spec: "", "name", "uid", "uid:gid", "name:group", "uid:group", "name:gid". A name that is not in
// the files is an error; a number that is not there is used as is (gid 0 when no group is given).
Result<ResolvedUser> resolve_user(std::string_view spec, std::string_view passwd,
                                  std::string_view group);

// Adds groups (names from the group file, or gids as they are) to the supplementary groups, as
// docker's --group-add; an unknown name is an error naming it.
Result<void> add_groups(ResolvedUser& user, const std::vector<std::string>& groups, std::string_view group_text);

// Reads <root>/etc/passwd and <root>/etc/group (absence is an empty file), resolves spec and adds
// the additional groups.
Result<ResolvedUser> resolve_user_in_root(std::string_view spec, const std::string& root,
                                          const std::vector<std::string>& additional_groups = {});

// setgroups, setresgid, setresuid; keeps capabilities across the switch (PR_SET_KEEPCAPS).
Result<void> switch_user(const ResolvedUser& user);

// Adds HOME=<home> to env when it is not set, as docker does.
void add_home(std::vector<std::string>& env, const ResolvedUser& user);

}  // namespace stack::runtime
