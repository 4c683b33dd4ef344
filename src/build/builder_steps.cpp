// The builder's RUN, COPY and ADD steps: each computes its cache key, then either takes the layer
// from the step cache or makes it (a container for RUN, a directly written tar for COPY and ADD).
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "build/builder_impl.hpp"
#include "build/cache_key.hpp"
#include "build/copy_layer.hpp"
#include "build/layer_memo.hpp"
#include "build/metadata_steps.hpp"
#include "build/mount_sources.hpp"
#include "build/rootfs_view.hpp"
#include "build/run_mount.hpp"
#include "build/run_step.hpp"
#include "build/scratch_dir.hpp"
#include "build/upper_diff.hpp"
#include "build/url_source.hpp"
#include "image/fs.hpp"
#include "image/init_layer.hpp"
#include "util/dir.hpp"
#include "util/state_root.hpp"

namespace stack::build {

using nlohmann::json;
using util::Errc;
using util::fail;

namespace {

// A RUN's command: with a heredoc that is the whole command, the heredoc is the script;
// otherwise the heredocs follow the command line as a shell reads them.
std::vector<std::string> run_argv(const Instruction& ins, const StageState& state) {
  if (ins.exec_form || ins.heredocs.empty()) return command_argv(ins, state);
  std::vector<std::string> argv = shell_of(state);
  const Heredoc& h = ins.heredocs.front();
  std::string a = ins.args;
  bool only = ins.heredocs.size() == 1 && a.starts_with("<<") && a.find(h.marker) != std::string::npos &&
              a.find_first_of(" \t") == std::string::npos;
  if (only) {
    argv.push_back(h.body);
    return argv;
  }
  std::string script = a + "\n";
  for (const Heredoc& d : ins.heredocs) script += d.body + d.marker + "\n";
  argv.push_back(script);
  return argv;
}

std::string short_text(const std::string& s) {
  std::string one = s.substr(0, s.find('\n'));
  return one.size() > 80 ? one.substr(0, 77) + "..." : one;
}

// The RUN's --mount values for the step (checked by check_instruction already): cache
// directories made and, with sharing=locked, locked until the step is done; targets made
// absolute. `stubs` are the targets the stage did not have: their mount points are taken out of
// the layer afterwards.
struct StepMounts {
  std::vector<StepMount> mounts;
  std::vector<std::string> env;  // secrets given as variables: "NAME=value"
  std::vector<util::UniqueFd> locks;
  std::vector<std::string> stubs;  // relative, cleaned
};

// The target and each of its parents that the stage did not have, deepest first; not the working
// directory or its parents, which the step needs and docker keeps.
void add_stubs(const std::string& rel, const std::string& workdir, const RootfsView& view, std::vector<std::string>& stubs) {
  std::string keep = std::filesystem::path(workdir).lexically_normal().relative_path().string();
  for (std::filesystem::path p = rel; !p.empty(); p = p.parent_path()) {
    std::string s = p.string();
    if (view.lookup(s) || keep == s || keep.starts_with(s + "/")) break;
    stubs.push_back(s);
  }
}

// What the bind and secret mounts show: the bind sources selected (bind_sources), the build's
// secrets, and the scratch directory where their host copies are made.
struct MountInputs {
  const std::string& scratch;
  const std::vector<BindSource>& binds;
  const std::map<std::string, std::string>& secrets;
  std::optional<SecretFiles>& secret_files;  // mounted on the first secret file
  const std::map<std::string, std::string>& ssh;  // id -> an agent's socket on the host
};

// A cache mount's from=: its selection written as a bind mount's is, then its root becomes the
// cache directory.
CacheSeed cache_seed(const BindSource& b) {
  return CacheSeed{b.selection.digest, [&b](const std::string& dir) -> Result<void> {
                     std::string work = dir + ".files";
                     STACK_TRY(write_selection(b.selection, work, b.from_context));
                     std::string files = work + "/" + kBindRoot;
                     bool moved = image::path_exists(files) ? ::rename(files.c_str(), dir.c_str()) == 0
                                                            : ::mkdir(dir.c_str(), 0755) == 0;
                     int err = errno;
                     (void)util::remove_tree(work);
                     if (!moved) return util::Error::from_errno("seeding '" + dir + "'", err);
                     return util::ok();
                   }};
}

Result<StepMounts> resolve_mounts(const std::vector<std::string>& values, const std::string& workdir,
                                  const std::string& root, const RootfsView& view, MountInputs& in) {
  StepMounts out;
  size_t ssh_mounts = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    bool agent_var = false;  // the first ssh mount is SSH_AUTH_SOCK
    STACK_ASSIGN_OR_RETURN(RunMount m, parse_run_mount(values[i]));
    StepMount step{"", "", m.read_only, m.size};
    if (m.type == RunMount::Type::ssh) {
      auto agent = in.ssh.find(m.id);
      if (agent == in.ssh.end()) {
        if (m.required) return fail(Errc::not_found, "--mount=type=ssh: ssh agent '" + m.id + "' is required but was not given (--ssh " + m.id + "[=SOCKET])");
        continue;  // as BuildKit: an optional agent that is not there is not mounted
      }
      // The agent's socket itself, read-only (the step cannot replace it); BuildKit's paths.
      if (m.target.empty()) m.target = "/run/buildkit/ssh_agent." + std::to_string(ssh_mounts);
      agent_var = ssh_mounts++ == 0;
      step.source = agent->second;
      step.read_only = true;
    }
    if (m.type == RunMount::Type::cache) {
      auto b = std::find_if(in.binds.begin(), in.binds.end(), [&](const BindSource& s) { return s.mount == i; });
      std::optional<CacheSeed> seed;
      if (b != in.binds.end()) seed = cache_seed(*b);
      STACK_ASSIGN_OR_RETURN(CacheDir dir, open_cache_dir(root, m, seed ? &*seed : nullptr));
      step.source = dir.path;
      if (dir.lock) out.locks.push_back(std::move(dir.lock));
    } else if (m.type == RunMount::Type::bind) {
      auto b = std::find_if(in.binds.begin(), in.binds.end(), [&](const BindSource& s) { return s.mount == i; });
      std::string dir = in.scratch + "/bind-" + std::to_string(i);
      STACK_TRY(write_selection(b->selection, dir, b->from_context));
      step.source = dir + "/" + kBindRoot;
      if (!image::path_exists(step.source)) STACK_TRY(image::make_dirs(step.source, 0755));  // an empty directory has no items
    } else if (m.type == RunMount::Type::secret) {
      auto secret = in.secrets.find(m.id);
      if (secret == in.secrets.end()) {
        if (m.required) return fail(Errc::not_found, "--mount=type=secret: secret '" + m.id + "' is required but was not given (--secret id=" + m.id + ",src=FILE)");
        continue;  // as BuildKit: an optional secret that is not there is not mounted
      }
      if (!m.env.empty()) out.env.push_back(m.env + "=" + secret->second);
      if (m.target.empty()) continue;
      if (!in.secret_files) {
        STACK_ASSIGN_OR_RETURN(SecretFiles files, SecretFiles::mount(in.scratch + "/secrets"));
        in.secret_files.emplace(std::move(files));
      }
      STACK_ASSIGN_OR_RETURN(step.source, in.secret_files->add(m, secret->second));
      step.read_only = true;
    }
    std::filesystem::path path = (std::filesystem::path(workdir) / m.target).lexically_normal();
    std::string rel = path.relative_path().string();
    while (!rel.empty() && rel.back() == '/') rel.pop_back();
    step.target = "/" + rel;
    if (agent_var) out.env.push_back("SSH_AUTH_SOCK=" + step.target);
    add_stubs(rel, workdir, view, out.stubs);
    out.mounts.push_back(std::move(step));
  }
  return out;
}

// The mount points that the stage did not have and the parents made for them, when empty (a
// file's mount point is an empty file); stubs are deepest first for each mount.
void remove_mount_stubs(const std::string& upper, const std::vector<std::string>& stubs) {
  for (const std::string& p : stubs) {
    std::string path = upper + "/" + p;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) (void)::rmdir(path.c_str());
    else if (S_ISREG(st.st_mode) && st.st_size == 0) (void)::unlink(path.c_str());
  }
}

}  // namespace

