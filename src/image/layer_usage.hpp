// Which images a set of unpacked layer directories belongs to. A container's rootfs mounts the
// directories layer_dirs() gave (<root>/images/layers/<diff id hex>); an image is in use when one
// of its layers is among them: cheap, and right for prune and rm, since removing such an image
// could collect a layer that a container mounts. The image store knows no containers: the caller
// (runtime/container_layers.hpp) says which directories are mounted.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "image/store.hpp"

namespace stack::image {

// The images (manifest digests) with a layer among dirs; dirs outside layers_dir are ignored.
std::set<Digest> images_using_layers(const std::vector<Image>& images, const std::string& layers_dir,
                                     const std::vector<std::string>& dirs);

}  // namespace stack::image
