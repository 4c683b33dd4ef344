// `stack watch [SERVICE...]`: brings the services up (unless --no-up), then applies their
// develop.watch rules to the files changed on the host, as `docker compose watch` does
// (watch_session.hpp). SIGINT or SIGTERM ends it with exit 0; the containers keep running.
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <iostream>

#include "cli/command.hpp"
#include "cli/project_context.hpp"
#include "cli/watch_session.hpp"

namespace stack::cli {
namespace {

int g_watch_signal_fd = -1;  // the write end of the self-pipe that ends the loop
void on_watch_signal(int) {
  char c = 1;
  [[maybe_unused]] ssize_t n = ::write(g_watch_signal_fd, &c, 1);
}

class WatchCommand final : public Command {
 public:
  std::string name() const override { return "watch"; }
  std::string summary() const override { return "Apply the services' develop.watch rules to changed files"; }

  void setup(CLI::App& app) override {
    app.add_flag("--no-up", no_up_, "Do not bring the services up first");
    app.add_flag("--prune", options_.prune, "Remove the image a rebuild replaced, when nothing else uses it");
    app.add_flag("--quiet", options_.quiet, "Hide the build output");
    app.add_option("services", options_.services, "Services to watch (default: all with develop.watch)");
  }

  int run(const GlobalOptions& global) override {
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::required);
    if (!ctx) return kExitFailure;
    WatchSession session(*ctx, options_);
    if (auto r = session.prepare(); !r) return fail(r.error());
    if (!no_up_) {
      if (auto r = session.bring_up(); !r) return fail(r.error());
    }
    auto stop = util::Pipe::make(O_NONBLOCK | O_CLOEXEC);
    if (!stop) return fail(stop.error());
    g_watch_signal_fd = stop->write.get();
    struct sigaction sa {};
    sa.sa_handler = on_watch_signal;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    auto r = session.start();
    if (r) r = session.run(stop->read.get());
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    g_watch_signal_fd = -1;
    return r ? kExitOk : fail(r.error());
  }

 private:
  bool no_up_ = false;
  WatchSessionOptions options_;
};

std::unique_ptr<Command> make_watch() { return std::make_unique<WatchCommand>(); }
[[maybe_unused]] const bool kWatchRegistered = register_command(&make_watch);

}  // namespace
}  // namespace stack::cli
