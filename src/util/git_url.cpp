#include "util/git_url.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace stack::util {

namespace {

bool git_is_hex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

bool git_is_id(std::string_view s) { return (s.size() == 40 || s.size() == 64) && git_is_hex(s); }

std::string git_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The next field of a list separated by sep ("a,b", "a&b"), taken off the front of rest.
std::string_view next_field(std::string_view& rest, char sep) {
  size_t at = rest.find(sep);
  std::string_view field = rest.substr(0, at);
  rest = at == std::string_view::npos ? std::string_view() : rest.substr(at + 1);
  return field;
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
    std::string_view field = next_field(fragment, ',');
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
  if (src.ref.empty() && git_is_id(src.commit)) src.ref = src.commit;
  return util::ok();
}

// %XX and '+' decoded, as a URL's query is read; a malformed escape stays as written.
std::string query_unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && git_is_hex(s.substr(i + 1, 2))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A boolean as BuildKit reads one (Go's strconv.ParseBool).
std::optional<bool> query_bool(std::string_view v) {
  for (std::string_view t : {"1", "t", "T", "true", "TRUE", "True"}) if (v == t) return true;
  for (std::string_view f : {"0", "f", "F", "false", "FALSE", "False"}) if (v == f) return false;
  return std::nullopt;
}

std::string trim_slashes(std::string_view s) {
  while (s.starts_with('/')) s.remove_prefix(1);
  while (s.ends_with('/')) s.remove_suffix(1);
  return std::string(s);
}

constexpr std::string_view kQueryKeys[] = {"ref",          "tag",        "branch", "subdir",         "checksum",
                                           "commit",       "keep-git-dir", "submodules", "mtime", "fetch-by-commit"};

// BuildKit's query keys, after the fragment: each at most once; ref, tag (refs/tags/T) and branch
// (refs/heads/B) name one ref, subdir and checksum (or commit) one value each, whichever part of the
// URL says them; keep-git-dir, submodules and fetch-by-commit alone are true.
Result<void> apply_git_query(std::string_view query, std::string_view word, GitSource& src) {
  const std::string in = " in the query of '" + std::string(word) + "'";
  auto bad = [&](const std::string& what) { return fail(Errc::invalid_argument, what + in); };
  auto conflict = [&](const std::string& key, const std::string& value, const std::string& what, const std::string& had) {
    return fail(Errc::invalid_argument, "'" + key + "=" + value + "' conflicts with " + what + " '" + had + "' in '" + std::string(word) + "'");
  };
  std::vector<std::string> seen;
  std::string tag, branch;
  while (!query.empty()) {
    std::string_view pair = next_field(query, '&');
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    const std::string key = query_unescape(pair.substr(0, eq));
    const std::string value = eq == std::string_view::npos ? "" : query_unescape(pair.substr(eq + 1));
    if (std::find(std::begin(kQueryKeys), std::end(kQueryKeys), key) == std::end(kQueryKeys)) {
      std::string keys;
      for (std::string_view k : kQueryKeys) keys += (keys.empty() ? "" : ", ") + std::string(k);
      return fail(Errc::invalid_argument, "unexpected key '" + key + "'" + in + " (supported keys: " + keys + ")");
    }
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) return bad("key '" + key + "' is given more than once");
    seen.push_back(key);
    const bool flag = key == "keep-git-dir" || key == "submodules" || key == "fetch-by-commit";
    if (value.empty() && !flag) return bad("key '" + key + "' has no value");
    if (flag) {
      std::optional<bool> on = value.empty() ? std::optional<bool>(true) : query_bool(value);
      if (!on) return bad(key + "='" + value + "' is not a boolean (true or false)");
      if (key == "keep-git-dir") src.keep_git_dir = *on;
      else if (key == "submodules") src.submodules = *on;
      else src.fetch_by_commit = *on;
    } else if (key == "ref") {
      if (!src.ref.empty() && src.ref != value) return conflict(key, value, "ref", src.ref);
      src.ref = value;
    } else if (key == "tag") {
      tag = value;
    } else if (key == "branch") {
      branch = value;
    } else if (key == "subdir") {
      if (!src.subdir.empty() && trim_slashes(src.subdir) != trim_slashes(value)) return conflict(key, value, "subdir", src.subdir);
      src.subdir = value;
    } else if (key == "checksum" || key == "commit") {
      if (!git_is_hex(value)) return bad(key + " '" + value + "' is no commit id (hex digits)");
      if (!src.commit.empty() && src.commit != git_lower(value)) return conflict(key, value, "commit", src.commit);
      src.commit = git_lower(value);
    } else if (key == "mtime") {
      if (value != "checkout" && value != "commit") return bad("mtime='" + value + "': expected 'checkout' or 'commit'");
      src.mtime_commit = value == "commit";
    }
  }
  if (!tag.empty() && !branch.empty()) return bad("'tag' and 'branch' both name the ref");
  const std::string key = tag.empty() ? "branch" : "tag", value = tag.empty() ? branch : tag;
  if (!value.empty()) {
    const std::string prefix = tag.empty() ? "refs/heads/" : "refs/tags/";
    const std::string named = value.starts_with(prefix) ? value : prefix + value;
    if (!src.ref.empty() && src.ref != named) return conflict(key, value, "ref", src.ref);
    src.ref = named;
  }
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
  std::string_view fragment, query;
  size_t hash = word.find('#');
  std::string_view base = word.substr(0, hash);
  if (hash != std::string_view::npos) fragment = word.substr(hash + 1);
  // The query is BuildKit's, never the server's: git is given the URL without it.
  if (size_t mark = base.find('?'); mark != std::string_view::npos) {
    query = base.substr(mark + 1);
    base = base.substr(0, mark);
  }
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
      if (!path.ends_with(".git")) return std::optional<GitSource>();
    }
  } else if (!scp_like(base)) {
    return std::optional<GitSource>();
  }
  src.remote = std::string(base);
  if (!fragment.empty()) STACK_TRY(split_git_fragment(fragment, word, src));
  if (!query.empty()) STACK_TRY(apply_git_query(query, word, src));
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
  if (git_is_id(ref)) return RefMatch{git_lower(ref), "", ""};
  const std::string want = ref.empty() ? "HEAD" : std::string(ref);
  auto without = [&](std::string_view prefix) { return want.starts_with(prefix) ? want.substr(prefix.size()) : want; };
  // BuildKit's order: the ref as given below refs/ (HEAD itself), the branch, then the tag, its
  // commit when annotated (a "refs/tags/T" as given is the tag too, so that it is peeled).
  const std::string tag = "refs/tags/" + without("refs/tags/");
  std::string exact = want == "HEAD" ? want : "refs/" + without("refs/");
  if (exact == tag) exact.clear();
  const std::vector<std::string> order{exact, "refs/heads/" + without("refs/heads/"), tag + "^{}", tag};
  std::optional<RefMatch> best;
  std::string tag_object;
  size_t best_rank = order.size();
  while (!ls_remote.empty()) {
    std::string_view line = next_field(ls_remote, '\n');
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos || !git_is_id(line.substr(0, tab))) continue;
    std::string_view name = line.substr(tab + 1);
    if (name == tag) tag_object = std::string(line.substr(0, tab));
    for (size_t i = 0; i < best_rank; ++i) {
      if (!order[i].empty() && name == order[i]) {
        best = RefMatch{std::string(line.substr(0, tab)), "", order[i]};
        best_rank = i;
        break;
      }
    }
  }
  // The tag object, when the commit is the one it was peeled to (`refs/tags/NAME^{}`).
  if (best && best_rank == 2) {
    best->tag = tag_object;
    best->name = tag;
  }
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
    return fail(Errc::invalid_argument, "--checksum=" + checksum + " and the URL's commit=" + src.commit + " differ");
  }
  src.commit = std::move(checksum);
  return util::ok();
}

bool commit_matches(const RefMatch& resolved, std::string_view expected) {
  std::string want = git_lower(expected);
  return resolved.commit.starts_with(want) || (!resolved.tag.empty() && resolved.tag.starts_with(want));
}

bool is_commit_id(std::string_view ref) { return git_is_id(ref); }

bool is_short_commit_id(std::string_view ref) { return ref.size() >= 4 && ref.size() < 64 && ref.size() != 40 && git_is_hex(ref); }

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
