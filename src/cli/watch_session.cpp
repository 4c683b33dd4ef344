#include "cli/watch_session.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <set>

#include "build/dockerignore.hpp"
#include "runtime/container_files.hpp"
#include "runtime/container_layers.hpp"
#include "scheduler/hooks.hpp"

namespace stack::cli {

using util::Result;
namespace fs = std::filesystem;

namespace {

std::string changes_text(size_t n) { return std::to_string(n) + (n == 1 ? " change was" : " changes were"); }

std::string watch_rule_key(const scheduler::WatchMatcher& m) {
  return "services." + m.service() + ".develop.watch[" + std::to_string(m.rule_index()) + "]";
}

// A sync rule whose path a bind mount of the service shares: the container sees the files already.
bool bind_mounted(const spec::Service& s, const std::string& path) {
  for (const spec::Mount& m : s.mounts) {
    if (m.type == spec::MountType::bind && scheduler::path_below(m.source, path)) return true;
  }
  return false;
}

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

}  // namespace

Result<void> WatchSession::prepare() {
  const spec::Stack& stack = *ctx_.stack();
  for (const std::string& s : options_.services) {
    if (!stack.find_service(s)) return util::fail(util::Errc::not_found, "no such service: " + s);
  }
  auto selected = [&](const spec::Service& s) {
    const auto& names = options_.services;
    return names.empty() || std::find(names.begin(), names.end(), s.name) != names.end();
  };
  for (const spec::Service& s : stack.services) {
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
      STACK_ASSIGN_OR_RETURN(scheduler::WatchMatcher m,
                             scheduler::WatchMatcher::make(s, i, ignore ? &*ignore : nullptr));
      rules_.push_back(std::move(m));
    }
  }
  if (rules_.empty())
    return util::fail(util::Errc::invalid_argument,
                      "none of the selected services is configured for watch, consider setting a 'develop' section");
  return util::ok();
}

Result<void> WatchSession::bring_up() {
  ServiceBuildOptions b;
  b.when = BuildWhen::missing;
  STACK_ASSIGN_OR_RETURN(b.services, services_for_up(*ctx_.stack(), options_.services, false));
  {
    QuietStderr quiet(options_.quiet);
    STACK_TRY(ctx_.build_images(std::move(b)));
  }
  scheduler::UpOptions up;
  up.services.insert(options_.services.begin(), options_.services.end());
  return ctx_.engine().up(*ctx_.stack(), up);
}

Result<void> WatchSession::start() {
  STACK_ASSIGN_OR_RETURN(TreeWatch watch, TreeWatch::open());
  for (const scheduler::WatchMatcher& m : rules_) {
    auto added = watch.add(m.rule().path);
    if (!added) return std::move(added).error().context(watch_rule_key(m) + ".path");
  }
  watch_.emplace(std::move(watch));
  for (const auto& m : rules_) {
    struct stat st {};
    // A path that does not exist yet has nothing to sync (and must not remove the target).
    if (!m.rule().initial_sync || ::lstat(m.rule().path.c_str(), &st) < 0) continue;
    std::cout << "Syncing service " << m.service() << " (initial sync of " << m.rule().path << ")\n" << std::flush;
    STACK_TRY(sync(m.service(), {{m.rule().path, m.rule().target, m.rule_index()}}));
  }
  std::cout << "Watch enabled\n" << std::flush;
  return util::ok();
}

const scheduler::WatchMatcher& WatchSession::matcher(const std::string& service, size_t rule) const {
  for (const auto& m : rules_)
    if (m.service() == service && m.rule_index() == rule) return m;
  return rules_.front();  // unreachable: every plan comes from these rules
}

Result<std::vector<scheduler::ContainerView>> WatchSession::running(const std::string& service) {
  STACK_ASSIGN_OR_RETURN(std::vector<scheduler::ContainerView> all, ctx_.engine().containers(ctx_.project()));
  std::vector<scheduler::ContainerView> out;
  for (auto& c : all) {
    if (c.service == service && !c.one_off && c.state.status == runtime::shim::Status::running && c.state.pid > 0)
      out.push_back(std::move(c));
  }
  return out;
}

