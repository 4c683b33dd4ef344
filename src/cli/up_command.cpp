// `stack up`: create and start the stack's containers (in dependency order, independent ones in
// parallel), then either return (-d) or attach: stream the logs of the containers until they all
// exit or Ctrl-C stops them gracefully (a second Ctrl-C kills them), as `docker compose up` does.
// Images of services with build are built first: the missing ones, all with --build, none with
// --no-build (service_builds.hpp).
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>

#include "cli/command.hpp"
#include "cli/log_follower.hpp"
#include "cli/project_context.hpp"
#include "cli/watch_session.hpp"

namespace stack::cli {
namespace {

std::atomic<int> g_interrupts{0};
void on_interrupt(int) { g_interrupts.fetch_add(1); }

void block_interrupts() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

class UpCommand final : public Command {
 public:
  std::string name() const override { return "up"; }
  std::string summary() const override { return "Create and start the stack's containers"; }

  void setup(CLI::App& app) override {
    app.add_flag("-d,--detach", detach_, "Run in the background and return");
    app.add_flag("--wait", wait_, "Wait until every container is running and healthy (implies -d)");
    app.add_option("--wait-timeout", wait_timeout_, "Seconds to wait with --wait (0: no limit)");
    app.add_flag("--force-recreate", force_recreate_, "Recreate containers even if nothing changed");
    app.add_flag("--no-recreate", no_recreate_, "Never recreate existing containers");
    app.add_flag("--build", build_, "Build the images of services with build before starting");
    app.add_flag("--no-build", no_build_, "Build no image, even when one is missing");
    app.add_flag("--remove-orphans", remove_orphans_, "Remove containers of services not in the file");
    app.add_flag("--no-deps", no_deps_, "Do not start the named services' dependencies");
    app.add_option("--scale", scale_, "Replicas of a service: SERVICE=N (repeatable)")->type_name("SERVICE=N");
    app.add_flag("-w,--watch", watch_, "Apply the services' develop.watch rules while attached (as `stack watch`)");
    app.add_option("services", services_, "Services to start (default: all)");
  }

  int run(const GlobalOptions& global) override {
    if (force_recreate_ && no_recreate_) {
      std::cerr << "stack: --force-recreate and --no-recreate cannot be combined\n";
      return kExitUsage;
    }
    if (build_ && no_build_) {
      std::cerr << "stack: --build and --no-build cannot be combined\n";
      return kExitUsage;
    }
    if (watch_ && (detach_ || wait_)) {
      std::cerr << "stack: --watch needs an attached up: it cannot be combined with -d or --wait\n";
      return kExitUsage;
    }
    scheduler::UpOptions options;
    options.services.insert(services_.begin(), services_.end());
    options.no_deps = no_deps_;
    options.recreate = force_recreate_ ? scheduler::RecreatePolicy::force
                       : no_recreate_  ? scheduler::RecreatePolicy::never
                                       : scheduler::RecreatePolicy::diverged;
    options.remove_orphans = remove_orphans_;
    options.wait = wait_;
    options.wait_timeout = std::chrono::seconds(wait_timeout_);
    for (const std::string& s : scale_) {
      size_t eq = s.find('=');
      int n = -1;
      if (eq != std::string::npos) {
        try {
          n = std::stoi(s.substr(eq + 1));
        } catch (const std::exception&) {
        }
      }
      if (eq == std::string::npos || eq == 0 || n < 0) {
        std::cerr << "stack: --scale '" << s << "': expected SERVICE=N with N >= 0\n";
        return kExitUsage;
      }
      options.scale[s.substr(0, eq)] = n;
    }
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::required);
    if (!ctx) return kExitFailure;
    // --watch: a context of its own (engine, store), used by the watch's thread alone.
    std::unique_ptr<ProjectContext> watch_ctx;
    std::unique_ptr<WatchSession> session;
    if (watch_) {
      watch_ctx = ProjectContext::open(global, ProjectContext::StackFile::required);
      if (!watch_ctx) return kExitFailure;
      session = std::make_unique<WatchSession>(*watch_ctx, WatchSessionOptions{services_, false, false});
      if (auto r = session->prepare(); !r) return fail(r.error());
    }
    if (auto built = build_before_up(*ctx); !built) return fail(built.error());
    if (auto up = ctx->engine().up(*ctx->stack(), options); !up) return fail(up.error());
    if (detach_ || wait_) return kExitOk;
    if (!session) return attach(*ctx);
    if (auto r = session->start(); !r) return fail(r.error());
    auto stop = util::Pipe::make(O_CLOEXEC);
    if (!stop) return fail(stop.error());
    watch_stop_ = std::move(*stop);
    watcher_ = std::thread([this, &session] {
      block_interrupts();  // Ctrl+C is the attach loop's
      if (auto r = session->run(watch_stop_->read.get()); !r) fail(r.error());
    });
    int code = attach(*ctx);
    stop_watch();
    return code;
  }

