#include "cli/project_context.hpp"

#include <unistd.h>

#include <iostream>
#include <mutex>

#include "cli/build_progress.hpp"
#include "cli/command.hpp"
#include "scheduler/image_resolver.hpp"
#include "scheduler/linux_host_network.hpp"

namespace stack::cli {

int fail(const util::Error& error) {
  std::cerr << "stack: " << error.message() << "\n";
  return kExitFailure;
}

std::string self_binary() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "/proc/self/exe";
  return std::string(buf, static_cast<size_t>(n));
}

namespace {

void print_progress(const scheduler::ProgressEvent& e, std::ostream& out, bool tty) {
  if (!e.done && e.status != "Waiting" && e.status.rfind("Waiting", 0) != 0) return;
  std::string kind = e.kind;
  kind.resize(std::max<size_t>(kind.size(), 9), ' ');
  if (tty) {
    const char* mark = e.failed ? "\033[31m✘\033[0m" : (e.done ? "\033[32m✔\033[0m" : "\033[33m⠿\033[0m");
    out << " " << mark << " " << kind << " " << e.name << "  " << e.status << "\n";
  } else {
    out << kind << " " << e.name << "  " << e.status << "\n";
  }
  out.flush();
}

}  // namespace

util::Result<scheduler::EngineOptions> engine_options(const GlobalOptions& global) {
  scheduler::EngineOptions options{global.root, self_binary(), global.ip_masq, global.dns_forward, {}};
  for (const std::string& text : global.dns_upstreams) {
    auto upstream = net::dns::parse_upstream(text);
    if (!upstream) return std::move(upstream).error().context("--dns-upstream");
    options.dns_upstreams.push_back(*upstream);
  }
  return options;
}

std::unique_ptr<ProjectContext> ProjectContext::open(const GlobalOptions& global, StackFile need, Progress where) {
  auto ctx = std::make_unique<ProjectContext>();
  ctx->root_ = global.root;
  ctx->ip_masq_ = global.ip_masq;
  ctx->build_pool_ = global.build_pool;
  bool named = !global.project_name.empty();
  bool load_file = need == StackFile::required || !named ||
                   (need == StackFile::if_present && load_options(global).has_value());
  if (load_file) {
    ctx->stack_ = load_stack(global, std::cerr);
    if (!ctx->stack_) return nullptr;
    ctx->project_ = ctx->stack_->name;
  } else {
    ctx->project_ = global.project_name;
  }
  ctx->runtime_ = std::make_unique<runtime::ShimRuntime>(runtime::ShimRuntimeOptions{global.root, self_binary()});
  ctx->host_ = scheduler::make_linux_host_network(net::make_netlink_network());
  auto store = image::Store::open(global.root);
  if (!store) {
    fail(store.error());
    return nullptr;
  }
  ctx->store_ = std::move(*store);
  if (ctx->stack_) {
    if (auto ids = resolve_built_images(*ctx->stack_, *ctx->store_); !ids) {
      fail(ids.error());
      return nullptr;
    }
  }
  auto options = engine_options(global);
  if (!options) {
    fail(options.error());
    return nullptr;
  }
  bool to_stderr = where == Progress::stderr_stream;
  scheduler::ProgressSink progress = [to_stderr, tty = ::isatty(to_stderr ? STDERR_FILENO : STDOUT_FILENO) != 0](
                                       const scheduler::ProgressEvent& e) {
    print_progress(e, to_stderr ? std::cerr : std::cout, tty);
  };
  ctx->engine_ = std::make_unique<scheduler::Engine>(std::move(*options), *ctx->runtime_, *ctx->host_,
      scheduler::make_image_resolver(*ctx->store_, progress), progress);
  return ctx;
}

util::Result<void> ProjectContext::build_images(ServiceBuildOptions options) {
  if (!stack_) return util::fail(util::Errc::internal, "no stack file to build from");
  options.root = root_;
  options.ip_masq = ip_masq_;
  options.build_pool = build_pool_;
  STACK_ASSIGN_OR_RETURN(options.source_date_epoch, source_date_epoch());
  BuildProgressPrinter printer(progress_is_tty("auto"));
  ServiceBuildProgress progress;
  progress.start = [](const spec::Service& s) { std::cerr << "Building " << s.name << " (" << s.image << ")\n"; };
  progress.events = [&](const build::BuildEvent& e) { printer(e); };
  progress.done = [](const spec::Service&, const build::BuildResult& r) { print_built(r); };
  auto built = build_services(*stack_, *store_, options, progress);
  if (!built) printer.print_tail();
  return built;
}

}  // namespace stack::cli
