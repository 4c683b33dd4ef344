// `stack kube generate [SERVICE...]`: the compiled stack as Kubernetes objects (kube::generate),
// YAML to stdout, to one file, or to a directory with a kustomization.yaml for `kubectl apply -k`.
// Warnings on stderr, one line each; --strict makes any of them an error. Touches no host state
// but the output it was asked to write, so it needs no root.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "cli/command.hpp"
#include "cli/global_options.hpp"
#include "cli/output.hpp"
#include "kube/generate.hpp"
#include "kube/layout.hpp"
#include "util/atomic_file.hpp"

namespace stack::cli {
namespace {

namespace fs = std::filesystem;

std::string documents_yaml(const std::vector<nlohmann::json>& documents) {
  std::string text;
  for (const nlohmann::json& doc : documents) {
    if (!text.empty()) text += "---\n";
    text += spec::to_yaml(doc);
  }
  return text;
}

class KubeCommand final : public Command {
 public:
  std::string name() const override { return "kube"; }
  bool needs_root() const override { return false; }  // it reads stack files only
  std::string summary() const override { return "Export the stack to Kubernetes objects (generate)"; }

  void setup(CLI::App& app) override {
    app.require_subcommand(1);
    CLI::App& g = *app.add_subcommand("generate", "Print or write the stack as Kubernetes objects");
    g.add_option("services", options_.services, "Services to export (and their dependencies)");
    g.add_option("-o,--output", output_,
                 "A file, or a directory (existing or ending in '/'): one file per object and a "
                 "kustomization.yaml");
    g.add_option("--namespace", options_.namespace_name, "metadata.namespace of every object");
    g.add_flag("--single-file", single_file_, "In a directory, all objects in <project>.yaml");
    g.add_flag("--strict", strict_, "Fail (exit 1) if anything is dropped or approximated");
    g.add_option("--service-type", service_type_, "Service type for published ports")
        ->check(CLI::IsMember({"LoadBalancer", "NodePort"}))
        ->capture_default_str();
    g.add_option("--volume-size", options_.volume_size,
                 "Size of claims without x-kubernetes.size")
        ->capture_default_str();
    g.add_flag("--allow-hostpath", options_.allow_hostpath,
               "Mount binds that cannot be ConfigMaps as the node's hostPath");
    g.add_flag("--no-wait-init", no_wait_init_, "No initContainers waiting for depends_on");
    g.add_option("--wait-image", options_.wait_image, "Image of the waiting initContainers")
        ->capture_default_str();
    g.add_flag("--liveness", options_.liveness, "Healthchecks as liveness probes as well");
  }

  int run(const GlobalOptions& global) override {
    std::optional<spec::Stack> stack = load_stack(global, std::cerr);
    if (!stack) return kExitFailure;
    options_.wait_init = !no_wait_init_;
    options_.service_type =
        service_type_ == "NodePort" ? kube::ServiceType::node_port : kube::ServiceType::load_balancer;
    kube::HostFiles files;
    auto exported = kube::generate(*stack, options_, files);
    if (!exported) {
      std::cerr << "stack: kube generate: " << exported.error().message() << "\n";
      return kExitFailure;
    }
    for (const kube::Warning& w : exported->warnings) std::cerr << kube::to_string(w) << "\n";
    if (strict_ && !exported->warnings.empty()) {
      std::cerr << "stack: kube generate: " << exported->warnings.size()
                << " warning(s) with --strict: nothing written\n";
      return kExitFailure;
    }
    return write(*stack, exported->objects);
  }

 private:
  int write(const spec::Stack& stack, const std::vector<kube::Object>& objects) const {
    std::vector<nlohmann::json> all;
    for (const kube::Object& o : objects) all.push_back(o.body);
    if (output_.empty() || output_ == "-") {
      std::cout << documents_yaml(all);
      return kExitOk;
    }
    std::error_code ec;
    bool directory = output_.back() == '/' || fs::is_directory(output_, ec);
    if (!directory) return write_file(output_, documents_yaml(all));
    fs::create_directories(output_, ec);
    if (ec) {
      std::cerr << "stack: kube generate: creating '" << output_ << "': " << ec.message() << "\n";
      return kExitFailure;
    }
    std::vector<kube::OutputFile> layout =
        single_file_ ? kube::single_file_layout(objects, stack.name + ".yaml", options_.namespace_name)
                     : kube::directory_layout(objects, options_.namespace_name);
    for (const kube::OutputFile& file : layout) {
      int rc = write_file((fs::path(output_) / file.name).string(), documents_yaml(file.documents));
      if (rc != kExitOk) return rc;
    }
    return kExitOk;
  }

  static int write_file(const std::string& path, const std::string& text) {
    auto written = util::write_file_atomic(path, text, util::Durability::process_crash);
    if (!written) {
      std::cerr << "stack: kube generate: " << written.error().message() << "\n";
      return kExitFailure;
    }
    return kExitOk;
  }

  kube::Options options_;
  std::string output_;
  std::string service_type_ = "LoadBalancer";
  bool single_file_ = false;
  bool strict_ = false;
  bool no_wait_init_ = false;
};

[[maybe_unused]] const bool kKubeRegistered = register_command(
    []() -> std::unique_ptr<Command> { return std::make_unique<KubeCommand>(); });

}  // namespace
}  // namespace stack::cli
