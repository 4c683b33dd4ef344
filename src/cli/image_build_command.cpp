// `stack image build -t NAME[:TAG] [-f FILE] [--build-arg K=V]... [--target STAGE] [--no-cache]
// [--pull] [--network none|default|host] [--label K=V]... [--secret id=ID,src=FILE|env=VAR]...
// [--ssh default|ID=SOCKET]...
// [--build-context NAME=DIR|docker-image://REF]... [--progress plain|tty] CONTEXT`: builds an image
// from a Dockerfile (src/build/). Progress goes to stderr as `docker build` prints it (step N/M,
// CACHED, the time of each step, RUN output streamed; with tty progress, RUN output is held back
// and only its tail shown when the step fails); the image id alone goes to stdout.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <tuple>

#include "build/builder.hpp"
#include "build/named_context.hpp"
#include "build/secret_option.hpp"
#include "build/ssh_option.hpp"
#include "cli/build_progress.hpp"
#include "cli/global_options.hpp"
#include "cli/image_verbs.hpp"
#include "util/build_cache_option.hpp"

namespace stack::cli {
namespace {

class ImageBuildCommand final : public Command {
 public:
  std::string name() const override { return "build"; }
  std::string summary() const override { return "Build an image from a Dockerfile"; }

  void setup(CLI::App& app) override {
    app.add_option("CONTEXT", context_, "The build context: a directory, a git repository URL[#REF[:SUBDIR]], or an http(s) URL of a tarball or a Dockerfile")->required();
    app.add_option("-t,--tag", tags_, "NAME[:TAG] for the image (repeatable)");
    app.add_option("-f,--file", file_, "The Dockerfile (default: CONTEXT/Dockerfile)");
    app.add_option("--build-arg", build_args_, "Build argument KEY=VALUE, or KEY from the environment (repeatable)");
    app.add_option("--target", target_, "The stage to build (default: the last one)");
    app.add_flag("--no-cache", no_cache_, "Run every step, whatever the step cache holds");
    app.add_flag("--pull", pull_, "Pull every base image from its registry first");
    app.add_option("--network", network_, "Network of RUN steps: none, default (a bridge of the build's) or host");
    app.add_option("--label", labels_, "Label KEY=VALUE for the image (repeatable)");
    app.add_option("--secret", secrets_, "A secret for RUN --mount=type=secret: id=ID,src=FILE or id=ID,env=VARIABLE (repeatable)");
    app.add_option("--ssh", ssh_, "An SSH agent for RUN --mount=type=ssh: default (SSH_AUTH_SOCK) or ID=SOCKET (repeatable)");
    app.add_option("--build-context", contexts_,
                   "A named context NAME=VALUE: a directory, docker-image://REF, oci-layout://DIR[:TAG][@DIGEST], a git repository URL or a tarball's http(s) URL (repeatable)");
    app.add_option("--cache-from", cache_from_,
                   "Import a step cache: type=local,src=DIR or type=registry,ref=IMAGE (repeatable)");
    app.add_option("--cache-to", cache_to_,
                   "Export the build's steps: type=local,dest=DIR or type=registry,ref=IMAGE[,mode=min|max], or type=inline "
                   "(repeatable)");
    app.add_option("--progress", progress_, "Progress output: plain or tty (default: tty on a terminal)")
        ->check(CLI::IsMember({"plain", "tty", "auto"}));
  }

  int run(const GlobalOptions& global) override {
    if (network_ != "none" && network_ != "default" && network_ != "host") {
      return usage("--network '" + network_ + "': " + std::string(build::kBuildNetworkModes));
    }
    build::BuildOptions o;
    o.root = global.root;
    o.context_dir = context_;
    o.dockerfile = file_;
    o.target = target_;
    o.no_cache = no_cache_;
    o.pull = pull_;
    o.network = network_;
    o.ip_masq = global.ip_masq;
    o.network_pool = global.build_pool;
    o.tags = tags_;
    for (const auto& a : build_args_) {
      if (!split_pair(a, o.build_args, true)) return usage("--build-arg '" + a + "': expected KEY=VALUE or KEY");
    }
    for (const auto& l : labels_) {
      if (!split_pair(l, o.labels, false)) return usage("--label '" + l + "': expected KEY=VALUE");
    }
    for (const auto& s : secrets_) {
      auto secret = build::read_secret_option(s, [](const char* name) { return std::getenv(name); });
      if (!secret) return usage(secret.error().message());
      o.secrets.insert_or_assign(secret->first, std::move(secret->second));
    }
    for (const auto& s : ssh_) {
      auto agent = build::read_ssh_option(s, [](const char* name) { return std::getenv(name); });
      if (!agent) return usage(agent.error().message());
      o.ssh.insert_or_assign(agent->first, std::move(agent->second));
    }
    for (const auto& c : contexts_) {
      std::error_code ec;
      auto named = build::parse_build_context_flag(c, std::filesystem::current_path(ec).string());
      if (!named) return usage(named.error().message());
      o.contexts.insert_or_assign(named->first, std::move(named->second));
    }
    for (auto [values, direction, into] : {std::tuple{&cache_from_, util::CacheDirection::from, &o.cache_from},
                                           std::tuple{&cache_to_, util::CacheDirection::to, &o.cache_to}}) {
      for (const std::string& v : *values) {
        auto cache = util::parse_cache_option(v, direction);
        if (!cache) return usage((direction == util::CacheDirection::from ? "--cache-from " : "--cache-to ") + cache.error().message());
        std::error_code ec;
        if (cache->type == util::CacheType::local) {
          cache->location = std::filesystem::absolute(cache->location, ec).lexically_normal().string();
        }
        into->push_back(std::move(*cache));
      }
    }
    auto epoch = source_date_epoch();
    if (!epoch) return usage(epoch.error().message());
    o.source_date_epoch = *epoch;
    auto store = open_image_store(global.root, std::cerr);
    if (!store) return kExitFailure;
    BuildProgressPrinter progress(progress_is_tty(progress_));
    auto built = build::build_image(*store, o, [&](const build::BuildEvent& e) { progress(e); });
    if (!built) {
      progress.print_tail();
      std::cerr << "stack: " << built.error().message() << "\n";
      return kExitFailure;
    }
    print_built(*built);
    std::cout << built->image.id.str() << "\n";
    return kExitOk;
  }

 private:
  static int usage(const std::string& what) {
    std::cerr << "stack: image build: " << what << "\n";
    return kExitUsage;
  }

  std::string context_;
  std::vector<std::string> tags_;
  std::string file_;
  std::vector<std::string> build_args_;
  std::string target_;
  bool no_cache_ = false;
  bool pull_ = false;
  std::string network_ = "default";
  std::vector<std::string> labels_;
  std::vector<std::string> secrets_;
  std::vector<std::string> ssh_;
  std::vector<std::string> contexts_;
  std::vector<std::string> cache_from_, cache_to_;
  std::string progress_ = "auto";
};

[[maybe_unused]] const bool kImageBuildRegistered = register_image_verb(
    []() -> std::unique_ptr<Command> { return std::make_unique<ImageBuildCommand>(); });

}  // namespace
}  // namespace stack::cli
