// `stack image rm IMAGE...`: untags, and deletes an image with its last tag (by digest or id:
// the image and all its tags). An image that a container uses is refused unless --force.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

#include "cli/global_options.hpp"
#include "cli/image_usage.hpp"
#include "cli/image_verbs.hpp"
#include "image/reference.hpp"

namespace stack::cli {
namespace {

class ImageRmCommand final : public Command {
 public:
  std::string name() const override { return "rm"; }
  std::string summary() const override { return "Remove images"; }

  void setup(CLI::App& app) override {
    app.add_option("IMAGE", images_, "Images by reference, digest or id")->required();
    app.add_flag("-f,--force", force_, "Remove even when a container uses the image");
  }

  int run(const GlobalOptions& global) override {
    auto store = open_image_store(global.root, std::cerr);
    if (!store) return kExitFailure;
    auto in_use = images_in_use_or_report(global.root, *store, std::cerr);
    if (!in_use) return kExitFailure;
    int rc = kExitOk;
    for (const auto& ref : images_) {
      if (!remove_one(*store, ref, *in_use)) rc = kExitFailure;
    }
    return rc;
  }

 private:
  // Whether removing ref only drops one of several tags (the image stays).
  static bool untags_only(const std::string& ref, const image::Image& found) {
    auto parsed = image::Reference::parse(ref);
    if (!parsed || parsed->digest() || !parsed->tag_key() || found.tags.size() < 2) return false;
    return std::find(found.tags.begin(), found.tags.end(), *parsed->tag_key()) != found.tags.end();
  }

  bool remove_one(image::Store& store, const std::string& ref, const std::set<image::Digest>& in_use) {
    if (!force_) {
      auto found = store.find(ref);
      if (found && *found && in_use.count((*found)->digest) > 0 && !untags_only(ref, **found)) {
        std::cerr << "stack: image '" << ref << "' is used by a container (use --force)\n";
        return false;
      }
    }
    auto removed = store.remove(ref);
    if (!removed) {
      std::cerr << "stack: " << removed.error().message() << "\n";
      return false;
    }
    for (const auto& tag : removed->untagged) std::cout << "Untagged: " << familiar_name(tag) << "\n";
    if (removed->deleted) std::cout << "Deleted: " << removed->deleted->str() << "\n";
    return true;
  }

  std::vector<std::string> images_;
  bool force_ = false;
};

[[maybe_unused]] const bool kImageRmRegistered = register_image_verb(
    []() -> std::unique_ptr<Command> { return std::make_unique<ImageRmCommand>(); });

}  // namespace
}  // namespace stack::cli
