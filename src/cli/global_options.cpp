#include "cli/global_options.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <ostream>

namespace stack::cli {

namespace fs = std::filesystem;
using util::Errc;

namespace {

// The names compose looks for, in its order, with the project's own name first.
constexpr const char* kDefaultFiles[] = {"stack.yaml",   "stack.yml",
                                         "compose.yaml", "compose.yml",
                                         "docker-compose.yaml", "docker-compose.yml"};

std::string default_file_list() {
  std::string list;
  for (const char* name : kDefaultFiles) list += (list.empty() ? "" : ", ") + std::string(name);
  return list;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : text + separator) {
    if (c != separator) {
      part += c;
    } else if (!part.empty()) {
      parts.push_back(std::move(part));
      part.clear();
    }
  }
  return parts;
}

util::Result<std::string> find_default_file(const std::string& directory) {
  std::error_code ec;
  fs::path dir = directory.empty() ? fs::current_path(ec) : fs::path(directory);
  if (ec) return util::Error::from_errno("reading the current directory", ec.value());
  for (const char* name : kDefaultFiles) {
    fs::path candidate = dir / name;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return util::fail(Errc::not_found, "no stack file found in " + dir.lexically_normal().string() +
                                         " (looked for " + default_file_list() + ")");
}

}  // namespace

void add_global_options(CLI::App& app, GlobalOptions& options) {
  // One value per -f / --env-file / --profile, so that `-f a.yaml config` never takes the verb
  // for a second file.
  app.add_option("-f,--file", options.files, "Stack file (repeat to merge several, in order)")
      ->allow_extra_args(false)
      ->type_name("FILE");
  app.add_option("-p,--project-name", options.project_name, "Project name")->type_name("NAME");
  app.add_option("--env-file", options.env_files, "Variables file (default: .env beside the stack)")
      ->allow_extra_args(false)
      ->type_name("FILE");
  app.add_option("--profile", options.profiles, "Enable services of this profile")
      ->allow_extra_args(false)
      ->type_name("PROFILE");
  app.add_option("--project-directory", options.project_directory,
                 "Project directory (default: the directory of the first stack file)")
      ->type_name("DIR");
  app.add_option("--root", options.root, "State root")
      ->envname("STACK_ROOT")
      ->capture_default_str()
      ->type_name("DIR");
  app.add_option("--ip-masq", options.ip_masq,
                 "Masquerade outbound traffic of networks that do not set "
                 "com.docker.network.bridge.enable_ip_masquerade")
      ->envname("STACK_IP_MASQ")
      ->default_str("true")
      ->type_name("BOOL");
  app.add_option("--dns-forward", options.dns_forward,
                 "Forward names a network's DNS server does not own to the host's resolvers, for "
                 "networks that do not set stack.dns.forward")
      ->envname("STACK_DNS_FORWARD")
      ->default_str("true")
      ->type_name("BOOL");
  app.add_option("--dns-upstream", options.dns_upstreams,
                 "Resolver that DNS servers forward to (IP[:PORT], repeatable), instead of the host's "
                 "resolv.conf")
      ->envname("STACK_DNS_UPSTREAM")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("IP[:PORT]");
  app.add_option("--build-pool", options.build_pool,
                 "Range the network of RUN steps (--network default) takes its /24 from "
                 "(default 10.10.0.0/16)")
      ->envname("STACK_BUILD_POOL")
      ->type_name("CIDR");
  app.add_option("--log-level", options.log_level, "Log level on stderr")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str()
      ->type_name("LEVEL");
}

void setup_logging(const GlobalOptions& options) {
  auto logger = spdlog::get("stack");
  if (!logger) logger = spdlog::stderr_color_mt("stack");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(options.log_level));
}

util::Result<std::vector<std::string>> stack_files(const GlobalOptions& options,
                                                   const spec::Environment& env) {
  if (!options.files.empty()) return options.files;
  if (auto it = env.find("COMPOSE_FILE"); it != env.end() && !it->second.empty()) {
    char separator = ':';
    auto sep = env.find("COMPOSE_PATH_SEPARATOR");
    if (sep != env.end() && sep->second.size() == 1) separator = sep->second[0];
    std::vector<std::string> files = split(it->second, separator);
    if (!files.empty()) return files;
  }
  STACK_ASSIGN_OR_RETURN(std::string file, find_default_file(options.project_directory));
  return std::vector<std::string>{file};
}

util::Result<spec::LoadOptions> load_options(const GlobalOptions& options) {
  spec::LoadOptions load;
  load.environment = spec::process_environment();
  STACK_ASSIGN_OR_RETURN(load.files, stack_files(options, load.environment));
  load.working_dir = options.project_directory;
  load.project_name = options.project_name;
  load.env_files = options.env_files;
  load.profiles = options.profiles;
  return load;
}

std::optional<spec::Stack> load_stack(const GlobalOptions& options, std::ostream& err) {
  auto load = load_options(options);
  if (!load) {
    err << "stack: " << load.error().message() << "\n";
    return std::nullopt;
  }
  spec::LoadOutcome outcome = spec::load(*load);
  for (const spec::Diagnostic& warning : outcome.diagnostics.warnings()) {
    err << "stack: warning: " << warning.format() << "\n";
  }
  if (!outcome.stack || !outcome.diagnostics.empty()) {
    for (const spec::Diagnostic& diagnostic : outcome.diagnostics.list()) {
      err << diagnostic.format() << "\n";
    }
    if (outcome.diagnostics.empty()) err << "stack: the stack file could not be loaded\n";
    return std::nullopt;
  }
  return std::move(outcome.stack);
}

}  // namespace stack::cli
