#include "build/git_source.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "build/glob.hpp"
#include "util/child_process.hpp"
#include "util/dir.hpp"
#include "util/fd.hpp"

namespace stack::build {

using util::Errc;
using util::fail;

namespace {

struct GitRun {
  util::ExitStatus status;
  std::string out;
  std::string err;
};

// git with args, umask 022 (checked-out files 0644/0755 whatever this process's umask), no prompt
// for credentials, and only the transports a git source may name (no ext::, no file://).
Result<GitRun> run_git(const std::vector<std::string>& args) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return fail(Errc::io, "pipe", errno);
  util::UniqueFd out_r(out[0]), out_w(out[1]);
  if (::pipe2(err, O_CLOEXEC) != 0) return fail(Errc::io, "pipe", errno);
  util::UniqueFd err_r(err[0]), err_w(err[1]);
  std::vector<std::string> full{"git", "-c", "protocol.allow=never", "-c", "protocol.http.allow=always", "-c",
                                "protocol.https.allow=always", "-c", "protocol.git.allow=always", "-c",
                                "protocol.ssh.allow=always", "-c", "advice.detachedHead=false", "-c",
                                "init.defaultBranch=main"};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The environment is made before fork: the child only calls async-signal-safe functions. No
  // GIT_* variable of the caller's but how to reach a server: GIT_DIR or GIT_WORK_TREE (set in a
  // git hook, say) would point `git init` and the checkout at the caller's own repository.
  std::vector<std::string> env_text{"GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1"};
  for (char** e = environ; *e; ++e) {
    std::string_view v(*e);
    bool kept = !v.starts_with("GIT_") || v.starts_with("GIT_SSH=") || v.starts_with("GIT_SSH_COMMAND=") ||
                v.starts_with("GIT_SSL_CAINFO=") || v.starts_with("GIT_PROXY_COMMAND=");
    if (kept) env_text.emplace_back(v);
  }
  // ssh never asks on the terminal (an unknown host key, a passphrase): it fails with its reason,
  // as in BuildKit, whose ssh has no terminal either. A GIT_SSH(_COMMAND) of the caller's wins.
  if (!std::getenv("GIT_SSH_COMMAND") && !std::getenv("GIT_SSH")) env_text.emplace_back("GIT_SSH_COMMAND=ssh -o BatchMode=yes");
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return fail(Errc::io, "fork git", errno);
  if (pid == 0) {
    ::dup2(out_w.get(), 1);
    ::dup2(err_w.get(), 2);
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::umask(022);
    ::execvpe("git", argv.data(), envp.data());
    ::_exit(127);
  }
  util::ChildProcess child(pid);
  out_w.reset();
  err_w.reset();
  GitRun run;
  pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
  std::string* sinks[2] = {&run.out, &run.err};
  int open_fds = 2;
  char buf[16384];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return fail(Errc::io, "poll git", errno);
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      sinks[i]->append(buf, static_cast<size_t>(n));
    }
  }
  STACK_ASSIGN_OR_RETURN(run.status, child.wait());
  if (run.status.code == 127 && run.status.signal == 0 && run.err.empty()) {
    return fail(Errc::not_found, "git is not installed (stack runs the git binary for git sources)");
  }
  return run;
}

// git's own reason, on one line: from its last "fatal: " line to the end of standard error
// ("fatal: unable to connect to 127.0.0.1:" is followed by the errno on a line of its own), or
// its last line.
std::string git_cause(const GitRun& r) {
  std::string_view e = r.err;
  while (!e.empty() && (e.back() == '\n' || e.back() == '\r' || e.back() == ' ')) e.remove_suffix(1);
  size_t from = e.rfind("fatal: ");
  if (from == std::string_view::npos || (from > 0 && e[from - 1] != '\n')) {
    size_t nl = e.find_last_of('\n');
    from = nl == std::string_view::npos ? 0 : nl + 1;
  }
  std::string out(e.substr(from));
  for (char& c : out) if (c == '\n' || c == '\r') c = ' ';
  return out.empty() ? r.status.describe() : out;
}

}  // namespace

