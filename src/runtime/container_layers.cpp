#include "runtime/container_layers.hpp"

#include "runtime/shim/shim_config.hpp"
#include "util/dir.hpp"
#include "util/fd.hpp"

namespace stack::runtime {

namespace {

constexpr std::size_t kMaxConfigFile = 64u << 20;

}  // namespace

util::Result<std::vector<std::string>> container_lower_layers(const StatePaths& paths) {
  std::vector<std::string> out;
  auto ids = util::list_dir(paths.containers_dir());
  if (!ids) {
    if (ids.error().code() == util::Errc::not_found) return out;
    return std::move(ids).error();
  }
  for (const auto& id : *ids) {
    const std::string config = paths.config_file(id);
    auto text = util::read_file(config, kMaxConfigFile);
    if (!text && text.error().code() == util::Errc::not_found) continue;
    if (!text) return std::move(text).error();
    auto decoded = shim::decode_shim_config(*text);
    if (!decoded) return std::move(decoded).error().context("'" + config + "'");
    const auto& lower = decoded->container.rootfs.lower_layers;
    out.insert(out.end(), lower.begin(), lower.end());
    // An image mounted as a volume is in use as long as its container is.
    for (const MountConfig& m : decoded->container.mounts) out.insert(out.end(), m.image_layers.begin(), m.image_layers.end());
  }
  return out;
}

}  // namespace stack::runtime
