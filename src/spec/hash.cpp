#include "spec/hash.hpp"

#include "spec/serialize.hpp"
#include "util/sha256.hpp"

namespace stack::spec {

nlohmann::json hashed_json(const Service& service) {
  nlohmann::json j = to_json(service);
  // The fields compose leaves out of its ServiceHash: they decide how many containers run, when
  // they start or where the image comes from, never what a container is. develop only tells
  // `stack watch` what to do: a changed rule does not recreate a container.
  for (const char* key : {"depends_on", "profiles", "pull_policy", "build", "scale", "develop"}) j.erase(key);
  // The image a service with `build` runs, by id: a rebuilt image is a changed service.
  if (!service.image_id.empty()) j["image_id"] = service.image_id;
  auto deploy = j.find("deploy");
  if (deploy != j.end()) {
    deploy->erase("replicas");
    if (deploy->empty()) j.erase(deploy);
  }
  return j;
}

std::string config_hash(const Service& service) {
  // dump() with no indent is canonical: keys sorted, no spaces, numbers printed one way. Bytes
  // that are not UTF-8 (an env value can hold anything) become U+FFFD instead of throwing.
  using nlohmann::json;
  return util::sha256_hex(hashed_json(service).dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace stack::spec
