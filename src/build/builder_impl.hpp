// The builder's internals, shared by builder.cpp (preparation, stages, commit) and
// builder_steps.cpp (RUN, COPY, ADD). Not part of the module's API: see builder.hpp.
#pragma once

#include <map>
#include <memory>
#include <optional>

#include "build/build_network.hpp"
#include "build/builder.hpp"
#include "build/copy_layer.hpp"
#include "build/copy_sources.hpp"
#include "build/dockerfile.hpp"
#include "build/dockerignore.hpp"
#include "build/git_source.hpp"
#include "build/shell_lex.hpp"
#include "build/stage_graph.hpp"
#include "build/stage_state.hpp"
#include "build/exported_cache.hpp"
#include "build/step_cache.hpp"

namespace stack::build {

// A RUN --mount=type=bind's files, or the files a cache mount with from= starts with, selected as
// COPY selects its sources, into kBindRoot.
inline constexpr const char* kBindRoot = "mount";
struct BindSource {
  size_t mount = 0;          // its index among the step's mounts
  CopySelection selection;
  bool from_context = false; // files of the context are owned by root in the step, as COPY's are
  bool cache_seed = false;   // a cache mount's from=, not a bind mount
};

class Builder {
 public:
  Builder(image::Store& store, const BuildOptions& options, const BuildProgress& progress)
      : store_(store), o_(options), progress_(progress) {}
  Result<BuildResult> run();
  // Removes the build network, if one was made; a failure is a warning (the next build sweeps it).
  void remove_network();

 private:
  Result<void> prepare();
  Result<bool> insert_onbuild_triggers(Stage& stage);
  Result<void> check_stage(const Stage& stage);
  Result<void> check_instruction(const Stage& stage, size_t index);
  // tree: the main context unless given (a named directory context's).
  Result<void> check_copy_sources(const Instruction& ins, const SourceTree* tree = nullptr);
  // Inside the context, present, not ignored (a path with a wildcard or a variable: later).
  Result<void> check_context_path(const std::string& path, const SourceTree* tree = nullptr);
  Result<image::Image> find_image(const Instruction& ins, const std::string& ref);
  Result<StageState> start_stage(const Stage& stage);
  Result<void> step(const Stage& stage, size_t index, StageState& state);
  Result<void> run_step(const Stage& stage, size_t index, StageState& state);
  Result<std::vector<BindSource>> bind_sources(const Stage& stage, size_t index);
  // The files of COPY --from or a bind mount's from=: a stage's or an image's; source_id names it.
  Result<std::unique_ptr<SourceTree>> source_tree(const Instruction& ins, const Source& source, std::string& source_id);
  // builder.cpp: each named directory context present, its .dockerignore read.
  Result<void> prepare_named_contexts();
  // builder.cpp: the imported caches that exist (a registry's that cannot be read is a warning);
  // the steps used, into each export.
  Result<void> open_imported_caches();
  Result<void> export_caches();
  // --cache-to type=inline: the records of the steps whose layers the image has (or that made
  // none) into its config, as BuildKit's inline cache holds the final stage's steps only.
  void add_inline_cache(StageState& state) const;
  std::unique_ptr<SourceTree> named_tree(const std::string& name) const;
  // FROM a named directory: its files as the stage's one layer, no config (BuildKit's rule).
  Result<StageState> directory_base(const Stage& stage, const std::string& name, std::string& base_id);
  Result<void> copy_step(const Stage& stage, size_t index, StageState& state);
  // add_git.cpp: ADD of a git repository (its only source), cached by the commit its ref names.
  Result<void> add_git_step(const Instruction& ins, const GitSource& src, const CopyRequest& req,
                            const CopyOptions& opts, const RootfsView& dest_view, StageState& state);
  // The git source among an ADD's sources, checked: ADD's only source, --keep-git-dir only with
  // one; its --checksum (expanded) is the commit expected.
  Result<std::optional<GitSource>> git_source_of(const Instruction& ins, const Vars& vars, const std::vector<std::string>& sources);
  // copy_inputs.cpp: a COPY's or ADD's words expanded, a heredoc source as "<<MARKER"; the
  // request they make (sources, destination below the working directory, --exclude); the
  // options (--chown through the stage's files, --chmod); the heredocs' files, and ADD's
  // downloads (checked against --checksum), as prepared sources.
  Result<std::vector<std::string>> copy_words(const Instruction& ins, const Vars& vars);
  Result<CopyRequest> copy_request(const Instruction& ins, const Vars& vars, std::vector<std::string> words,
                                   const std::string& workdir);
  Result<CopyOptions> copy_options(const Instruction& ins, const Vars& vars, const RootfsView& dest_view);
  Result<void> write_heredocs(const Instruction& ins, const Vars& vars, const std::string& dir, CopyRequest& req);
  Result<void> fetch_urls(const std::string& dir, const std::optional<std::string>& checksum, CopyRequest& req);
  // ADD --checksum, expanded and parsed; only for a single URL source, as BuildKit allows it.
  Result<std::optional<std::string>> add_checksum(const Instruction& ins, const Vars& vars, const CopyRequest& req);
  // Looks the key up (unless --no-cache); otherwise makes the layer and records it.
  Result<void> cached_layer(const Instruction& ins, const std::string& key, StageState& state,
                            const std::function<Result<image::LayerInfo>()>& make);
  Result<std::vector<std::string>> layer_dirs(const StageState& state);
  // The build network, made at the first RUN that needs it; it goes with the builder.
  Result<const BuildNetwork*> build_network();
  void emit(BuildEvent::Type type, std::string text = {}, std::string_view data = {});

  image::Store& store_;
  const BuildOptions& o_;
  const BuildProgress& progress_;
  Dockerfile df_;
  StagePlan plan_;
  IgnoreRules ignore_;
  std::map<std::string, IgnoreRules> named_ignore_;  // a named directory context's own rules
  std::unique_ptr<SourceTree> context_;
  std::optional<StepCache> cache_;
  std::vector<std::unique_ptr<CacheImport>> cache_from_;        // the imports that exist
  std::vector<std::pair<std::string, CachedStep>> steps_used_;  // by key, for the exports
  std::unique_ptr<image::Ingest> ingest_;
  std::map<std::string, image::Image> images_;  // by reference as written
  std::map<int, StageState> done_;               // finished stages
  std::set<std::string> consumed_;
  std::set<int> triggers_inserted_;              // stages whose base image's triggers are in their body
  BuildResult result_;
  int total_ = 0;
  std::string dockerfile_path_;
  std::unique_ptr<BuildHost> net_host_;  // before network_: it outlives it
  std::optional<BuildNetwork> network_;
};

}  // namespace stack::build
