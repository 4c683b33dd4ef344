#include "util/git_url.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace stack::util {

namespace {

bool git_is_hex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

bool git_is_hex40(std::string_view s) { return s.size() == 40 && git_is_hex(s); }

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
    else if (key == "commit") src.commit = git_lower(value);
    else if (key == "subdir") src.subdir = value;
    else return fail(Errc::invalid_argument, "unexpected key '" + key + "' in the fragment of '" + std::string(word) + "' (supported keys: ref, commit, subdir)");
  }
  if (!src.commit.empty() && !git_is_hex(src.commit)) {
    return fail(Errc::invalid_argument, "commit '" + src.commit + "' in the fragment of '" + std::string(word) + "' is no commit id (hex digits)");
  }
  // A full commit id is also the ref when none is given; a prefix is checked against the remote's
  // HEAD (BuildKit fetches nothing by a prefix: no server resolves one).
  if (src.ref.empty() && git_is_hex40(src.commit)) src.ref = src.commit;
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
  auto m = match_ref(ls_remote, ref);
  return m ? std::optional<std::string>(std::move(m->commit)) : std::nullopt;
}

std::optional<RefMatch> match_ref(std::string_view ls_remote, std::string_view ref) {
  if (git_is_hex40(ref)) return RefMatch{git_lower(ref), ""};
  std::string want = ref.empty() ? "HEAD" : std::string(ref);
  const std::string tag = "refs/tags/" + want;
  const std::vector<std::string> order{want, "refs/" + want, tag + "^{}", tag, "refs/heads/" + want};
  std::optional<RefMatch> best;
  std::string tag_object;
  size_t best_rank = order.size();
  while (!ls_remote.empty()) {
    size_t nl = ls_remote.find('\n');
    std::string_view line = ls_remote.substr(0, nl);
    ls_remote = nl == std::string_view::npos ? std::string_view() : ls_remote.substr(nl + 1);
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos || !git_is_hex40(line.substr(0, tab))) continue;
    std::string_view name = line.substr(tab + 1);
    if (name == tag) tag_object = std::string(line.substr(0, tab));
    for (size_t i = 0; i < best_rank; ++i) {
      if (name == order[i]) {
        best = RefMatch{std::string(line.substr(0, tab)), ""};
        best_rank = i;
        break;
      }
    }
  }
  // The tag object, when the commit is the one it was peeled to (`refs/tags/NAME^{}`).
  if (best && order[best_rank] == tag + "^{}") best->tag = tag_object;
  return best;
}

Result<std::string> parse_git_checksum(std::string_view value) {
  if (!git_is_hex(value)) {
    return fail(Errc::invalid_argument, "--checksum='" + std::string(value) + "': expected a commit id (hex digits) for a git repository");
  }
  return git_lower(value);
}

Result<void> apply_git_checksum(GitSource& src, std::string_view value) {
  STACK_ASSIGN_OR_RETURN(std::string checksum, parse_git_checksum(value));
  if (!src.commit.empty() && src.commit != checksum) {
    return fail(Errc::invalid_argument, "--checksum=" + checksum + " and the fragment's commit=" + src.commit + " differ");
  }
  src.commit = std::move(checksum);
  return util::ok();
}

bool commit_matches(const RefMatch& resolved, std::string_view expected) {
  std::string want = git_lower(expected);
  return resolved.commit.starts_with(want) || (!resolved.tag.empty() && resolved.tag.starts_with(want));
}

bool is_short_commit_id(std::string_view ref) { return ref.size() >= 4 && ref.size() < 40 && git_is_hex(ref); }

std::string redact_git_url(std::string_view url) {
  std::string lower = git_lower(url.substr(0, 8));
  size_t start = lower.starts_with("http://") ? 7 : lower.starts_with("https://") ? 8 : 0;
  if (start == 0) return std::string(url);
  size_t end = url.find_first_of("/?#", start);
  std::string_view authority = url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  std::string_view user = authority.substr(0, at);
  std::string mask = user.find(':') == std::string_view::npos ? "xxxxx" : "xxxxx:xxxxx";
  return std::string(url.substr(0, start)) + mask + std::string(url.substr(start + at));
}

}  // namespace stack::util
