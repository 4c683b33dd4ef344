// `stack watch [SERVICE...]`: brings the services up (unless --no-up), then applies their
// develop.watch rules to the files changed on the host, as `docker compose watch` does: sync
// copies into the running containers (and removes what was removed), restart restarts them,
// sync+exec runs a command in them, rebuild builds the image and recreates the service. Changes
// are batched (500 ms without one); one line is printed per action. SIGINT or SIGTERM ends it
// with exit 0; the containers keep running.
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>

#include "build/dockerignore.hpp"
#include "cli/command.hpp"
#include "cli/image_usage.hpp"
#include "cli/project_context.hpp"
#include "cli/watch_inotify.hpp"
#include "runtime/container_files.hpp"
#include "scheduler/hooks.hpp"
#include "scheduler/watch_rules.hpp"

namespace stack::cli {
namespace {

using util::Result;

int g_watch_signal_fd = -1;  // the write end of the self-pipe that ends the loop
void on_watch_signal(int) {
  char c = 1;
  [[maybe_unused]] ssize_t n = ::write(g_watch_signal_fd, &c, 1);
}

std::string changes_text(size_t n) { return std::to_string(n) + (n == 1 ? " change was" : " changes were"); }

// Stderr silenced while it lives (--quiet: no build output).
class QuietStderr {
 public:
  explicit QuietStderr(bool on) : saved_(on ? std::cerr.rdbuf(nullptr) : nullptr), on_(on) {}
  ~QuietStderr() {
    if (on_) std::cerr.rdbuf(saved_);
  }
  QuietStderr(const QuietStderr&) = delete;
  QuietStderr& operator=(const QuietStderr&) = delete;

 private:
  std::streambuf* saved_;
  bool on_;
};

class WatchCommand final : public Command {
 public:
  std::string name() const override { return "watch"; }
  std::string summary() const override { return "Apply the services' develop.watch rules to changed files"; }

  void setup(CLI::App& app) override {
    app.add_flag("--no-up", no_up_, "Do not bring the services up first");
    app.add_flag("--prune", prune_, "Remove the image a rebuild replaced, when nothing else uses it");
    app.add_flag("--quiet", quiet_, "Hide the build output");
    app.add_option("services", services_, "Services to watch (default: all with develop.watch)");
  }

  int run(const GlobalOptions& global) override {
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::required);
    if (!ctx) return kExitFailure;
    ctx_ = ctx.get();
    for (const std::string& s : services_) {
      if (!ctx->stack()->find_service(s)) return fail(util::fail(util::Errc::not_found, "no such service: " + s));
    }
    if (auto r = make_rules(); !r) return fail(r.error());
    if (rules_.empty()) {
      std::cerr << "stack: none of the selected services is configured for watch, consider setting a 'develop' section\n";
      return kExitFailure;
    }
    if (!no_up_) {
      if (auto r = bring_up(); !r) return fail(r.error());
    }
    auto watch = TreeWatch::open();
    if (!watch) return fail(watch.error());
    for (const scheduler::WatchMatcher& m : rules_) {
      auto added = watch->add(m.rule().path);
      if (!added) return fail(added.error().context(rule_key(m) + ".path"));
    }
    if (auto r = initial_sync(); !r) return fail(r.error());
    return loop(*watch);
  }

 private:
  static std::string rule_key(const scheduler::WatchMatcher& m) {
    return "services." + m.service() + ".develop.watch[" + std::to_string(m.rule_index()) + "]";
  }

  bool selected(const spec::Service& s) const {
    return services_.empty() || std::find(services_.begin(), services_.end(), s.name) != services_.end();
  }

  // The rules of the selected services; a sync rule whose path a bind mount already shares is
  // left out with a warning, as compose does (the container sees the files already).
  Result<void> make_rules() {
    for (const spec::Service& s : ctx_->stack()->services) {
      if (!selected(s) || s.watch.empty()) continue;
      std::optional<build::IgnoreRules> ignore;
      if (s.build) {
        std::string dockerfile = s.build->dockerfile.empty() ? s.build->context + "/Dockerfile" : s.build->dockerfile;
        auto loaded = build::load_ignore_rules(s.build->context, dockerfile);
        if (!loaded) return std::move(loaded).error().context("services." + s.name + ".build");
        ignore = std::move(*loaded);
      }
      for (size_t i = 0; i < s.watch.size(); ++i) {
        const spec::WatchRule& rule = s.watch[i];
        if (rule.action != spec::WatchRule::Action::rebuild && rule.action != spec::WatchRule::Action::restart &&
            bind_mounted(s, rule.path)) {
          std::cerr << "stack: warning: services." << s.name << ".develop.watch[" << i << "]: path '" << rule.path
                    << "' is also a bind mount of the service: not watched\n";
          continue;
        }
        STACK_ASSIGN_OR_RETURN(scheduler::WatchMatcher m, scheduler::WatchMatcher::make(s, i, ignore ? &*ignore : nullptr));
        rules_.push_back(std::move(m));
      }
    }
    return util::ok();
  }

