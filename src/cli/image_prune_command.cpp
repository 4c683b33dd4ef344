// `stack image prune [-a] [-f]`: removes untagged images (every image with -a) that no container
// uses, then the blobs and layers nothing needs. Without -f it asks on a terminal and refuses
// otherwise, as docker does.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <iostream>

#include "cli/global_options.hpp"
#include "cli/image_usage.hpp"
#include "cli/image_verbs.hpp"

namespace stack::cli {
namespace {

class ImagePruneCommand final : public Command {
 public:
  std::string name() const override { return "prune"; }
  std::string summary() const override { return "Remove unused images"; }

  void setup(CLI::App& app) override {
    app.add_flag("-a,--all", all_, "Remove every image no container uses, not only untagged ones");
    app.add_flag("-f,--force", force_, "Do not ask for confirmation");
  }

  int run(const GlobalOptions& global) override {
    if (!force_ && !confirm()) return kExitFailure;
    auto store = open_image_store(global.root, std::cerr);
    if (!store) return kExitFailure;
    auto in_use = images_in_use_or_report(global.root, *store, std::cerr);
    if (!in_use) return kExitFailure;
    auto report = store->prune(*in_use, {.all = all_});
    if (!report) {
      std::cerr << "stack: " << report.error().message() << "\n";
      return kExitFailure;
    }
    for (const auto& d : report->images) std::cout << "Deleted: " << d.str() << "\n";
    std::cout << "Total reclaimed space: " << report->bytes << " bytes (" << report->blobs << " blobs, "
              << report->layers << " layers)\n";
    return kExitOk;
  }

 private:
  bool confirm() const {
    if (::isatty(STDIN_FILENO) == 0) {
      std::cerr << "stack: image prune: not a terminal; use -f to prune without confirmation\n";
      return false;
    }
    std::cerr << (all_ ? "This removes every image that no container uses." : "This removes untagged images.")
              << " Continue? [y/N] ";
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "y" || answer == "Y" || answer == "yes";
  }

  bool all_ = false;
  bool force_ = false;
};

[[maybe_unused]] const bool kImagePruneRegistered = register_image_verb(
    []() -> std::unique_ptr<Command> { return std::make_unique<ImagePruneCommand>(); });

}  // namespace
}  // namespace stack::cli
