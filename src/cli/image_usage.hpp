// Which images containers use. A container's config.json (<root>/containers/<id>/config.json,
// runtime::shim::ShimConfig) lists its overlay lower directories; each is an unpacked layer,
// <root>/images/layers/<diff id hex>. An image is in use when any container's lower layers include
// one of its layer directories: cheap, and correct for prune and rm, since removing such an image
// could collect a layer a container mounts. Lives in cli/ because image/ knows no containers.
#pragma once

#include <iosfwd>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "image/store.hpp"
#include "util/result.hpp"

namespace stack::cli {

// Pure: the images (manifest digests) with a layer among lower_dirs (paths under layers_dir).
std::set<image::Digest> images_using_layers(const std::vector<image::Image>& images, const std::string& layers_dir,
                                           const std::vector<std::string>& lower_dirs);

// Every container's lower layers under root; an unreadable config.json is an error (prune must
// not guess).
util::Result<std::vector<std::string>> container_lower_layers(const std::string& root);

util::Result<std::set<image::Digest>> images_in_use(const std::string& root, image::Store& store);

// images_in_use() for a verb: on failure prints "stack: <error>" on err and returns nullopt.
std::optional<std::set<image::Digest>> images_in_use_or_report(const std::string& root, image::Store& store,
                                                               std::ostream& err);

}  // namespace stack::cli