Result<std::string> resolve_git_commit(const GitSource& src) {
  const std::string ref = src.ref.empty() ? "HEAD" : src.ref;
  // `?fetch-by-commit`: the checksum is trusted as the commit, the remote is not asked (BuildKit's).
  if (src.fetch_by_commit && !is_commit_id(src.commit)) {
    return fail(Errc::invalid_argument, src.remote + ": fetch-by-commit needs the full commit id as the checksum" +
                                            (src.commit.empty() ? std::string() : " (not '" + src.commit + "')"));
  }
  std::optional<RefMatch> match = match_ref("", src.fetch_by_commit ? src.commit : src.ref);  // a full commit id names itself
  if (!match) {
    STACK_ASSIGN_OR_RETURN(GitRun r, run_git({"ls-remote", "--", src.remote}));
    if (!r.status.success()) return fail(Errc::io, "git ls-remote " + src.remote + ": " + git_cause(r));
    match = match_ref(r.out, src.ref);
  }
  if (!match) {
    // A server resolves no abbreviated id (a fetch wants a full one): BuildKit refuses it the same.
    std::string hint = is_short_commit_id(ref) ? " (a short commit id is no ref: give the full commit id, or the branch or tag and --checksum=" + ref + ")" : "";
    return fail(Errc::not_found, "git ls-remote " + src.remote + ": no ref '" + ref + "'" + hint);
  }
  if (!src.commit.empty() && !commit_matches(*match, src.commit)) {
    std::string tag = match->tag.empty() ? "" : " (tag " + match->tag + ")";
    return fail(Errc::conflict, src.remote + ": ref '" + ref + "' is commit " + match->commit + tag + ", expected " + src.commit);
  }
  return match->commit;
}

namespace {

// Every file, link and directory below dir (dir too) at time seconds, a directory after what it
// holds; links themselves, never followed.
Result<void> set_tree_times(const std::string& dir, long seconds) {
  namespace fs = std::filesystem;
  const struct timespec times[2] = {{seconds, 0}, {seconds, 0}};
  std::vector<std::string> dirs{dir};
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;  // lstat's: a link (a dangling one too) is a file here
    if (it->symlink_status(type_ec).type() == fs::file_type::directory) {
      dirs.push_back(it->path().string());
    } else if (::utimensat(AT_FDCWD, it->path().c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
      return fail(Errc::io, "setting the time of '" + it->path().string() + "'", errno);
    }
  }
  if (ec) return fail(Errc::io, "walking '" + dir + "': " + ec.message(), ec.value());
  for (auto d = dirs.rbegin(); d != dirs.rend(); ++d) {
    if (::utimensat(AT_FDCWD, d->c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) return fail(Errc::io, "setting the time of '" + *d + "'", errno);
  }
  return util::ok();
}

}  // namespace

Result<void> checkout_git(const GitSource& src, const std::string& commit, const std::string& dir, bool keep_git_dir) {
  auto step = [&](std::vector<std::string> args, const std::string& what) -> Result<GitRun> {
    STACK_ASSIGN_OR_RETURN(GitRun r, run_git(args));
    if (!r.status.success()) return fail(Errc::io, what + " " + src.remote + ": " + git_cause(r));
    return r;
  };
  keep_git_dir = keep_git_dir || src.keep_git_dir.value_or(false);
  // A 64-digit commit is a SHA-256 repository's: git fetches from one only into one (BuildKit's test).
  std::vector<std::string> init{"init", "-q", dir};
  if (commit.size() == 64) init.insert(init.begin() + 2, "--object-format=sha256");
  STACK_TRY(step(init, "git init"));
  // origin, as in BuildKit: a submodule's relative URL (`../lib.git`) is resolved against it.
  STACK_TRY(step({"-C", dir, "remote", "add", "origin", src.remote}, "git remote add"));
  // The commit the ref resolved to, so that what is copied is what the cache key names; a server
  // that refuses a fetch by id (old protocol) gets the ref by name (the branch first, as the ref was
  // resolved), then the id is checked out.
  auto fetched = step({"-C", dir, "fetch", "-q", "--depth=1", "--no-tags", "origin", commit}, "git fetch");
  if (!fetched) {
    std::string ref = src.ref.empty() ? "HEAD" : src.ref;
    if (ref != "HEAD" && !ref.starts_with("refs/")) fetched = step({"-C", dir, "fetch", "-q", "--no-tags", "origin", "refs/heads/" + ref}, "git fetch");
    if (!fetched) STACK_TRY(step({"-C", dir, "fetch", "-q", "--no-tags", "origin", ref}, "git fetch"));
  }
  // A kept .git names its origin without the URL's credentials (before the submodules, as BuildKit).
  if (std::string shown = redact_git_url(src.remote); keep_git_dir && shown != src.remote) {
    STACK_TRY(step({"-C", dir, "remote", "set-url", "origin", shown}, "git remote set-url"));
  }
  STACK_TRY(step({"-C", dir, "checkout", "-q", "--detach", commit}, "git checkout"));
  // Submodules at the commits the checkout pins (its tree holds them), through the same git: the
  // same environment and transports (`-c` reaches the clones git starts for them). Not with
  // `?submodules=false`.
  if (src.submodules) {
    STACK_ASSIGN_OR_RETURN(GitRun sub, run_git({"-C", dir, "submodule", "update", "--quiet", "--init", "--recursive", "--depth=1"}));
    if (!sub.status.success()) return fail(Errc::io, "git submodule update " + src.remote + ": " + submodule_failure(sub.err, dir));
  }
  // `?mtime=commit`: every file's time is the commit's (its committer date), as BuildKit sets it.
  long commit_time = 0;
  if (src.mtime_commit) {
    STACK_ASSIGN_OR_RETURN(GitRun log, step({"-C", dir, "log", "-1", "--format=%ct", commit + "^{commit}"}, "git log"));
    char* end = nullptr;
    commit_time = std::strtol(log.out.c_str(), &end, 10);
    if (end == log.out.c_str()) return fail(Errc::io, "git log " + src.remote + ": no commit time for " + commit);
  }
  if (!keep_git_dir) {
    STACK_TRY(util::remove_tree(dir + "/.git"));
    STACK_TRY(remove_submodule_git_files(dir));
  }
  if (src.mtime_commit) STACK_TRY(set_tree_times(dir, commit_time));
  return util::ok();
}

Result<void> remove_submodule_git_files(const std::string& checkout) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> found;
  // Symbolic links are not followed; a repository's tree holds no `.git` of its own (git refuses
  // one), so each is a submodule's: a file naming its directory under the top .git.
  for (fs::recursive_directory_iterator it(checkout, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename() != ".git") continue;
    if (it.depth() > 0) found.push_back(it->path());
    if (it->is_directory(ec)) it.disable_recursion_pending();
  }
  if (ec) return fail(Errc::io, "walking '" + checkout + "': " + ec.message(), ec.value());
  for (const fs::path& p : found) STACK_TRY(util::remove_tree(p.string()));
  return util::ok();
}

