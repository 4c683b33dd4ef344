#include "util/git_url.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace stack::util {

namespace {

bool git_is_hex40(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string git_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "ref:subdir", or after a second '#' the CSV form "ref=R,commit=C,subdir=D" (BuildKit's keys).
Result<void> split_git_fragment(std::string_view fragment, std::string_view word, GitSource& src) {
  if (!fragment.starts_with('#')) {
    size_t colon = fragment.find(':');
    src.ref = std::string(fragment.substr(0, colon));
    if (colon != std::string_view::npos) src.subdir = std::string(fragment.substr(colon + 1));
    return util::ok();
  }
  fragment.remove_prefix(1);
  while (!fragment.empty()) {
    size_t comma = fragment.find(',');
    std::string_view field = fragment.substr(0, comma);
    fragment = comma == std::string_view::npos ? std::string_view() : fragment.substr(comma + 1);
    size_t eq = field.find('=');
    if (eq == std::string_view::npos) {
      return fail(Errc::invalid_argument, "'" + std::string(field) + "' in the fragment of '" + std::string(word) + "' is not a key=value pair");
    }
    std::string key = git_lower(field.substr(0, eq));
    std::string value(field.substr(eq + 1));
    if (key == "ref") src.ref = value;
    else if (key == "commit") src.commit = value;
    else if (key == "subdir") src.subdir = value;
    else return fail(Errc::invalid_argument, "unexpected key '" + key + "' in the fragment of '" + std::string(word) + "' (supported keys: ref, commit, subdir)");
  }
  if (src.ref.empty()) src.ref = src.commit;
  return util::ok();
}

// user@host:path, the scp-like form (a user is required: "a:b" stays a local path).
bool scp_like(std::string_view s) {
  size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos) return false;
  size_t colon = s.find(':', at);
  if (colon == std::string_view::npos || colon == at + 1) return false;
  auto user_ok = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; };
  auto host_ok = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'; };
  return std::all_of(s.begin(), s.begin() + static_cast<long>(at), user_ok) &&
         std::all_of(s.begin() + static_cast<long>(at) + 1, s.begin() + static_cast<long>(colon), host_ok);
}
}  // namespace

Result<std::optional<GitSource>> parse_git_source(std::string_view word) {
  GitSource src;
  std::string_view fragment;
  size_t hash = word.find('#');
  std::string_view base = word.substr(0, hash);
  if (hash != std::string_view::npos) fragment = word.substr(hash + 1);
  size_t scheme_end = base.find("://");
  bool scheme = scheme_end != std::string_view::npos && scheme_end > 0 &&
                std::all_of(base.begin(), base.begin() + static_cast<long>(scheme_end),
                            [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
  if (scheme) {
    std::string proto = git_lower(base.substr(0, scheme_end));
    if (proto != "http" && proto != "https" && proto != "git" && proto != "ssh") return std::optional<GitSource>();
    if (proto == "http" || proto == "https") {
      std::string_view rest = base.substr(scheme_end + 3);
      size_t slash = rest.find('/');
      std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
      path = path.substr(0, path.find('?'));
      if (!path.ends_with(".git")) return std::optional<GitSource>();
    }
  } else if (!scp_like(base)) {
    return std::optional<GitSource>();
  }
  src.remote = std::string(base);
  if (!fragment.empty()) STACK_TRY(split_git_fragment(fragment, word, src));
  return std::optional<GitSource>(std::move(src));
}

bool is_git_source(std::string_view word) {
  auto parsed = parse_git_source(word);
  return !parsed || parsed->has_value();  // a malformed fragment is still a git source
}

std::optional<std::string> pick_commit(std::string_view ls_remote, std::string_view ref) {
  if (git_is_hex40(ref)) return git_lower(ref);
  std::string want = ref.empty() ? "HEAD" : std::string(ref);
  const std::vector<std::string> order{want, "refs/" + want, "refs/tags/" + want + "^{}", "refs/tags/" + want,
                                       "refs/heads/" + want};
  std::optional<std::string> best;
  size_t best_rank = order.size();
  while (!ls_remote.empty()) {
    size_t nl = ls_remote.find('\n');
    std::string_view line = ls_remote.substr(0, nl);
    ls_remote = nl == std::string_view::npos ? std::string_view() : ls_remote.substr(nl + 1);
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos || !git_is_hex40(line.substr(0, tab))) continue;
    std::string_view name = line.substr(tab + 1);
    for (size_t i = 0; i < best_rank; ++i) {
      if (name == order[i]) {
        best = std::string(line.substr(0, tab));
        best_rank = i;
        break;
      }
    }
  }
  return best;
}

}  // namespace stack::util
