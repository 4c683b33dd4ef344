// `stack image inspect IMAGE...`: a JSON array, one docker-inspect-like object per image.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/global_options.hpp"
#include "cli/image_verbs.hpp"
#include "cli/output.hpp"

namespace stack::cli {
namespace {

class ImageInspectCommand final : public Command {
 public:
  std::string name() const override { return "inspect"; }
  std::string summary() const override { return "Show images in detail (JSON)"; }

  void setup(CLI::App& app) override {
    app.add_option("IMAGE", images_, "Images by reference, digest or id")->required();
  }

  int run(const GlobalOptions& global) override {
    auto store = open_image_store(global.root, std::cerr);
    if (!store) return kExitFailure;
    nlohmann::json out = nlohmann::json::array();
    int rc = kExitOk;
    for (const auto& ref : images_) {
      auto doc = store->inspect(ref);
      if (!doc) {
        std::cerr << "stack: " << doc.error().message() << "\n";
        rc = kExitFailure;
        continue;
      }
      out.push_back(std::move(*doc));
    }
    std::cout << to_json_text(out);
    return rc;
  }

 private:
  std::vector<std::string> images_;
};

[[maybe_unused]] const bool kImageInspectRegistered = register_image_verb(
    []() -> std::unique_ptr<Command> { return std::make_unique<ImageInspectCommand>(); });

}  // namespace
}  // namespace stack::cli
