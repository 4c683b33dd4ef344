// `stack image tag SOURCE TARGET`: another name for an image of the store, as `docker tag`; the
// way to name a local image for a registry before `stack image push`.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/global_options.hpp"
#include "cli/image_verbs.hpp"
#include "image/reference.hpp"

namespace stack::cli {
namespace {

class ImageTagCommand final : public Command {
 public:
  std::string name() const override { return "tag"; }
  std::string summary() const override { return "Give an image another name"; }

  void setup(CLI::App& app) override {
    app.add_option("SOURCE", source_, "Image by reference, digest or id")->required();
    app.add_option("TARGET", target_, "New name, NAME[:TAG]")->required();
  }

  int run(const GlobalOptions& global) override {
    auto target = image::Reference::parse(target_);
    if (!target || !target->tag_key() || target->digest()) {
      std::cerr << "stack: tag '" << target_ << "': "
                << (target ? "a tag cannot name a digest (use NAME[:TAG])" : target.error().message()) << "\n";
      return kExitUsage;
    }
    auto store = open_image_store(global.root, std::cerr);
    if (!store) return kExitFailure;
    auto found = store->find(source_);
    if (!found || !*found) {
      std::cerr << "stack: tag: " << (found ? "no such image: " + source_ : found.error().message()) << "\n";
      return kExitFailure;
    }
    auto tagged = [&]() -> util::Result<void> {
      STACK_ASSIGN_OR_RETURN(std::unique_ptr<image::Ingest> ingest, store->begin_ingest());
      STACK_TRY(ingest->commit((*found)->digest, {*target->tag_key()}));
      return util::ok();
    }();
    if (!tagged) {
      std::cerr << "stack: tag '" << target_ << "': " << tagged.error().message() << "\n";
      return kExitFailure;
    }
    return kExitOk;
  }

 private:
  std::string source_;
  std::string target_;
};

[[maybe_unused]] const bool kImageTagRegistered = register_image_verb(
    []() -> std::unique_ptr<Command> { return std::make_unique<ImageTagCommand>(); });

}  // namespace
}  // namespace stack::cli