Result<std::vector<std::string>> Builder::layer_dirs(const StageState& state) {
  image::Image img;
  img.layers = state.layers;
  return store_.layer_dirs(img);
}

Result<void> Builder::cached_layer(const Instruction& ins, const std::string& key, StageState& state,
                                   const std::function<Result<image::LayerInfo>()>& make) {
  std::optional<CachedStep> hit;
  if (!o_.no_cache) hit = cache_->find(key, ingest_->blobs());
  // Then the imported caches, in order; a step found there enters the local cache too.
  // A broken import (a layer that does not match its digest) is a miss with a warning, as BuildKit
  // goes on without a cache it cannot read.
  for (size_t i = 0; !o_.no_cache && !hit && i < cache_from_.size(); ++i) {
    auto imported = cache_from_[i]->import(key, ingest_->blobs());
    if (!imported) {
      emit(BuildEvent::Type::warning, "--cache-from " + cache_from_[i]->name() + ": " + imported.error().message() + "; the step runs");
      continue;
    }
    hit = std::move(*imported);
    if (hit) STACK_TRY(cache_->put(key, *hit));
  }
  if (hit) {
    ++result_.cached;
    emit(BuildEvent::Type::cached);
  } else {
    ++result_.executed;
    STACK_ASSIGN_OR_RETURN(image::LayerInfo layer, make());
    hit = CachedStep{layer};
    STACK_TRY(cache_->put(key, *hit));
  }
  if (!o_.cache_to.empty()) steps_used_.emplace_back(key, *hit);
  if (hit->layer) state.layers.push_back(*hit->layer);
  add_history(state, ins.original, !hit->layer, o_.source_date_epoch);
  state.key = key;
  return util::ok();
}

