// images/repositories.json: which images the store holds (by manifest digest), which tags point
// at them, and when each tag was last set (docker's LastTagTime: a pull, load, build or tag, even
// of the image it already named; pull_policy daily|weekly|every_<d> compares against it). Plain
// data with a JSON round trip; written atomically by the store under its lock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "image/digest.hpp"

namespace stack::image {

class Repositories {
 public:
  static Result<Repositories> parse(std::string_view json);
  std::string to_json() const;
  // A missing file is an empty store.
  static Result<Repositories> load(const std::string& path);
  Result<void> save(const std::string& path) const;

  // Tags are fully qualified "name:tag" keys (Reference::tag_key()).
  std::optional<Digest> resolve_tag(const std::string& key) const;
  // Each returns whether anything changed (re-running is harmless).
  bool set_tag(const std::string& key, const Digest& image);
  bool remove_tag(const std::string& key);
  // Unix seconds; nullopt for a tag set before times were kept.
  void set_tag_time(const std::string& key, int64_t unix_seconds) { tag_times_[key] = unix_seconds; }
  std::optional<int64_t> tag_time(const std::string& key) const;
  std::vector<std::string> tags_of(const Digest& image) const;
  const std::map<std::string, Digest>& tags() const { return tags_; }

  bool add_image(const Digest& image) { return images_.insert(image).second; }
  // Also drops every tag that points at the image.
  bool remove_image(const Digest& image);
  bool has_image(const Digest& image) const { return images_.count(image) > 0; }
  const std::set<Digest>& images() const { return images_; }

  bool operator==(const Repositories&) const = default;

 private:
  std::map<std::string, Digest> tags_;
  std::map<std::string, int64_t> tag_times_;  // only of keys in tags_
  std::set<Digest> images_;
};

}  // namespace stack::image
