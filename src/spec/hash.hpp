// The config hash of a service: what decides whether its containers must be recreated. It is the
// SHA-256 of the canonical JSON of the service (spec::to_json, keys sorted, no whitespace) less
// the fields that do not change a container, as compose's ServiceHash leaves out: replicas/scale,
// depends_on, profiles, pull_policy and build; but with the id of the local image of a service
// with build (Service::image_id, when known), as compose compares its image digest label. The
// model is normalised, so two spellings of one service (key order, anchors, short or long
// syntax) hash alike.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "spec/model.hpp"

namespace stack::spec {

// The JSON that is hashed: to_json(service) with the fields above removed.
nlohmann::json hashed_json(const Service& service);

// 64 lower-case hex digits.
std::string config_hash(const Service& service);

}  // namespace stack::spec
