// The images of the services with `build:` (compose's side of src/build): built with the
// service's build section and tagged with its image name (`image`, else {project}-{service}) and
// build.tags; then every such service's image id put into the model (spec::Service::image_id), so
// that the config hash, and with it the plan, sees a rebuilt image as a changed service.
//
//   stack build            BuildWhen::always for the named services (default: all with build)
//   stack up --build       BuildWhen::always
//   stack up               BuildWhen::missing: only images not in the store, and pull_policy: build
//   stack up --no-build    BuildWhen::never
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "build/builder.hpp"
#include "image/store.hpp"
#include "spec/model.hpp"
#include "util/result.hpp"

namespace stack::cli {

enum class BuildWhen { missing, always, never };

struct ServiceBuildOptions {
  std::string root;                     // the state root
  BuildWhen when = BuildWhen::missing;
  std::vector<std::string> services;    // empty: every service with build
  bool no_cache = false;                // over build.no_cache
  bool pull = false;                    // over build.pull
  std::map<std::string, std::string> build_args;  // over every service's build.args
  int64_t source_date_epoch = 0;
  bool ip_masq = true;                  // --ip-masq: the build network masquerades
  std::string build_pool;               // --build-pool
};

// Called before each service's build ("web", "demo-web"), and with every build event.
struct ServiceBuildProgress {
  std::function<void(const spec::Service&)> start;
  build::BuildProgress events;
  std::function<void(const spec::Service&, const build::BuildResult&)> done;
};

// The build options of one service, as `stack image build` would take them.
build::BuildOptions build_options(const spec::Service& service, const ServiceBuildOptions& options);

// build.additional_contexts as the builder takes them: service:NAME is that service's image.
util::Result<build::NamedContexts> named_contexts(const spec::Stack& stack, const spec::Build& build);

// Builds what options.when asks for, one service after the other in name order (the services
// that a service:NAME context names first, when their images are missing), then sets
// image_id. Stops at the first failed build: "service 'web': Dockerfile:3: RUN ...: exit code 1".
util::Result<void> build_services(spec::Stack& stack, image::Store& store, const ServiceBuildOptions& options,
                                  const ServiceBuildProgress& progress);

// The services that `up SERVICE...` starts: the named ones and, unless no_deps, their
// dependencies; every service when none is named.
util::Result<std::vector<std::string>> services_for_up(const spec::Stack& stack,
                                                      const std::vector<std::string>& names, bool no_deps);

// Only the ids: image_id of every service with build whose image the store holds.
util::Result<void> resolve_built_images(spec::Stack& stack, image::Store& store);

}  // namespace stack::cli
