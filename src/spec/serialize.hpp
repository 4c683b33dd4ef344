// The normalised model as JSON, in the shape `docker compose config` prints: keys named as compose
// names them, long forms for ports / volumes / depends_on, durations Go-formatted, sizes in bytes.
// Unset and default-empty fields are left out. Object keys come out sorted (nlohmann::json keeps
// them in a std::map), so the dump of a given model is always the same bytes: config_hash relies
// on it.
#pragma once

#include <nlohmann/json.hpp>

#include "spec/model.hpp"

namespace stack::spec {

// {"name", "services": {...}, "networks": {...}, "volumes": {...}}.
nlohmann::json to_json(const Stack& stack);

// One service as it appears under services.<name> (the name itself is the key, not a field).
nlohmann::json to_json(const Service& service);

nlohmann::json to_json(const Network& network);

// For `config` output: every '$' in a string value written as "$$", as compose prints it, so
// that the output read back as a stack file gives the same model (a command's "$POSTGRES_DB"
// stays itself instead of being interpolated away). The model and its hash keep the plain text.
nlohmann::json escape_dollars(nlohmann::json value);
nlohmann::json to_json(const Volume& volume);

}  // namespace stack::spec
