#include "build/git_source.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
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
  if (auto id = pick_commit("", src.ref)) return *id;  // a full commit id names itself
  STACK_ASSIGN_OR_RETURN(GitRun r, run_git({"ls-remote", "--", src.remote}));
  if (!r.status.success()) return fail(Errc::io, "git ls-remote " + src.remote + ": " + git_cause(r));
  auto commit = pick_commit(r.out, src.ref);
  if (!commit) return fail(Errc::not_found, "git ls-remote " + src.remote + ": no ref '" + (src.ref.empty() ? "HEAD" : src.ref) + "'");
  if (auto want = pick_commit("", src.commit); !src.commit.empty() && want != commit) {
    return fail(Errc::conflict, src.remote + ": ref '" + src.ref + "' is commit " + *commit + ", not " + src.commit);
  }
  return *commit;
}

Result<void> checkout_git(const GitSource& src, const std::string& commit, const std::string& dir, bool keep_git_dir) {
  auto step = [&](std::vector<std::string> args, const std::string& what) -> Result<void> {
    STACK_ASSIGN_OR_RETURN(GitRun r, run_git(args));
    if (!r.status.success()) return fail(Errc::io, what + " " + src.remote + ": " + git_cause(r));
    return util::ok();
  };
  STACK_TRY(step({"init", "-q", dir}, "git init"));
  // The commit the ref resolved to, so that what is copied is what the cache key names; a server
  // that refuses a fetch by id (old protocol) gets the ref by name, then the id is checked out.
  auto fetched = step({"-C", dir, "fetch", "-q", "--depth=1", "--no-tags", "--", src.remote, commit}, "git fetch");
  if (!fetched) {
    std::string ref = src.ref.empty() ? "HEAD" : src.ref;
    STACK_TRY(step({"-C", dir, "fetch", "-q", "--no-tags", "--", src.remote, ref}, "git fetch"));
  }
  STACK_TRY(step({"-C", dir, "checkout", "-q", "--detach", commit}, "git checkout"));
  if (!keep_git_dir) STACK_TRY(util::remove_tree(dir + "/.git"));
  return util::ok();
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