std::string submodule_failure(std::string_view err, std::string_view checkout) {
  std::string reason, path, url, last;
  auto quoted = [](std::string_view line, std::string_view after) {
    size_t at = line.find(after);
    if (at == std::string_view::npos) return std::string();
    std::string_view rest = line.substr(at + after.size());
    return std::string(rest.substr(0, rest.find('\'')));
  };
  bool in_reason = false;
  while (!err.empty()) {
    size_t nl = err.find('\n');
    std::string_view line = err.substr(0, nl);
    err = nl == std::string_view::npos ? std::string_view() : err.substr(nl + 1);
    if (!line.empty()) last = std::string(line);
    bool fatal = line.starts_with("fatal: ");
    if (fatal && path.empty()) path = quoted(line, "submodule path '");
    if (fatal && url.empty()) url = quoted(line, "clone of '");
    // git's reason: the first "fatal: " line and those that continue it (an errno on its own line).
    if (in_reason && (line.empty() || fatal || line.starts_with("Failed to "))) in_reason = false;
    if (in_reason) reason += " " + std::string(line);
    if (fatal && reason.empty()) {
      reason = std::string(line);
      in_reason = true;
    }
  }
  if (path.starts_with(checkout) && path.size() > checkout.size() && path[checkout.size()] == '/') path.erase(0, checkout.size() + 1);
  std::string who = path.empty() ? "" : "submodule '" + path + "'" + (url.empty() ? "" : " (" + url + ")") + ": ";
  return who + (!reason.empty() ? reason : !last.empty() ? last : "git failed");
}

// SUBDIR inside the checkout, a directory reached without a symbolic link (one could lead out of
// the checkout, onto the host).
Result<std::string> git_subdir(const std::string& checkout, const GitSource& src, const std::string& commit) {
  std::string clean = clean_path(src.subdir);
  if (clean == "." || clean.empty()) return checkout;
  if (clean == ".." || clean.starts_with("../")) return fail(Errc::invalid_argument, "subdirectory '" + src.subdir + "' is outside the repository");
  std::string path = checkout;
  size_t start = 0;
  while (start <= clean.size()) {
    size_t slash = clean.find('/', start);
    path += "/" + clean.substr(start, slash - start);
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return fail(Errc::not_found, "subdirectory '" + src.subdir + "' is not a directory of " + src.remote + " at " + commit);
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return path;
}

}  // namespace stack::build
