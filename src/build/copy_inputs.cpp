// What a COPY or ADD step works from: its words, request and options, and the sources that are not
// in a tree: heredocs (`COPY <<EOF /etc/app.conf`) and ADD's URLs, written into the step's scratch
// directory before the step's cache key is computed, so that the key covers their contents as it
// covers a context file's.
#include <fcntl.h>
#include <sys/stat.h>

#include "build/builder_impl.hpp"
#include "build/git_source.hpp"
#include "build/url_cache.hpp"
#include "build/url_source.hpp"
#include "util/fd.hpp"
#include "util/state_root.hpp"

namespace stack::build {

using util::Errc;
using util::fail;

Result<std::vector<std::string>> Builder::copy_words(const Instruction& ins, const Vars& vars) {
  std::vector<std::string> words;
  if (ins.exec_form) {
    for (const std::string& w : ins.exec) {
      STACK_ASSIGN_OR_RETURN(std::string x, expand_word(w, vars, df_.escape));
      words.push_back(std::move(x));
    }
    return words;
  }
  if (ins.heredocs.empty()) return expand_words(ins.args, vars, df_.escape);
  // The parser read the heredocs in the order their "<<" words appear; each such word stands for
  // the next one (BuildKit's rule: a source word that parses as a heredoc is one).
  std::vector<std::string> raw = split_raw(ins.args, df_.escape);
  size_t next = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i].starts_with("<<") && next < ins.heredocs.size()) {
      if (i + 1 == raw.size()) return fail(Errc::invalid_argument, "a heredoc cannot be the destination");
      words.push_back("<<" + ins.heredocs[next++].marker);
      continue;
    }
    STACK_ASSIGN_OR_RETURN(std::string x, expand_word(raw[i], vars, df_.escape));
    words.push_back(std::move(x));
  }
  return words;
}

Result<CopyRequest> Builder::copy_request(const Instruction& ins, const Vars& vars, std::vector<std::string> words,
                                          const std::string& workdir) {
  CopyRequest req;
  req.add = ins.kind == Kind::add;
  req.parents = ins.flags.count("parents") && ins.flags.at("parents") != "false";
  req.dest = words.back();
  words.pop_back();
  req.sources = std::move(words);
  if (!req.dest.starts_with("/")) req.dest = workdir + "/" + req.dest;
  for (const std::string& src : req.sources) {
    if (!req.add && is_git_source(src)) {
      return fail(Errc::invalid_argument, "a git repository ('" + src + "') is not a source for COPY: use ADD");
    }
    if (!req.add && is_url_source(src)) {
      return fail(Errc::invalid_argument, "a URL ('" + src + "') is not a source for COPY: use ADD");
    }
  }
  if (!ins.excludes.empty()) {
    std::string lines;
    for (const std::string& pattern : ins.excludes) {
      STACK_ASSIGN_OR_RETURN(std::string expanded, expand_word(pattern, vars, df_.escape));
      lines += expanded + "\n";
    }
    STACK_ASSIGN_OR_RETURN(req.exclude, IgnoreRules::parse(lines, "--exclude"));
  }
  return req;
}

Result<CopyOptions> Builder::copy_options(const Instruction& ins, const Vars& vars, const RootfsView& dest_view) {
  CopyOptions opts;
  opts.epoch = o_.source_date_epoch;
  if (auto c = ins.flags.find("chown"); c != ins.flags.end()) {
    STACK_ASSIGN_OR_RETURN(std::string spec, expand_word(c->second, vars, df_.escape));
    STACK_ASSIGN_OR_RETURN(opts.chown, resolve_chown(dest_view, spec));
  }
  if (auto m = ins.flags.find("chmod"); m != ins.flags.end()) {
    STACK_ASSIGN_OR_RETURN(std::string text, expand_word(m->second, vars, df_.escape));
    STACK_ASSIGN_OR_RETURN(opts.chmod, parse_chmod(text));
  }
  return opts;
}