Result<const BuildNetwork*> Builder::build_network() {
  if (!network_) {
    if (!net_host_) net_host_ = make_build_host(o_.root);
    STACK_ASSIGN_OR_RETURN(BuildNetwork made, BuildNetwork::create(*net_host_, {o_.root, o_.network_pool, o_.ip_masq}));
    network_.emplace(std::move(made));
  }
  return &*network_;
}

void Builder::remove_network() {
  if (!network_) return;
  if (auto removed = network_->remove(); !removed) {
    emit(BuildEvent::Type::warning, removed.error().message() + " (left for the next build to remove)");
  }
  network_.reset();
}

Result<void> Builder::run_step(const Stage& stage, size_t index, StageState& state) {
  const Instruction& ins = stage.body[index];
  std::string network = o_.network;
  if (auto n = ins.flags.find("network"); n != ins.flags.end()) network = n->second;
  std::vector<std::string> argv = run_argv(ins, state);
  std::string text = "RUN " + json(argv).dump() + " network=" + network;
  if (!ins.mounts.empty()) text += " mounts=" + json(ins.mounts).dump();
  // What a bind mount shows is an input of the step, as a COPY's sources are; secrets are not.
  STACK_ASSIGN_OR_RETURN(std::vector<BindSource> binds, bind_sources(stage, index));
  // A cache mount's from= too: another stage's files start another cache directory.
  for (const BindSource& b : binds) text += (b.cache_seed ? " cache" : " bind") + std::to_string(b.mount) + "=" + b.selection.digest;
  std::string key = step_key(state.key, text);
  return cached_layer(ins, key, state, [&]() -> Result<image::LayerInfo> {
    STACK_ASSIGN_OR_RETURN(std::vector<std::string> lower, layer_dirs(state));
    RootfsView view(lower);
    STACK_ASSIGN_OR_RETURN(std::string init, image::ensure_init_layer(util::StateRoot(o_.root).images()));
    lower.insert(lower.begin(), init);
    STACK_ASSIGN_OR_RETURN(ScratchDir scratch_dir, ScratchDir::make(o_.root));
    const std::string& scratch = scratch_dir.path();
    std::optional<SecretFiles> secrets;  // unmounted before the scratch directory goes
    MountInputs inputs{scratch, binds, o_.secrets, secrets, o_.ssh};
    auto mounted = resolve_mounts(ins.mounts, working_dir(state), o_.root, view, inputs);
    if (!mounted) return std::move(mounted).error().context(where(df_, ins) + ": RUN");
    RunSpec spec;
    spec.args = argv;
    spec.env = run_env(state);
    spec.env.insert(spec.env.end(), mounted->env.begin(), mounted->env.end());
    spec.cwd = working_dir(state);
    spec.user = str_field(state, "User");
    spec.network = network == "none" ? RunNetwork::none : network == "host" ? RunNetwork::host : RunNetwork::bridge;
    if (spec.network == RunNetwork::bridge) {
      auto net = build_network();
      if (!net) return std::move(net).error().context(where(df_, ins) + ": RUN");
      spec.attachment = (*net)->attachment(scratch_dir.container_id());
    }
    spec.lower_layers = std::move(lower);
    spec.scratch_dir = scratch;
    spec.container_id = scratch_dir.container_id();
    spec.extra_hosts = o_.extra_hosts;
    spec.shm_size = o_.shm_size;
    spec.mounts = mounted->mounts;
    spec.output = [&](std::string_view data) { emit(BuildEvent::Type::output, {}, data); };
    auto code = run_in_container(spec);
    if (!code) return std::move(code).error().context(where(df_, ins) + ": RUN " + short_text(ins.args));
    if (*code != 0) {
      return fail(Errc::conflict, df_.path + ":" + std::to_string(ins.line) + ": RUN " + short_text(ins.args) +
                                      ": exit code " + std::to_string(*code));
    }
    remove_mount_stubs(scratch + "/upper", mounted->stubs);
    return write_upper_layer(ingest_->blobs(), scratch + "/upper", o_.source_date_epoch);
  });
}

