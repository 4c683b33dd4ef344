#include "image/repositories.hpp"

#include <cerrno>

#include <nlohmann/json.hpp>

#include "image/fs.hpp"
#include "util/fd.hpp"

namespace stack::image {

using util::Errc;
using util::fail;

namespace {

constexpr int kVersion = 1;

Result<Digest> digest_field(const nlohmann::json& j, std::string_view where) {
  if (!j.is_string()) return fail(Errc::parse, std::string(where) + ": digest must be a string");
  auto d = Digest::parse(j.get<std::string>());
  if (!d) return std::move(d).context(where);
  return *d;
}

}  // namespace

Result<Repositories> Repositories::parse(std::string_view text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return fail(Errc::parse, std::string("repositories.json: ") + e.what());
  }
  auto version = j.is_object() ? j.find("version") : j.end();
  if (version == j.end() || !version->is_number_integer() || version->get<int>() != kVersion) {
    return fail(Errc::parse, "repositories.json: not a version " + std::to_string(kVersion) + " file");
  }
  Repositories r;
  if (auto it = j.find("images"); it != j.end() && it->is_array()) {
    for (const auto& d : *it) {
      STACK_ASSIGN_OR_RETURN(Digest image, digest_field(d, "repositories.json: images"));
      r.images_.insert(image);
    }
  }
  if (auto it = j.find("tags"); it != j.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      STACK_ASSIGN_OR_RETURN(Digest image, digest_field(value, "repositories.json: tag '" + key + "'"));
      r.tags_[key] = image;
      r.images_.insert(image);  // a tag always names a held image
    }
  }
  if (auto it = j.find("tag_times"); it != j.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      if (value.is_number_integer() && r.tags_.count(key)) r.tag_times_[key] = value.get<int64_t>();
    }
  }
  return r;
}

std::string Repositories::to_json() const {
  nlohmann::json j;
  j["version"] = kVersion;
  j["images"] = nlohmann::json::array();
  for (const auto& d : images_) j["images"].push_back(d.str());
  j["tags"] = nlohmann::json::object();
  for (const auto& [key, d] : tags_) j["tags"][key] = d.str();
  if (!tag_times_.empty()) j["tag_times"] = tag_times_;
  return j.dump(2) + "\n";
}

Result<Repositories> Repositories::load(const std::string& path) {
  if (!path_exists(path)) return Repositories{};
  STACK_ASSIGN_OR_RETURN(std::string text, util::read_file(path, kMaxMetadataFile));
  return parse(text);
}

Result<void> Repositories::save(const std::string& path) const {
  return write_file_atomic(path, to_json());
}

std::optional<Digest> Repositories::resolve_tag(const std::string& key) const {
  auto it = tags_.find(key);
  if (it == tags_.end()) return std::nullopt;
  return it->second;
}

bool Repositories::set_tag(const std::string& key, const Digest& image) {
  images_.insert(image);
  auto [it, inserted] = tags_.try_emplace(key, image);
  if (inserted) return true;
  if (it->second == image) return false;
  it->second = image;
  return true;
}

bool Repositories::remove_tag(const std::string& key) {
  tag_times_.erase(key);
  return tags_.erase(key) > 0;
}

std::optional<int64_t> Repositories::tag_time(const std::string& key) const {
  auto it = tag_times_.find(key);
  if (it == tag_times_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Repositories::tags_of(const Digest& image) const {
  std::vector<std::string> out;
  for (const auto& [key, d] : tags_) {
    if (d == image) out.push_back(key);
  }
  return out;
}

bool Repositories::remove_image(const Digest& image) {
  for (auto it = tags_.begin(); it != tags_.end();) {
    if (it->second == image) tag_times_.erase(it->first);
    it = it->second == image ? tags_.erase(it) : std::next(it);
  }
  return images_.erase(image) > 0;
}

}  // namespace stack::image
