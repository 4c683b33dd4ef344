// `stack image push NAME[:TAG]`: uploads a local image to its registry, as `docker push`.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/global_options.hpp"
#include "cli/image_verbs.hpp"
#include "cli/push_output.hpp"

namespace stack::cli {
namespace {

class ImagePushCommand final : public Command {
 public:
  std::string name() const override { return "push"; }
  std::string summary() const override { return "Push an image to a registry"; }

  void setup(CLI::App& app) override {
    app.add_option("NAME", ref_, "Image name (name[:tag])")->required();
    app.add_option("--insecure-registry", insecure_,
                   "Reach this registry over plain http (repeatable; see also STACK_INSECURE_REGISTRIES)");
    app.add_flag("-q,--quiet", quiet_, "Print nothing but errors");
  }

  int run(const GlobalOptions& global) override {
    auto store = open_image_store(global.root, std::cerr);
    if (!store) return kExitFailure;
    image::PushOptions options;
    options.insecure = insecure_;
    std::ostream null_out(nullptr);
    auto pushed = push_with_output(*store, ref_, options, quiet_ ? null_out : std::cout);
    if (!pushed) {
      std::cerr << "stack: " << pushed.error().message() << "\n";
      return kExitFailure;
    }
    return kExitOk;
  }

 private:
  std::string ref_;
  std::vector<std::string> insecure_;
  bool quiet_ = false;
};

[[maybe_unused]] const bool kImagePushRegistered = register_image_verb(
    []() -> std::unique_ptr<Command> { return std::make_unique<ImagePushCommand>(); });

}  // namespace
}  // namespace stack::cli
