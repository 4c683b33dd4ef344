// `stack image pull REF`: pulls one image from its registry into the store, with a bar per layer
// on a terminal (standard error) and plain lines otherwise; the image's reference goes to stdout.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <iostream>

#include "cli/global_options.hpp"
#include "cli/image_verbs.hpp"
#include "cli/pull_progress.hpp"
#include "image/reference.hpp"

namespace stack::cli {
namespace {

class ImagePullCommand final : public Command {
 public:
  std::string name() const override { return "pull"; }
  std::string summary() const override { return "Pull an image from a registry"; }

  void setup(CLI::App& app) override {
    app.add_option("REF", ref_, "Image reference (name[:tag] or name@sha256:...)")->required();
    app.add_option("--insecure-registry", insecure_,
                   "Reach this registry over plain http (repeatable; see also STACK_INSECURE_REGISTRIES)");
    app.add_flag("-q,--quiet", quiet_, "No progress output");
  }

  int run(const GlobalOptions& global) override {
    auto store = open_image_store(global.root, std::cerr);
    if (!store) return kExitFailure;
    image::PullOptions options;
    options.insecure = insecure_;
    util::Result<image::Image> pulled = quiet_ ? image::pull(*store, ref_, options)
                                               : pull_with_progress(*store, ref_, options, std::cerr,
                                                                    ::isatty(STDERR_FILENO) != 0);
    if (!pulled) {
      std::cerr << "stack: " << pulled.error().message() << "\n";
      return kExitFailure;
    }
    auto parsed = image::Reference::parse(ref_);
    std::cout << (parsed ? parsed->str() : ref_) << "\n";
    return kExitOk;
  }

 private:
  std::string ref_;
  std::vector<std::string> insecure_;
  bool quiet_ = false;
};

[[maybe_unused]] const bool kImagePullRegistered = register_image_verb(
    []() -> std::unique_ptr<Command> { return std::make_unique<ImagePullCommand>(); });

}  // namespace
}  // namespace stack::cli