 private:
  // Images of services with build: all (--build), none (--no-build), else the missing ones.
  util::Result<void> build_before_up(ProjectContext& ctx) {
    ServiceBuildOptions b;
    b.when = build_ ? BuildWhen::always : no_build_ ? BuildWhen::never : BuildWhen::missing;
    STACK_ASSIGN_OR_RETURN(b.services, services_for_up(*ctx.stack(), services_, no_deps_));
    return ctx.build_images(std::move(b));
  }

  // Ends the watch of --watch (its poll sees the pipe hang up) and waits for its batch to finish.
  void stop_watch() {
    if (!watcher_.joinable()) return;
    watch_stop_->write.reset();
    watcher_.join();
  }

  int attach(ProjectContext& ctx) {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    LogFollower follower(ctx.root(), {std::nullopt, false, ::isatty(STDOUT_FILENO) != 0, true}, std::cout);
    std::thread stopper;
    std::atomic<bool> stopped{false};
    // Woken by the containers' logs and states, by a container made meanwhile (a restart, a
    // scale), and by Ctrl+C (the poll returns on the signal).
    auto watch = ctx.runtime().watch({.logs = true, .new_containers = true});
    if (!watch) return fail(watch.error());
    for (;;) {
      auto containers = ctx.engine().containers(ctx.project());
      if (!containers) return fail(containers.error());
      bool any_running = false;
      for (const auto& c : *containers) {
        if (c.one_off || (!services_.empty() && std::find(services_.begin(), services_.end(), c.service) == services_.end())) continue;
        // attach: false keeps a service's logs out of the output; `up` still waits for it.
        const spec::Service* service = ctx.stack() ? ctx.stack()->find_service(c.service) : nullptr;
        if ((service == nullptr || service->attach) && !follower.has(c.name)) follower.add(c.name);
        if (auto added = (*watch)->add(c.name, c.state); !added) return fail(added.error());
        any_running = any_running || (c.state.shim_alive && !runtime::shim::is_final(c.state.status));
      }
      follower.poll();
      // With --watch, a rebuild recreates containers: only Ctrl+C ends the attach.
      if (!any_running && (!watch_ || g_interrupts.load() > 0)) break;
      int interrupts = g_interrupts.load();
      if (interrupts == 1 && !stopper.joinable()) {
        stop_watch();
        std::cout << "Gracefully stopping... (press Ctrl+C again to force)\n" << std::flush;
        stopper = std::thread([&] {
          block_interrupts();  // delivered to the loop's thread, whose wait they end
          auto r = ctx.engine().stop(ctx.project(), services_, std::nullopt);
          if (!r) fail(r.error());
          stopped = true;
        });
      } else if (interrupts >= 2 && !stopped) {
        (void)ctx.engine().kill(ctx.project(), services_, SIGKILL);
      }
      if (auto woke = (*watch)->wait(std::chrono::seconds(2)); !woke) return fail(woke.error());
    }
    if (stopper.joinable()) stopper.join();
    follower.poll();
    return g_interrupts.load() > 0 ? 130 : kExitOk;
  }

  bool detach_ = false;
  bool wait_ = false;
  int wait_timeout_ = 0;
  bool force_recreate_ = false;
  bool no_recreate_ = false;
  bool remove_orphans_ = false;
  bool build_ = false;
  bool no_build_ = false;
  bool no_deps_ = false;
  bool watch_ = false;
  std::optional<util::Pipe> watch_stop_;
  std::thread watcher_;
  std::vector<std::string> scale_;
  std::vector<std::string> services_;
};

std::unique_ptr<Command> make_up() { return std::make_unique<UpCommand>(); }
[[maybe_unused]] const bool kUpRegistered = register_command(&make_up);

}  // namespace
}  // namespace stack::cli
