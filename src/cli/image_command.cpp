// `stack image`: the group of image verbs (ls, rm, prune, inspect, load, import, pull, push), each a
// subcommand registered from its own file through register_image_verb().
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

#include "cli/global_options.hpp"
#include "cli/image_verbs.hpp"
#include "image/reference.hpp"

namespace stack::cli {

namespace {

std::vector<CommandFactory>& image_registry() {
  static std::vector<CommandFactory> factories;  // function-local: filled from static initialisers
  return factories;
}

class ImageCommand final : public Command {
 public:
  std::string name() const override { return "image"; }
  std::string summary() const override { return "Manage images (build, ls, rm, prune, inspect, load, import, pull, push)"; }

  void setup(CLI::App& app) override {
    app.require_subcommand(1);
    verbs_ = make_image_verbs();
    for (const auto& verb : verbs_) {
      CLI::App* sub = app.add_subcommand(verb->name(), verb->summary());
      verb->setup(*sub);
      subs_.emplace_back(sub, verb.get());
    }
  }

  int run(const GlobalOptions& global) override {
    for (const auto& [sub, verb] : subs_) {
      if (sub->parsed()) return verb->run(global);
    }
    std::cerr << "stack: image: no command given (see 'stack image --help')\n";
    return kExitUsage;
  }

 private:
  std::vector<std::unique_ptr<Command>> verbs_;
  std::vector<std::pair<CLI::App*, Command*>> subs_;
};

[[maybe_unused]] const bool kImageRegistered = register_command(
    []() -> std::unique_ptr<Command> { return std::make_unique<ImageCommand>(); });

}  // namespace

bool register_image_verb(CommandFactory factory) {
  image_registry().push_back(factory);
  return true;
}

std::vector<std::unique_ptr<Command>> make_image_verbs() {
  std::vector<std::unique_ptr<Command>> verbs;
  for (CommandFactory f : image_registry()) verbs.push_back(f());
  std::sort(verbs.begin(), verbs.end(), [](const auto& a, const auto& b) { return a->name() < b->name(); });
  return verbs;
}

std::unique_ptr<image::Store> open_image_store(const std::string& root, std::ostream& err) {
  auto store = image::Store::open(root);
  if (!store) {
    err << "stack: " << store.error().message() << "\n";
    return nullptr;
  }
  return std::move(*store);
}

std::string familiar_name(const std::string& tag_key) {
  auto ref = image::Reference::parse(tag_key);
  return ref ? ref->familiar() : tag_key;
}

std::string short_id(const image::Image& image) { return image.id.hex().substr(0, 12); }

}  // namespace stack::cli
