// `stack image load -i FILE`: docker save archives and OCI image layouts (tar, compressed tar or
// directory).
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/global_options.hpp"
#include "cli/image_verbs.hpp"

namespace stack::cli {
namespace {

class ImageLoadCommand final : public Command {
 public:
  std::string name() const override { return "load"; }
  std::string summary() const override { return "Load images from a docker save archive or an OCI layout"; }

  void setup(CLI::App& app) override {
    app.add_option("-i,--input", input_, "The archive or layout directory")->required();
    app.add_flag("-q,--quiet", quiet_, "Print nothing");
  }

  int run(const GlobalOptions& global) override {
    auto store = open_image_store(global.root, std::cerr);
    if (!store) return kExitFailure;
    auto loaded = store->load(input_);
    if (!loaded) {
      std::cerr << "stack: " << loaded.error().message() << "\n";
      return kExitFailure;
    }
    if (quiet_) return kExitOk;
    for (const auto& ref : *loaded) {
      if (ref.tags.empty()) std::cout << "Loaded image ID: " << ref.id.str() << "\n";
      for (const auto& tag : ref.tags) std::cout << "Loaded image: " << familiar_name(tag) << "\n";
    }
    return kExitOk;
  }

 private:
  std::string input_;
  bool quiet_ = false;
};

[[maybe_unused]] const bool kImageLoadRegistered = register_image_verb(
    []() -> std::unique_ptr<Command> { return std::make_unique<ImageLoadCommand>(); });

}  // namespace
}  // namespace stack::cli
