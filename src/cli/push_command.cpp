// `stack push [SERVICE...]`: push the images of the stack's services, as `docker compose push`.
// A service with build and no image name (compose's {project}-{service}) has nowhere to go and is
// skipped; so is a service whose image is not in the store; each says so in one line.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <set>

#include "cli/command.hpp"
#include "cli/project_context.hpp"
#include "cli/push_output.hpp"

namespace stack::cli {
namespace {

class PushCommand final : public Command {
 public:
  std::string name() const override { return "push"; }
  std::string summary() const override { return "Push the images of the stack's services"; }

  void setup(CLI::App& app) override {
    app.add_flag("--ignore-push-failures", ignore_failures_, "Push what can be pushed and report the rest");
    app.add_flag("-q,--quiet", quiet_, "Print nothing but errors");
    app.add_option("services", services_, "Services (default: all)");
  }

  int run(const GlobalOptions& global) override {
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::required);
    if (!ctx) return kExitFailure;
    for (const auto& s : services_) {
      if (!ctx->stack()->find_service(s)) return fail(util::Error(util::Errc::not_found, "no such service: " + s));
    }
    std::ostream null_out(nullptr);
    std::ostream& out = quiet_ ? null_out : std::cout;
    std::set<std::string> done;
    int status = kExitOk;
    for (const spec::Service& service : ctx->stack()->services) {
      if (!services_.empty() && std::find(services_.begin(), services_.end(), service.name) == services_.end()) continue;
      if (service.build && service.image == spec::default_image_name(ctx->project(), service.name)) {
        out << service.name << ": skipped, no image name (set 'image' to push)\n";
        continue;
      }
      std::vector<std::string> names{service.image};
      if (service.build) names.insert(names.end(), service.build->tags.begin(), service.build->tags.end());
      for (const std::string& image : names) {
        if (!done.insert(image).second) continue;
        if (!push_one(ctx->images(), service.name, image, out)) {
          if (!ignore_failures_) return kExitFailure;
          status = kExitFailure;
        }
      }
    }
    return status;
  }

 private:
  // One image of a service: false after printing why it failed.
  static bool push_one(image::Store& store, const std::string& service, const std::string& image,
                       std::ostream& out) {
    auto local = store.find(image);
    if (local && !*local) {
      out << service << ": skipped, image '" << image << "' is not in the store\n";
      return true;
    }
    auto pushed = push_with_output(store, image, {}, out);
    if (!pushed) fail(pushed.error().context("services." + service + ".image"));
    return static_cast<bool>(pushed);
  }

  bool ignore_failures_ = false;
  bool quiet_ = false;
  std::vector<std::string> services_;
};

std::unique_ptr<Command> make_push() { return std::make_unique<PushCommand>(); }
[[maybe_unused]] const bool kPushRegistered = register_command(&make_push);

}  // namespace
}  // namespace stack::cli