Result<std::unique_ptr<SourceTree>> Builder::source_tree(const Instruction& ins, const Source& source, std::string& source_id) {
  std::vector<std::string> dirs;
  if (source.type == Source::Type::context) {
    // Its files enter the step's key by content (the selection's digest), as the main context's.
    source_id = "context:" + source.image;
    return named_tree(source.image);
  }
  if (source.type == Source::Type::stage) {
    const StageState& from = done_.at(source.stage);
    STACK_ASSIGN_OR_RETURN(dirs, layer_dirs(from));
    source_id = "stage:" + from.key;
    const Stage& s = df_.stages[static_cast<size_t>(source.stage)];
    return view_tree(RootfsView(dirs), s.name.empty() ? "stage " + std::to_string(s.index) : "stage '" + s.name + "'");
  }
  STACK_ASSIGN_OR_RETURN(image::Image img, find_image(ins, source.image));
  STACK_ASSIGN_OR_RETURN(dirs, store_.layer_dirs(img));
  source_id = "image:" + img.digest.str();
  return view_tree(RootfsView(dirs), "image '" + source.image + "'");
}

Result<std::vector<BindSource>> Builder::bind_sources(const Stage& stage, size_t index) {
  const Instruction& ins = stage.body[index];
  std::vector<BindSource> out;
  for (size_t i = 0; i < ins.mounts.size(); ++i) {
    STACK_ASSIGN_OR_RETURN(RunMount m, parse_run_mount(ins.mounts[i]));
    const bool seed = m.type == RunMount::Type::cache && !m.from.empty();
    if (m.type != RunMount::Type::bind && !seed) continue;
    std::unique_ptr<SourceTree> other;
    const SourceTree* tree = context_.get();
    std::string source_id = "context";
    if (auto f = plan_.mount_from.find({stage.index, index, i}); f != plan_.mount_from.end()) {
      STACK_ASSIGN_OR_RETURN(other, source_tree(ins, f->second, source_id));
      tree = other.get();
    }
    std::string source = m.source.empty() ? "." : m.source;
    auto at = [&](util::Error e) {
      return std::move(e).context(where(df_, ins) + ": RUN --mount=type=" + (seed ? "cache" : "bind") + ",source=" + source);
    };
    CopyRequest request{{source}, "/" + std::string(kBindRoot), false};
    request.memo_dir = util::StateRoot(o_.root).build_cache_files();
    auto selection = select_sources(*tree, request, RootfsView({}));
    if (!selection) return at(std::move(selection).error());
    for (const CopyItem& item : selection->items) {
      if (item.dest == kBindRoot && S_ISLNK(item.source.st.st_mode)) {
        return at(util::Error(Errc::unsupported, "a symbolic link cannot be mounted: name what it points to"));
      }
    }
    const auto from = plan_.mount_from.find({stage.index, index, i});
    const bool context_files = other == nullptr || from->second.type == Source::Type::context;
    out.push_back({i, std::move(*selection), context_files, seed});
  }
  return out;
}

