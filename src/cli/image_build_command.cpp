// `stack image build -t NAME[:TAG] [-f FILE] [--build-arg K=V]... [--target STAGE] [--no-cache]
// [--network none|default|host] [--label K=V]... [--progress plain|tty] CONTEXT`: builds an image
// from a Dockerfile (src/build/). Progress goes to stderr as `docker build` prints it (step N/M,
// CACHED, the time of each step, RUN output streamed; with tty progress, RUN output is held back
// and only its tail shown when the step fails); the image id alone goes to stdout.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdlib>
#include <deque>
#include <iomanip>
#include <iostream>

#include "build/builder.hpp"
#include "cli/global_options.hpp"
#include "cli/image_verbs.hpp"

namespace stack::cli {
namespace {

constexpr size_t kTailLines = 20;

bool split_pair(const std::string& text, std::map<std::string, std::string>& out, bool from_env) {
  size_t eq = text.find('=');
  if (eq == 0 || text.empty()) return false;
  if (eq == std::string::npos) {
    if (!from_env) return false;
    if (const char* v = std::getenv(text.c_str())) out[text] = v;
    return true;
  }
  out[text.substr(0, eq)] = text.substr(eq + 1);
  return true;
}

class Progress {
 public:
  explicit Progress(bool tty) : tty_(tty) {}

  void operator()(const build::BuildEvent& e) {
    using T = build::BuildEvent::Type;
    switch (e.type) {
      case T::step:
        end_line();
        tail_.clear();
        std::cerr << "Step " << e.step << "/" << e.total << " " << e.text << "\n";
        break;
      case T::cached:
        std::cerr << " ---> CACHED\n";
        break;
      case T::output:
        if (!tty_) {
          std::cerr << e.data;
          open_line_ = !e.data.empty() && e.data.back() != '\n';
        }
        keep_tail(e.data);
        break;
      case T::step_done:
        end_line();
        std::cerr << " ---> done in " << std::fixed << std::setprecision(2) << e.elapsed.count() << "s\n";
        break;
      case T::warning:
        end_line();
        std::cerr << "warning: " << e.text << "\n";
        break;
    }
  }

  // With tty progress, the output of the step that failed.
  void print_tail() {
    if (!tty_ || tail_.empty()) return;
    for (const auto& l : tail_) std::cerr << "  | " << l << "\n";
  }

 private:
  void end_line() {
    if (open_line_) std::cerr << "\n";
    open_line_ = false;
  }

  void keep_tail(std::string_view data) {
    for (char c : data) {
      if (c != '\n') {
        partial_ += c;
        continue;
      }
      tail_.push_back(std::move(partial_));
      partial_.clear();
      if (tail_.size() > kTailLines) tail_.pop_front();
    }
  }

  bool tty_;
  bool open_line_ = false;
  std::string partial_;
  std::deque<std::string> tail_;
};

class ImageBuildCommand final : public Command {
 public:
  std::string name() const override { return "build"; }
  std::string summary() const override { return "Build an image from a Dockerfile"; }

  void setup(CLI::App& app) override {
    app.add_option("CONTEXT", context_, "The build context directory")->required();
    app.add_option("-t,--tag", tags_, "NAME[:TAG] for the image (repeatable)");
    app.add_option("-f,--file", file_, "The Dockerfile (default: CONTEXT/Dockerfile)");
    app.add_option("--build-arg", build_args_, "Build argument KEY=VALUE, or KEY from the environment (repeatable)");
    app.add_option("--target", target_, "The stage to build (default: the last one)");
    app.add_flag("--no-cache", no_cache_, "Run every step, whatever the step cache holds");
    app.add_option("--network", network_, "Network of RUN steps: none, default (the host's) or host")
        ->check(CLI::IsMember({"none", "default", "host"}));
    app.add_option("--label", labels_, "Label KEY=VALUE for the image (repeatable)");
    app.add_option("--progress", progress_, "Progress output: plain or tty (default: tty on a terminal)")
        ->check(CLI::IsMember({"plain", "tty", "auto"}));
  }

  int run(const GlobalOptions& global) override {
    build::BuildOptions o;
    o.root = global.root;
    o.context_dir = context_;
    o.dockerfile = file_;
    o.target = target_;
    o.no_cache = no_cache_;
    o.network = network_;
    o.tags = tags_;
    for (const auto& a : build_args_) {
      if (!split_pair(a, o.build_args, true)) return usage("--build-arg '" + a + "': expected KEY=VALUE or KEY");
    }
    for (const auto& l : labels_) {
      if (!split_pair(l, o.labels, false)) return usage("--label '" + l + "': expected KEY=VALUE");
    }
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch && *epoch) {
      char* end = nullptr;
      long long v = std::strtoll(epoch, &end, 10);
      if (*end != '\0' || v < 0) return usage(std::string("SOURCE_DATE_EPOCH='") + epoch + "': expected seconds since 1970");
      o.source_date_epoch = v;
    }
    auto store = open_image_store(global.root, std::cerr);
    if (!store) return kExitFailure;
    bool tty = progress_ == "tty" || (progress_ == "auto" && ::isatty(STDERR_FILENO) != 0);
    Progress progress(tty);
    auto built = build::build_image(*store, o, [&](const build::BuildEvent& e) { progress(e); });
    if (!built) {
      progress.print_tail();
      std::cerr << "stack: " << built.error().message() << "\n";
      return kExitFailure;
    }
    for (const auto& t : built->image.tags) std::cerr << "naming to " << familiar_name(t) << "\n";
    std::cerr << "built " << built->image.id.short_str() << ": " << built->steps << " steps, " << built->cached
              << " cached, " << built->executed << " run\n";
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
  std::string network_ = "default";
  std::vector<std::string> labels_;
  std::string progress_ = "auto";
};

[[maybe_unused]] const bool kRegistered = register_image_verb(
    []() -> std::unique_ptr<Command> { return std::make_unique<ImageBuildCommand>(); });

}  // namespace
}  // namespace stack::cli