  static bool bind_mounted(const spec::Service& s, const std::string& path) {
    for (const spec::Mount& m : s.mounts) {
      if (m.type == spec::MountType::bind && scheduler::path_below(m.source, path)) return true;
    }
    return false;
  }

  std::vector<std::string> watched_services() const {
    std::vector<std::string> out;
    for (const auto& m : rules_)
      if (std::find(out.begin(), out.end(), m.service()) == out.end()) out.push_back(m.service());
    return out;
  }

  // As `up -d` for the watched services (and their dependencies): missing images built first.
  Result<void> bring_up() {
    std::vector<std::string> names = services_.empty() ? std::vector<std::string>() : services_;
    ServiceBuildOptions b;
    b.when = BuildWhen::missing;
    STACK_ASSIGN_OR_RETURN(b.services, services_for_up(*ctx_->stack(), names, false));
    {
      QuietStderr quiet(quiet_);
      STACK_TRY(ctx_->build_images(std::move(b)));
    }
    scheduler::UpOptions options;
    options.services.insert(names.begin(), names.end());
    return ctx_->engine().up(*ctx_->stack(), options);
  }

  const scheduler::WatchMatcher& matcher(const std::string& service, size_t rule) const {
    for (const auto& m : rules_)
      if (m.service() == service && m.rule_index() == rule) return m;
    return rules_.front();  // unreachable: every plan comes from these rules
  }

  Result<std::vector<scheduler::ContainerView>> running(const std::string& service) {
    STACK_ASSIGN_OR_RETURN(std::vector<scheduler::ContainerView> all, ctx_->engine().containers(ctx_->project()));
    std::vector<scheduler::ContainerView> out;
    for (auto& c : all) {
      if (c.service == service && !c.one_off && c.state.status == runtime::shim::Status::running && c.state.pid > 0)
        out.push_back(std::move(c));
    }
    return out;
  }

  // Copies what exists on the host, removes what does not, in every running container.
  Result<void> sync(const std::string& service, const std::vector<scheduler::SyncPath>& paths) {
    STACK_ASSIGN_OR_RETURN(std::vector<scheduler::ContainerView> containers, running(service));
    for (const auto& c : containers) {
      auto files = runtime::ContainerFiles::open(c.state.pid);
      if (!files) return std::move(files).error().context(c.name);
      for (const scheduler::SyncPath& p : paths) {
        struct stat st {};
        if (::lstat(p.host.c_str(), &st) < 0) {
          auto removed = files->remove(p.container);
          if (!removed) return std::move(removed).error().context(c.name);
          continue;
        }
        const scheduler::WatchMatcher& m = matcher(service, p.rule);
        auto copied = files->copy(p.host, p.container, [&m](const std::string& host) { return m.ignored(host); });
        if (!copied) return std::move(copied).error().context(c.name);
      }
    }
    return util::ok();
  }

  // initial_sync: the whole path of each such rule, once, before the first change.
  Result<void> initial_sync() {
    for (const auto& m : rules_) {
      if (!m.rule().initial_sync) continue;
      std::cout << "Syncing service " << m.service() << " (initial sync of " << m.rule().path << ")\n" << std::flush;
      STACK_TRY(sync(m.service(), {{m.rule().path, m.rule().target, m.rule_index()}}));
    }
    return util::ok();
  }

  Result<void> exec(const std::string& service, size_t rule) {
    const spec::LifecycleHook& hook = *matcher(service, rule).rule().exec;
    STACK_ASSIGN_OR_RETURN(std::vector<scheduler::ContainerView> containers, running(service));
    for (const auto& c : containers) {
      STACK_ASSIGN_OR_RETURN(runtime::shim::ShimConfig config, ctx_->runtime().config(c.name));
      runtime::ExecConfig e = scheduler::hook_exec(config.container, hook);
      e.stdout_fd = STDOUT_FILENO;
      e.stderr_fd = STDERR_FILENO;
      std::cout << std::flush;
      auto code = ctx_->runtime().exec(c.name, e);
      if (!code) return std::move(code).error().context("exec in " + c.name);
      if (*code != 0)
        return util::fail(util::Errc::io, "exec in " + c.name + ": exited with code " + std::to_string(*code));
    }
    return util::ok();
  }

