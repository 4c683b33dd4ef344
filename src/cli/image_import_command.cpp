// `stack image import ROOTFS.tar NAME[:TAG]`: a one-layer image from a root filesystem tarball.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/global_options.hpp"
#include "cli/image_verbs.hpp"

namespace stack::cli {
namespace {

class ImageImportCommand final : public Command {
 public:
  std::string name() const override { return "import"; }
  std::string summary() const override { return "Make a one-layer image from a root filesystem tarball"; }

  void setup(CLI::App& app) override {
    app.add_option("ROOTFS", tarball_, "The root filesystem tarball (plain or compressed)")->required();
    app.add_option("NAME", name_, "NAME[:TAG] of the new image")->required();
  }

  int run(const GlobalOptions& global) override {
    auto store = open_image_store(global.root, std::cerr);
    if (!store) return kExitFailure;
    auto imported = store->import_rootfs(tarball_, name_);
    if (!imported) {
      std::cerr << "stack: " << imported.error().message() << "\n";
      return kExitFailure;
    }
    std::cout << imported->id.str() << "\n";
    return kExitOk;
  }

 private:
  std::string tarball_;
  std::string name_;
};

[[maybe_unused]] const bool kImageImportRegistered = register_image_verb(
    []() -> std::unique_ptr<Command> { return std::make_unique<ImageImportCommand>(); });

}  // namespace
}  // namespace stack::cli