Result<void> Builder::copy_step(const Stage& stage, size_t index, StageState& state) {
  const Instruction& ins = stage.body[index];
  std::string name = kind_name(ins.kind);
  auto at = [&](util::Error e) { return std::move(e).context(where(df_, ins) + ": " + name); };
  Vars vars = expansion_vars(state);
  auto words = copy_words(ins, vars);
  if (!words) return at(std::move(words).error());
  if (words->size() < 2) return fail(Errc::invalid_argument, where(df_, ins) + ": " + name + " needs a source and a destination");
  auto request = copy_request(ins, vars, std::move(*words), working_dir(state));
  if (!request) return at(std::move(request).error());
  CopyRequest& req = *request;
  req.digest = false;  // the key covers the layer's digest instead (below), or a checksum
  const bool has_urls = std::any_of(req.sources.begin(), req.sources.end(), [](const std::string& s) { return is_url_source(s); });
  auto checksum = add_checksum(ins, vars, req);
  if (!checksum) return at(std::move(checksum).error());

  STACK_ASSIGN_OR_RETURN(std::vector<std::string> dirs, layer_dirs(state));
  RootfsView dest_view(dirs);
  std::unique_ptr<SourceTree> other;
  const SourceTree* tree = context_.get();
  std::string source_id = "context";
  if (auto f = plan_.copy_from.find({stage.index, index}); f != plan_.copy_from.end()) {
    STACK_ASSIGN_OR_RETURN(other, source_tree(ins, f->second, source_id));
    tree = other.get();
  }
  auto options = copy_options(ins, vars, dest_view);
  if (!options) return at(std::move(options).error());
  const CopyOptions& opts = *options;
  if (req.add) {
    auto git = git_source_of(ins, vars, req.sources);
    if (!git) return at(std::move(git).error());
    if (*git) return add_git_step(ins, **git, req, opts, dest_view, state);
  }
  // Heredocs and downloads are written to a scratch directory that lasts until the layer is made.
  std::optional<ScratchDir> scratch;
  if (has_urls || !ins.heredocs.empty()) {
    STACK_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::make(o_.root));
    scratch.emplace(std::move(dir));
    if (auto written = write_heredocs(ins, vars, scratch->path(), req); !written) return at(std::move(written).error());
  }
  json owner = opts.chown ? json({opts.chown->first, opts.chown->second}) : json(nullptr);
  json mode = opts.chmod ? json(*opts.chmod) : json(nullptr);
  auto make_layer = [&](const CopySelection& sel) -> Result<image::LayerInfo> {
    auto layer = write_copy_layer(ingest_->blobs(), sel, dest_view, opts);
    if (!layer) return at(std::move(layer).error());
    return layer;
  };
  if (*checksum) {
    // The checksum names the content: a step cached under it needs no download (BuildKit's rule).
    json desc = {name, "url", req.dest, req.sources, "sha256:" + **checksum, owner, mode};
    return cached_layer(ins, step_key(state.key, desc.dump()), state, [&]() -> Result<image::LayerInfo> {
      if (auto fetched = fetch_urls(scratch->path(), *checksum, req); !fetched) return at(std::move(fetched).error());
      auto sel = select_sources(*tree, req, dest_view);
      if (!sel) return at(std::move(sel).error());
      return make_layer(*sel);
    });
  }
  if (has_urls) {
    if (auto fetched = fetch_urls(scratch->path(), std::nullopt, req); !fetched) return at(std::move(fetched).error());
  }
  // The key covers the digest of the layer the step makes: the layer's writer hashes its tar in
  // the one read of the files that the layer needs anyway, where keying by the files' own digests
  // would hash them a second time. The digest is remembered while the sources keep their
  // identities and times (layer_memo.hpp), so an unchanged rebuild reads nothing.
  auto sel = select_sources(*tree, req, dest_view);
  if (!sel) return at(std::move(sel).error());
  json desc = {name, source_id, req.dest, req.sources, owner, mode};
  const std::string step = desc.dump();
  const LayerMemo memo(util::StateRoot(o_.root).build_cache_layers());
  std::optional<image::LayerInfo> made;
  std::optional<std::string> layer = memo.remembered(state.key, step, sel->items);
  if (!layer) {
    // A first build, or sources changed: should the key be cached after all (an edit undone),
    // the cached layer is this one, and its new copy is dropped unsynced (BlobWriter::commit).
    STACK_ASSIGN_OR_RETURN(made, make_layer(*sel));
    layer = made->diff_id.str();
    memo.remember(state.key, step, sel->items, *layer);
  }
  desc.push_back("layer " + *layer);
  return cached_layer(ins, step_key(state.key, desc.dump()), state, [&]() -> Result<image::LayerInfo> {
    if (made) return *made;
    // The remembered layer, if stored, is only re-derived and compared: nothing new is written.
    CopyOptions remembered = opts;
    if (auto d = image::Digest::parse(*layer)) remembered.repeats = *d;
    auto again = write_copy_layer(ingest_->blobs(), *sel, dest_view, remembered);
    // A source written between its stat and its read: the key would name another layer.
    if ((!again && again.error().code() == Errc::conflict) || (again && again->diff_id.str() != *layer)) {
      return at(util::Error(Errc::io, "a source changed while it was being copied; build again"));
    }
    if (!again) return at(std::move(again).error());
    return again;
  });
}

}  // namespace stack::build
