#include "build/builder.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "build/builder_impl.hpp"
#include "build/cache_key.hpp"
#include "build/copy_layer.hpp"
#include "build/git_source.hpp"
#include "build/metadata_steps.hpp"
#include "build/registry_cache.hpp"
#include "build/run_mount.hpp"
#include "build/scratch_dir.hpp"
#include "build/url_context.hpp"
#include "build/url_source.hpp"
#include "image/pull.hpp"
#include "image/reference.hpp"
#include "util/state_root.hpp"

namespace stack::build {

using util::Errc;
using util::fail;

namespace {

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return util::Error::from_errno("open Dockerfile '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

void Builder::emit(BuildEvent::Type type, std::string text, std::string_view data) {
  if (!progress_) return;
  BuildEvent e;
  e.type = type;
  e.step = result_.steps;
  e.total = total_;
  e.text = std::move(text);
  e.data = data;
  progress_(e);
}

Result<image::Image> Builder::find_image(const Instruction& ins, const std::string& ref) {
  if (auto it = images_.find(ref); it != images_.end()) return it->second;
  if (o_.pull && !ref.starts_with("sha256:")) {  // a digest alone (an oci-layout context) is local
    auto pulled = image::ensure_image(store_, ref, image::PullPolicy::always, {});
    if (!pulled) return std::move(pulled).error().context(where(df_, ins));
    images_[ref] = *pulled;
    return *pulled;
  }
  auto found = store_.find(ref);
  if (!found) return std::move(found).error().context(where(df_, ins));
  if (!*found) {
    return fail(Errc::not_found, where(df_, ins) + ": image '" + ref +
                                     "' is not in the local store (stack image pull or load it first)");
  }
  images_[ref] = **found;
  return **found;
}

Result<void> Builder::prepare() {
  dockerfile_path_ = o_.dockerfile.empty() ? o_.context_dir + "/Dockerfile" : o_.dockerfile;
  struct stat st {};
  if (::stat(o_.context_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return fail(Errc::not_found, "build context '" + o_.context_dir + "' is not a directory");
  }
  std::string text = o_.dockerfile_text;
  if (text.empty()) {
    STACK_ASSIGN_OR_RETURN(text, read_text(dockerfile_path_));
  }
  std::string label = dockerfile_path_.substr(dockerfile_path_.find_last_of('/') + 1);
  STACK_ASSIGN_OR_RETURN(df_, parse_dockerfile(text, label));
  STACK_ASSIGN_OR_RETURN(ignore_, load_ignore_rules(o_.context_dir, dockerfile_path_));
  context_ = context_tree(o_.context_dir, ignore_);
  STACK_TRY(prepare_named_contexts());
  STACK_ASSIGN_OR_RETURN(plan_, plan_stages(df_, o_.target, o_.build_args, o_.contexts));
  // A trigger may COPY --from a stage that no stage needed yet: plan again until nothing is new.
  for (bool again = true; again;) {
    again = false;
    for (int s : plan_.order) {
      STACK_ASSIGN_OR_RETURN(bool inserted, insert_onbuild_triggers(df_.stages[static_cast<size_t>(s)]));
      again = again || inserted;
    }
    if (again) {
      STACK_ASSIGN_OR_RETURN(plan_, plan_stages(df_, o_.target, o_.build_args, o_.contexts));
    }
  }
  consumed_ = plan_.consumed_args;
  if (o_.network != "none" && o_.network != "default" && o_.network != "host") {
    return fail(Errc::invalid_argument, "--network '" + o_.network + "': " + std::string(kBuildNetworkModes));
  }
  if (!o_.network_pool.empty()) STACK_TRY(parse_build_pool(o_.network_pool));
  for (int s : plan_.order) {
    STACK_TRY(check_stage(df_.stages[static_cast<size_t>(s)]));
    total_ += 1 + static_cast<int>(df_.stages[static_cast<size_t>(s)].body.size());
  }
  STACK_ASSIGN_OR_RETURN(cache_, StepCache::open(util::StateRoot(o_.root).build_cache()));
  return open_imported_caches();
}

Result<void> Builder::open_imported_caches() {
  for (const util::CacheOption& c : o_.cache_from) {
    if (c.type == util::CacheType::local) {
      STACK_ASSIGN_OR_RETURN(std::optional<ExportedCache> dir, ExportedCache::open_existing(c.location));
      if (dir) cache_from_.push_back(std::make_unique<ExportedCache>(std::move(*dir)));
      continue;
    }
    // A tag the registry does not have is a first run: nothing to import. Anything else that
    // keeps the cache from being read is a warning and the build goes on without it, as BuildKit's.
    auto opened = RegistryCache::open(c.location);
    if (opened) {
      cache_from_.push_back(std::move(*opened));
    } else if (opened.error().code() != Errc::not_found) {
      emit(BuildEvent::Type::warning, "--cache-from " + c.location + ": " + opened.error().message() +
                                          "; building without it");
    }
  }
  return util::ok();
}

void Builder::add_inline_cache(StageState& state) const {
  auto is_inline = [](const util::CacheOption& c) { return c.type == util::CacheType::in_image; };
  if (std::none_of(o_.cache_to.begin(), o_.cache_to.end(), is_inline)) return;
  std::set<image::Digest> layers;
  for (const image::LayerInfo& l : state.layers) layers.insert(l.blob);
  UsedSteps steps;
  for (const auto& [key, step] : steps_used_) {
    if (!step.layer || layers.count(step.layer->blob)) steps.emplace_back(key, step);
  }
  state.config[kInlineCacheField] = cache_records(steps);
}

// Every step this build took or made, with its layer, into each export (mode=min and max alike);
// an inline cache is in the image already.
Result<void> Builder::export_caches() {
  for (const util::CacheOption& c : o_.cache_to) {
    if (c.type == util::CacheType::in_image) continue;
    if (c.type == util::CacheType::registry) {
      auto pushed = push_registry_cache(c.location, steps_used_, ingest_->blobs());
      if (!pushed) return std::move(pushed).error().context("--cache-to " + c.location);
      continue;
    }
    STACK_ASSIGN_OR_RETURN(ExportedCache to, ExportedCache::create(c.location));
    for (const auto& [key, step] : steps_used_) STACK_TRY(to.put(key, step, ingest_->blobs()));
  }
  return util::ok();
}

Result<void> Builder::prepare_named_contexts() {
  for (const auto& [name, c] : o_.contexts) {
    if (c.type != NamedContext::Type::directory) continue;
    struct stat st {};
    if (::stat(c.value.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return fail(Errc::not_found, "build context '" + name + "': '" + c.value + "' is not a directory");
    }
    auto rules = load_dir_ignore_rules(c.value);
    if (!rules) return std::move(rules).error().context("build context '" + name + "'");
    named_ignore_[name] = std::move(*rules);
  }
  return util::ok();
}

std::unique_ptr<SourceTree> Builder::named_tree(const std::string& name) const {
  return context_tree(o_.contexts.at(name).value, named_ignore_.at(name), "build context '" + name + "'");
}

Result<StageState> Builder::directory_base(const Stage& stage, const std::string& name, std::string& base_id) {
  StageState state = scratch_state();
  std::unique_ptr<SourceTree> tree = named_tree(name);
  CopyRequest request{{"."}, "/", false};
  request.digest = false;  // the layer's digest names the base (as a COPY's key covers it)
  RootfsView empty({});
  auto selection = select_sources(*tree, request, empty);
  if (!selection) return std::move(selection).error().context(where(df_, stage.from) + ": FROM context '" + name + "'");
  CopyOptions options;
  options.epoch = o_.source_date_epoch;
  auto layer = write_copy_layer(ingest_->blobs(), *selection, empty, options);
  if (!layer) return std::move(layer).error().context(where(df_, stage.from) + ": FROM context '" + name + "'");
  state.layers.push_back(*layer);
  add_history(state, stage.from.original, false, o_.source_date_epoch);
  base_id = "context:" + layer->diff_id.str();
  return state;
}

// A base image's ONBUILD triggers run first in a stage built on it, in order, as docker runs
// them: each becomes an instruction right after FROM, placed at the FROM for messages. (A stage
// based on another stage of the same file does not run that stage's triggers.)
Result<bool> Builder::insert_onbuild_triggers(Stage& stage) {
  const Source& base = plan_.base.at(stage.index);
  if (base.type != Source::Type::image || !triggers_inserted_.insert(stage.index).second) return false;
  STACK_ASSIGN_OR_RETURN(image::Image img, find_image(stage.from, base.image));
  STACK_ASSIGN_OR_RETURN(StageState probe, image_state(img, ingest_->blobs()));
  const auto& c = run_section(probe);
  auto it = c.find("OnBuild");
  if (it == c.end() || !it->is_array() || it->empty()) return false;
  std::vector<Instruction> triggers;
  for (const nlohmann::json& t : *it) {
    std::string text = t.is_string() ? t.get<std::string>() : t.dump();
    auto refuse = [&](const std::string& why) {
      return fail(Errc::invalid_argument, where(df_, stage.from) + ": ONBUILD trigger '" + text + "' of image '" +
                                              base.image + "': " + why);
    };
    if (!t.is_string()) return refuse("not a string");
    auto parsed = parse_dockerfile("FROM scratch\n" + text + "\n", "ONBUILD");
    if (!parsed) {
      std::string message = parsed.error().message();  // "ONBUILD:2:1: why"
      for (int colons = 0; colons < 3 && message.find(':') != std::string::npos; ++colons) message.erase(0, message.find(':') + 1);
      return refuse(message.substr(message.find_first_not_of(' ')));
    }
    if (parsed->stages.size() != 1 || parsed->stages[0].body.size() != 1) return refuse("not one instruction");
    Instruction ins = std::move(parsed->stages[0].body[0]);
    ins.line = stage.from.line;
    ins.column = stage.from.column;
    ins.triggered = true;
    triggers.push_back(std::move(ins));
  }
  stage.body.insert(stage.body.begin(), triggers.begin(), triggers.end());
  return true;
}

Result<void> Builder::check_stage(const Stage& stage) {
  const Source& base = plan_.base.at(stage.index);
  if (base.type == Source::Type::image) STACK_TRY(find_image(stage.from, base.image));
  for (size_t i = 0; i < stage.body.size(); ++i) STACK_TRY(check_instruction(stage, i));
  return util::ok();
}

Result<void> Builder::check_instruction(const Stage& stage, size_t index) {
  const Instruction& ins = stage.body[index];
  auto unsupported = [&](const std::string& what) {
    return fail(Errc::unsupported, where(df_, ins) + ": " + what + " is not supported yet");
  };
  if (ins.kind == Kind::run) {
    for (size_t i = 0; i < ins.mounts.size(); ++i) {
      auto m = parse_run_mount(ins.mounts[i]);
      if (!m) return fail(m.error().code(), where(df_, ins) + ": RUN " + m.error().message());
      if (m->type == RunMount::Type::secret && m->required && !o_.secrets.count(m->id)) {
        return fail(Errc::not_found, where(df_, ins) + ": RUN --mount=type=secret: secret '" + m->id +
                                         "' is required but was not given (--secret id=" + m->id + ",src=FILE)");
      }
      if (m->type == RunMount::Type::ssh && m->required && !o_.ssh.count(m->id)) {
        return fail(Errc::not_found, where(df_, ins) + ": RUN --mount=type=ssh: ssh agent '" + m->id +
                                         "' is required but was not given (--ssh " + m->id + "[=SOCKET])");
      }
      auto from = plan_.mount_from.find({stage.index, index, i});
      if (from != plan_.mount_from.end() && from->second.type == Source::Type::image) STACK_TRY(find_image(ins, from->second.image));
      const bool named = from != plan_.mount_from.end() && from->second.type == Source::Type::context;
      if (m->type == RunMount::Type::bind && (from == plan_.mount_from.end() || named)) {
        auto tree = named ? named_tree(from->second.image) : nullptr;
        auto checked = check_context_path(m->source.empty() ? "." : m->source, tree.get());
        if (!checked) return std::move(checked).error().context(where(df_, ins) + ": RUN --mount=type=bind,source=" + m->source);
      }
    }
    if (ins.flags.count("security")) return unsupported("RUN --security");
    if (auto n = ins.flags.find("network"); n != ins.flags.end() && n->second != "none" && n->second != "default" && n->second != "host") {
      return fail(Errc::invalid_argument, where(df_, ins) + ": RUN --network='" + n->second + "': expected none, default or host");
    }
  }
  if (ins.kind != Kind::copy && ins.kind != Kind::add) return util::ok();
  std::string name = kind_name(ins.kind);
  for (const auto& pattern : ins.excludes) {
    if (auto rules = IgnoreRules::parse(pattern, "--exclude"); !rules) {
      return fail(Errc::invalid_argument, where(df_, ins) + ": " + name + " --exclude=" + pattern + ": " + rules.error().message());
    }
  }
  const std::vector<std::string> words = ins.exec_form ? ins.exec : split_raw(ins.args, df_.escape);
  if (auto c = ins.flags.find("checksum"); c != ins.flags.end() && c->second.find('$') == std::string::npos) {
    // A git repository's checksum is its commit id (BuildKit's rule); a download's, its sha256. A
    // source with a variable is told when its step expands it.
    const bool git = words.size() == 2 && is_git_source(words.front());
    const bool known = words.size() != 2 || words.front().find('$') == std::string::npos;
    if (known) STACK_TRY((git ? parse_git_checksum(c->second) : parse_add_checksum(c->second)).context(where(df_, ins) + ": ADD"));
  }
  if (auto m = ins.flags.find("chmod"); m != ins.flags.end() && m->second.find('$') == std::string::npos) {
    STACK_TRY(parse_chmod(m->second).context(where(df_, ins)));
  }
  if (words.size() < 2) return fail(Errc::invalid_argument, where(df_, ins) + ": " + name + " needs a source and a destination");
  auto from = plan_.copy_from.find({stage.index, index});
  if (from != plan_.copy_from.end()) {
    if (from->second.type == Source::Type::image) STACK_TRY(find_image(ins, from->second.image));
    if (from->second.type == Source::Type::context) return check_copy_sources(ins, named_tree(from->second.image).get());
    return util::ok();
  }
  return check_copy_sources(ins);
}

// Sources without variables are checked now: inside the context, present, not ignored.
Result<void> Builder::check_copy_sources(const Instruction& ins, const SourceTree* tree) {
  std::vector<std::string> words = ins.exec_form ? ins.exec : split_raw(ins.args, df_.escape);
  words.pop_back();
  bool heredocs = !ins.heredocs.empty() && !ins.exec_form;
  const bool checksum = ins.kind == Kind::add && ins.flags.count("checksum");
  if (checksum && (heredocs || words.size() != 1)) return fail(Errc::invalid_argument, where(df_, ins) + ": ADD " + kChecksumSources);
  bool git_words = false, variables = false;
  for (const std::string& w : words) variables = variables || w.find('$') != std::string::npos;
  for (const std::string& w : words) {
    if (heredocs && w.starts_with("<<")) continue;  // written by the step (copy_inputs.cpp)
    if (w.find('$') != std::string::npos || w.find_first_of("\"'") != std::string::npos) continue;
    if (is_url_source(w)) {
      if (ins.kind == Kind::add) continue;  // downloaded by the step
      return fail(Errc::invalid_argument, where(df_, ins) + ": COPY: a URL ('" + w + "') is not a source for COPY: use ADD");
    }
    if (auto git = parse_git_source(w); !git || *git) {
      if (!git) return fail(Errc::invalid_argument, where(df_, ins) + ": " + kind_name(ins.kind) + ": " + git.error().message());
      if (ins.kind != Kind::add) {
        return fail(Errc::invalid_argument, where(df_, ins) + ": COPY: a git repository ('" + w + "') is not a source for COPY: use ADD");
      }
      if (words.size() != 1 || heredocs) {
        return fail(Errc::unsupported, where(df_, ins) + ": ADD: a git repository ('" + w + "') must be ADD's only source");
      }
      git_words = true;
      continue;  // fetched by the step (add_git.cpp)
    }
    if (checksum) return fail(Errc::invalid_argument, where(df_, ins) + ": ADD " + kChecksumSources);
    STACK_TRY(check_context_path(w, tree).context(where(df_, ins)));
  }
  if (ins.flags.count("keep-git-dir") && !git_words && !variables) {
    return fail(Errc::invalid_argument, where(df_, ins) + ": ADD --keep-git-dir needs a git repository as the source");
  }
  return util::ok();
}

Result<void> Builder::check_context_path(const std::string& path, const SourceTree* tree) {
  const SourceTree& t = tree ? *tree : *context_;
  std::string clean = clean_path(path);
  if (clean == ".." || clean.starts_with("../")) {
    return fail(Errc::invalid_argument, "source '" + path + "' is outside the " + t.describe());
  }
  if (clean.find_first_of("*?[") != std::string::npos || path.find('$') != std::string::npos) return util::ok();
  auto e = t.stat(clean);
  if (!e || (t.excluded(clean) && (!S_ISDIR(e->st.st_mode) || !t.has_exceptions()))) {
    return fail(Errc::not_found, "'" + path + "' not found in the " + t.describe() + " (or excluded by .dockerignore)");
  }
  return util::ok();
}

Result<StageState> Builder::start_stage(const Stage& stage) {
  const Source& base = plan_.base.at(stage.index);
  StageState state;
  std::string base_id;
  if (base.type == Source::Type::scratch) {
    state = scratch_state();
    base_id = "scratch";
  } else if (base.type == Source::Type::context) {
    STACK_ASSIGN_OR_RETURN(state, directory_base(stage, base.image, base_id));
  } else if (base.type == Source::Type::stage) {
    state = done_.at(base.stage);
    state.args.clear();
    state.cmd_set = false;
    base_id = "stage:" + state.key;
  } else {
    STACK_ASSIGN_OR_RETURN(image::Image img, find_image(stage.from, base.image));
    STACK_ASSIGN_OR_RETURN(state, image_state(img, ingest_->blobs()));
    run_section(state).erase("OnBuild");  // they run in this stage, not in the stages built on it
    base_id = "image:" + img.digest.str();
  }
  state.key = base_key(base_id, o_.source_date_epoch);
  return state;
}

Result<void> Builder::step(const Stage& stage, size_t index, StageState& state) {
  const Instruction& ins = stage.body[index];
  if (ins.kind == Kind::run) return run_step(stage, index, state);
  if (ins.kind == Kind::copy || ins.kind == Kind::add) return copy_step(stage, index, state);
  STACK_ASSIGN_OR_RETURN(std::string done, apply_metadata(df_, ins, state, {o_.build_args, plan_.meta_args, consumed_}));
  state.key = step_key(state.key, done);
  if (ins.kind != Kind::arg) add_history(state, ins.original, true, o_.source_date_epoch);
  return util::ok();
}

Result<BuildResult> Builder::run() {
  // The store's shared lock from here to the commit: a prune waits instead of collecting blobs
  // that the build has written but no image names yet.
  STACK_ASSIGN_OR_RETURN(ingest_, store_.begin_ingest());
  STACK_TRY(prepare());
  std::vector<std::string> tag_keys;
  for (const std::string& t : o_.tags) {
    auto ref = image::Reference::parse(t);
    if (!ref || ref->digest() || !ref->tag_key()) {
      return fail(Errc::invalid_argument, "invalid tag '" + t + "'" + (ref ? "" : ": " + ref.error().message()));
    }
    tag_keys.push_back(*ref->tag_key());
  }
  for (int s : plan_.order) {
    const Stage& stage = df_.stages[static_cast<size_t>(s)];
    std::string label = stage.name.empty() ? "stage-" + std::to_string(stage.index) : stage.name;
    int n = static_cast<int>(stage.body.size()) + 1;
    ++result_.steps;
    emit(BuildEvent::Type::step, "[" + label + " 1/" + std::to_string(n) + "] " + stage.from.original);
    STACK_ASSIGN_OR_RETURN(StageState state, start_stage(stage));
    for (size_t i = 0; i < stage.body.size(); ++i) {
      ++result_.steps;
      const Instruction& ins = stage.body[i];
      emit(BuildEvent::Type::step, "[" + label + " " + std::to_string(i + 2) + "/" + std::to_string(n) + "] " +
                                       (ins.triggered ? "ONBUILD " : "") + ins.original);
      auto t0 = std::chrono::steady_clock::now();
      STACK_TRY(step(stage, i, state));
      if (progress_) {
        BuildEvent e{BuildEvent::Type::step_done, result_.steps, total_, "", {}, std::chrono::steady_clock::now() - t0};
        progress_(e);
      }
    }
    done_[s] = std::move(state);
  }
  for (const auto& [k, v] : o_.build_args) {
    if (!consumed_.count(k)) emit(BuildEvent::Type::warning, "build arg '" + k + "' was not consumed by any ARG");
  }
  StageState final_state = done_.at(plan_.order.back());
  if (!o_.labels.empty()) {
    nlohmann::json& labels = run_section(final_state)["Labels"];
    if (!labels.is_object()) labels = nlohmann::json::object();
    for (const auto& [k, v] : o_.labels) labels[k] = v;
  }
  add_inline_cache(final_state);
  STACK_ASSIGN_OR_RETURN(result_.image, commit_image(*ingest_, std::move(final_state), o_.source_date_epoch, tag_keys));
  STACK_TRY(export_caches());
  ingest_.reset();
  return result_;
}

namespace {

// A git repository's files at the commit its ref names, without .git, below scratch/leaf; the
// directory of its subdirectory (a context).
Result<std::string> check_out_context(const util::GitSource& git, const ScratchDir& scratch, const std::string& leaf) {
  STACK_ASSIGN_OR_RETURN(std::string commit, resolve_git_commit(git));
  const std::string dir = scratch.path() + "/" + leaf;
  STACK_TRY(checkout_git(git, commit, dir, false));
  return git_subdir(dir, git, commit);
}

}  // namespace

Result<BuildResult> build_image(image::Store& store, const BuildOptions& options, const BuildProgress& progress) {
  remove_stale_scratch(options.root);
  remove_stale_build_networks(*make_build_host(options.root), options.root);
  // Git repositories as the context (`docker build URL#REF:SUBDIR`) or as named contexts: checked
  // out, without .git, in a scratch directory that lives as long as the build, and then read as
  // local directories are; a relative -f is inside the context.
  BuildOptions o = options;
  std::optional<ScratchDir> checkouts;
  auto scratch = [&]() -> Result<const ScratchDir*> {
    if (!checkouts) {
      STACK_ASSIGN_OR_RETURN(ScratchDir made, ScratchDir::make(options.root));
      checkouts.emplace(std::move(made));
    }
    return &*checkouts;
  };
  auto git = parse_git_source(options.context_dir);
  if (!git) return std::move(git).error().context("build context");
  if (*git) {
    STACK_ASSIGN_OR_RETURN(const ScratchDir* dir, scratch());
    auto sub = check_out_context(**git, *dir, "git");
    if (!sub) return std::move(sub).error().context("build context '" + options.context_dir + "'");
    o.context_dir = *sub;
    if (!o.dockerfile.empty() && o.dockerfile.front() != '/') o.dockerfile = o.context_dir + "/" + o.dockerfile;
  } else if (is_url_source(options.context_dir)) {
    // A tarball is the context (a relative -f is inside it); any other file is the Dockerfile.
    STACK_ASSIGN_OR_RETURN(const ScratchDir* dir, scratch());
    auto fetched = fetch_url_context(options.context_dir, dir->path(), "url-context");
    if (!fetched) return std::move(fetched).error().context("build context '" + options.context_dir + "'");
    o.context_dir = fetched->dir;
    if (!fetched->dockerfile.empty()) {
      if (!o.dockerfile.empty()) {
        return fail(Errc::invalid_argument, "build context '" + options.context_dir +
                                                "' is a Dockerfile, not an archive: -f (dockerfile) does not apply to it");
      }
      o.dockerfile = fetched->dockerfile;
    } else if (!o.dockerfile.empty() && o.dockerfile.front() != '/') {
      o.dockerfile = o.context_dir + "/" + o.dockerfile;
    }
  }
  int named = 0;
  for (auto& [name, c] : o.contexts) {
    if (c.type == NamedContext::Type::oci_layout) {
      // Added to the store untagged, then used as docker-image:// of its manifest digest.
      std::optional<image::Digest> digest;
      if (!c.layout_digest.empty()) digest = image::Digest::from_hex(c.layout_digest.substr(7));
      auto added = store.add_layout_image(c.value, c.layout_tag, digest);
      if (!added) return std::move(added).error().context("build context '" + name + "'");
      c = NamedContext{NamedContext::Type::image, added->digest.str()};
      continue;
    }
    if (c.type != NamedContext::Type::git && c.type != NamedContext::Type::url) continue;
    auto in_context = [&](util::Error e) { return std::move(e).context("build context '" + name + "' ('" + c.value + "')"); };
    STACK_ASSIGN_OR_RETURN(const ScratchDir* dir, scratch());
    const std::string leaf = "named-" + std::to_string(named++);
    if (c.type == NamedContext::Type::url) {
      // A tarball, as BuildKit takes an http(s) named context; a lone file is no directory.
      auto fetched = fetch_url_context(c.value, dir->path(), leaf);
      if (!fetched) return in_context(std::move(fetched).error());
      if (!fetched->dockerfile.empty()) return in_context(util::Error(Errc::invalid_argument, "not a tar archive"));
      c = NamedContext{NamedContext::Type::directory, fetched->dir};
      continue;
    }
    auto source = parse_git_source(c.value);
    if (!source || !*source) return in_context(source ? util::Error(util::Errc::internal, "not a git repository") : source.error());
    auto sub = check_out_context(**source, *dir, leaf);
    if (!sub) return in_context(std::move(sub).error());
    c = NamedContext{NamedContext::Type::directory, *sub};
  }
  Builder b(store, o, progress);
  auto built = b.run();
  b.remove_network();
  return built;
}

}  // namespace stack::build