// Copies what exists on the host, removes what does not, in every running container.
Result<void> WatchSession::sync(const std::string& service, const std::vector<scheduler::SyncPath>& paths) {
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

Result<void> WatchSession::exec(const std::string& service, size_t rule) {
  const spec::LifecycleHook& hook = *matcher(service, rule).rule().exec;
  STACK_ASSIGN_OR_RETURN(std::vector<scheduler::ContainerView> containers, running(service));
  for (const auto& c : containers) {
    STACK_ASSIGN_OR_RETURN(runtime::shim::ShimConfig config, ctx_.runtime().config(c.name));
    runtime::ExecConfig e = scheduler::hook_exec(config.container, hook);
    e.stdout_fd = STDOUT_FILENO;
    e.stderr_fd = STDERR_FILENO;
    std::cout << std::flush;
    auto code = ctx_.runtime().exec(c.name, e);
    if (!code) return std::move(code).error().context("exec in " + c.name);
    if (*code != 0)
      return util::fail(util::Errc::io, "exec in " + c.name + ": exited with code " + std::to_string(*code));
  }
  return util::ok();
}

// Builds the service's image again and recreates its containers, as `up --build --no-deps`.
Result<void> WatchSession::rebuild(const std::string& service) {
  const spec::Service* s = ctx_.stack()->find_service(service);
  std::string old_id = s->image_id;
  ServiceBuildOptions b;
  b.when = BuildWhen::always;
  b.services = {service};
  {
    QuietStderr quiet(options_.quiet);
    STACK_TRY(ctx_.build_images(std::move(b)));
  }
  scheduler::UpOptions up;
  up.services = {service};
  up.no_deps = true;
  up.recreate = scheduler::RecreatePolicy::force;
  STACK_TRY(ctx_.engine().up(*ctx_.stack(), up));
  if (options_.prune && !old_id.empty() && old_id != s->image_id) prune(old_id);
  return util::ok();
}

// --prune: the image the rebuild replaced, once no tag and no container holds it. A container
// of an image mounts every layer of it; the rebuilt image shares its lower layers with the old one,
// so "some layer is mounted" (what `image prune` asks) would keep the old image for ever.
void WatchSession::prune(const std::string& old_id) {
  auto found = ctx_.images().find(old_id);
  if (!found || !*found || !(*found)->tags.empty()) return;
  auto layers = ctx_.images().layer_dirs(**found);
  auto mounted = runtime::container_lower_layers(runtime::StatePaths(ctx_.root()));
  if (!layers || !mounted) return;
  // A layer's directory name (its diff id), with or without a trailing '/'.
  auto name = [](const std::string& dir) {
    return fs::path(dir + "/").lexically_normal().parent_path().filename().string();
  };
  std::set<std::string> in_use;
  for (const std::string& dir : *mounted) in_use.insert(name(dir));
  auto mounted_layer = [&](const std::string& dir) { return in_use.count(name(dir)) > 0; };
  if (std::all_of(layers->begin(), layers->end(), mounted_layer)) return;
  if (auto removed = ctx_.images().remove(old_id); removed && removed->deleted)
    std::cout << "Deleted: " << removed->deleted->str() << "\n";
}

Result<void> WatchSession::apply(const scheduler::ServiceWatchPlan& plan) {
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
    STACK_TRY(ctx_.engine().restart(ctx_.project(), {svc}, std::nullopt, ctx_.stack()));
  }
  for (size_t rule : plan.exec_rules) {
    std::cout << "Running the exec command of service " << svc << after << std::flush;
    STACK_TRY(exec(svc, rule));
  }
  return util::ok();
}

Result<void> WatchSession::run(int stop_fd) {
  scheduler::ChangeBatch batch;
  for (;;) {
    int timeout = -1;
    if (auto due = batch.due()) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*due - scheduler::ChangeBatch::Clock::now());
      timeout = static_cast<int>(std::max<int64_t>(0, left.count()));
    }
    pollfd fds[2] = {{watch_->fd(), POLLIN, 0}, {stop_fd, POLLIN, 0}};
    int n = ::poll(fds, 2, timeout);
    if (n < 0 && errno != EINTR) return util::Error::from_errno("poll");
    if (n > 0 && (fds[1].revents & (POLLIN | POLLHUP))) break;
    if (n > 0 && (fds[0].revents & POLLIN)) {
      STACK_ASSIGN_OR_RETURN(std::vector<std::string> changed, watch_->read());
      for (std::string& p : changed) batch.add(std::move(p), scheduler::ChangeBatch::Clock::now());
    }
    std::vector<std::string> due = batch.take(scheduler::ChangeBatch::Clock::now());
    if (due.empty()) continue;
    for (const auto& plan : scheduler::plan_watch_batch(rules_, due)) {
      // A failed action is reported and the watch goes on, as compose's does.
      if (auto r = apply(plan); !r)
        std::cerr << "stack: warning: service " << plan.service << ": " << r.error().message() << "\n";
    }
  }
  std::cout << "Watch disabled\n" << std::flush;
  return util::ok();
}

}  // namespace stack::cli