Result<std::optional<GitSource>> Builder::git_source_of(const Instruction& ins, const Vars& vars, const std::vector<std::string>& sources) {
  std::optional<GitSource> git;
  for (const std::string& s : sources) {
    STACK_ASSIGN_OR_RETURN(std::optional<GitSource> g, parse_git_source(s));
    if (!g) continue;
    // One repository per step: BuildKit's several-source ADD with a repository among them is rare,
    // and one source keeps the step's key the commit's.
    if (sources.size() != 1) return fail(Errc::unsupported, "a git repository ('" + s + "') must be ADD's only source");
    git = std::move(g);
  }
  if (!git && ins.flags.count("keep-git-dir")) return fail(Errc::invalid_argument, "--keep-git-dir needs a git repository as the source");
  // --checksum: the commit (or a prefix of its id) that the ref must name, as BuildKit checks it.
  if (auto flag = ins.flags.find("checksum"); git && flag != ins.flags.end()) {
    STACK_ASSIGN_OR_RETURN(std::string text, expand_word(flag->second, vars, df_.escape));
    STACK_TRY(apply_git_checksum(*git, text));
  }
  return git;
}

Result<void> Builder::write_heredocs(const Instruction& ins, const Vars& vars, const std::string& dir, CopyRequest& req) {
  for (size_t i = 0; i < ins.heredocs.size(); ++i) {
    const Heredoc& h = ins.heredocs[i];
    std::string content = h.body;
    if (h.expand) {
      STACK_ASSIGN_OR_RETURN(content, expand_heredoc(h.body, vars, df_.escape));
    }
    std::string path = dir + "/heredoc-" + std::to_string(i);
    STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    STACK_TRY(util::write_all(fd.get(), content));
    // 0644 whatever the umask (BuildKit's mode for an inline file); the build's time, so that the
    // layer is the same on every build.
    struct timespec times[2] = {{o_.source_date_epoch, 0}, {o_.source_date_epoch, 0}};
    ViewEntry e{path, {}};
    if (::fchmod(fd.get(), 0644) != 0 || ::futimens(fd.get(), times) != 0 || ::fstat(fd.get(), &e.st) != 0) {
      return fail(Errc::io, "writing heredoc '" + h.marker + "'", errno);
    }
    req.prepared.push_back({"<<" + h.marker, h.marker, e});
  }
  return util::ok();
}

Result<std::optional<std::string>> Builder::add_checksum(const Instruction& ins, const Vars& vars, const CopyRequest& req) {
  auto flag = ins.flags.find("checksum");
  if (flag == ins.flags.end()) return std::optional<std::string>();
  if (req.sources.size() == 1 && is_git_source(req.sources.front())) return std::optional<std::string>();  // git_source_of
  STACK_ASSIGN_OR_RETURN(std::string text, expand_word(flag->second, vars, df_.escape));
  if (req.sources.size() != 1 || !is_url_source(req.sources.front())) return fail(Errc::invalid_argument, kChecksumSources);
  STACK_ASSIGN_OR_RETURN(std::string hex, parse_add_checksum(text));
  return std::optional<std::string>(std::move(hex));
}

Result<void> Builder::fetch_urls(const std::string& dir, const std::optional<std::string>& checksum, CopyRequest& req) {
  for (size_t i = 0; i < req.sources.size(); ++i) {
    const std::string& url = req.sources[i];
    if (!is_url_source(url)) continue;
    // With a checksum the step's key is the checksum: the download goes to the scratch directory.
    // Without, it is kept between builds and revalidated (url_cache.hpp).
    Result<Download> got = checksum ? download_url(url, dir + "/url-" + std::to_string(i), kUrlLimits)
                                    : UrlCache(util::StateRoot(o_.root).build_cache_urls()).fetch(url, kUrlLimits, !o_.no_cache);
    STACK_ASSIGN_OR_RETURN(Download d, std::move(got));
    if (checksum && d.sha256 != *checksum) {
      return fail(Errc::conflict, url + ": checksum mismatch: expected sha256:" + *checksum + ", got sha256:" + d.sha256);
    }
    ViewEntry e{d.path, {}};
    if (::lstat(d.path.c_str(), &e.st) != 0) return fail(Errc::io, "stat '" + d.path + "'", errno);
    req.prepared.push_back({url, url_file_name(url), e});
  }
  return util::ok();
}

}  // namespace stack::build