  // Builds the service's image again and recreates its containers, as `up --build --no-deps`.
  Result<void> rebuild(const std::string& service) {
    const spec::Service* s = ctx_->stack()->find_service(service);
    std::string old_id = s->image_id;
    ServiceBuildOptions b;
    b.when = BuildWhen::always;
    b.services = {service};
    {
      QuietStderr quiet(quiet_);
      STACK_TRY(ctx_->build_images(std::move(b)));
    }
    scheduler::UpOptions options;
    options.services = {service};
    options.no_deps = true;
    options.recreate = scheduler::RecreatePolicy::force;
    STACK_TRY(ctx_->engine().up(*ctx_->stack(), options));
    if (prune_ && !old_id.empty() && old_id != s->image_id) prune(old_id);
    return util::ok();
  }

  // --prune: the image the rebuild replaced, once no tag and no container holds it.
  void prune(const std::string& old_id) {
    auto found = ctx_->images().find(old_id);
    if (!found || !*found || !(*found)->tags.empty()) return;
    auto in_use = images_in_use_or_report(ctx_->root(), ctx_->images(), std::cerr);
    if (!in_use || in_use->count((*found)->digest) > 0) return;
    if (auto removed = ctx_->images().remove(old_id); removed && removed->deleted)
      std::cout << "Deleted: " << removed->deleted->str() << "\n";
  }

  Result<void> apply(const scheduler::ServiceWatchPlan& plan) {
    const std::string& svc = plan.service;
    const std::string after = " after " + changes_text(plan.changes) + " detected\n";
    if (plan.rebuild) {
      std::cout << "Rebuilding service " << svc << after << std::flush;
      STACK_TRY(rebuild(svc));
      std::cout << "Service " << svc << " rebuilt and recreated\n" << std::flush;
    }
    if (!plan.sync.empty()) {
      std::cout << "Syncing service " << svc << after << std::flush;
      STACK_TRY(sync(svc, plan.sync));
    }
    if (plan.restart) {
      std::cout << "Restarting service " << svc << after << std::flush;
      STACK_TRY(ctx_->engine().restart(ctx_->project(), {svc}, std::nullopt, ctx_->stack()));
    }
    for (size_t rule : plan.exec_rules) {
      std::cout << "Running the exec command of service " << svc << after << std::flush;
      STACK_TRY(exec(svc, rule));
    }
    return util::ok();
  }

  int loop(TreeWatch& watch) {
    auto stop = util::Pipe::make(O_NONBLOCK | O_CLOEXEC);
    if (!stop) return fail(stop.error());
    g_watch_signal_fd = stop->write.get();
    struct sigaction sa {};
    sa.sa_handler = on_watch_signal;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    std::cout << "Watch enabled\n" << std::flush;
    scheduler::ChangeBatch batch;
    for (;;) {
      int timeout = -1;
      if (auto due = batch.due()) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(*due - scheduler::ChangeBatch::Clock::now());
        timeout = static_cast<int>(std::max<int64_t>(0, left.count()));
      }
      pollfd fds[2] = {{watch.fd(), POLLIN, 0}, {stop->read.get(), POLLIN, 0}};
      int n = ::poll(fds, 2, timeout);
      if (n < 0 && errno != EINTR) return fail(util::Error::from_errno("poll"));
      if (n > 0 && (fds[1].revents & POLLIN)) break;
      if (n > 0 && (fds[0].revents & POLLIN)) {
        auto changed = watch.read();
        if (!changed) return fail(changed.error());
        for (std::string& p : *changed) batch.add(std::move(p), scheduler::ChangeBatch::Clock::now());
      }
      std::vector<std::string> due = batch.take(scheduler::ChangeBatch::Clock::now());
      if (due.empty()) continue;
      for (const auto& plan : scheduler::plan_watch_batch(rules_, due)) {
        // A failed action is reported and the watch goes on, as compose's does.
        if (auto r = apply(plan); !r) std::cerr << "stack: warning: service " << plan.service << ": " << r.error().message() << "\n";
      }
    }
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    g_watch_signal_fd = -1;
    std::cout << "Watch disabled\n" << std::flush;
    return kExitOk;
  }

  bool no_up_ = false;
  bool prune_ = false;
  bool quiet_ = false;
  std::vector<std::string> services_;
  ProjectContext* ctx_ = nullptr;
  std::vector<scheduler::WatchMatcher> rules_;
};

std::unique_ptr<Command> make_watch() { return std::make_unique<WatchCommand>(); }
[[maybe_unused]] const bool kWatchRegistered = register_command(&make_watch);

}  // namespace
}  // namespace stack::cli
