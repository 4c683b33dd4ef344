// Image references parsed and normalised as docker does (distribution/reference):
//   busybox              -> docker.io/library/busybox:latest
//   redis:7              -> docker.io/library/redis:7
//   ghcr.io/a/b:1        -> ghcr.io/a/b:1
//   localhost:5000/x     -> localhost:5000/x:latest
//   name@sha256:<hex>    -> docker.io/library/name@sha256:<hex>   (no tag added)
//   name:tag@sha256:<hex> keeps both; the digest wins when resolving.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "image/digest.hpp"
#include "util/image_reference.hpp"

namespace stack::image {

class Reference {
 public:
  // Parses and normalises; a reference without tag or digest gets ":latest".
  static Result<Reference> parse(std::string_view text);

  const std::string& domain() const { return domain_; }  // "docker.io", "localhost:5000"
  const std::string& path() const { return path_; }      // "library/busybox"
  const std::optional<std::string>& tag() const { return tag_; }
  const std::optional<Digest>& digest() const { return digest_; }

  std::string name() const { return domain_ + "/" + path_; }  // repository, no tag or digest
  // Fully qualified: "docker.io/library/busybox:latest", "x/y@sha256:...".
  std::string str() const;
  // As docker prints it: "busybox:latest", "a/b:1", "ghcr.io/a/b:1".
  std::string familiar() const;
  // "name:tag" (digest dropped), the key under which a tag is stored; none for a digest-only ref.
  std::optional<std::string> tag_key() const;

  bool operator==(const Reference&) const = default;

 private:
  std::string domain_;
  std::string path_;
  std::optional<std::string> tag_;
  std::optional<Digest> digest_;
};

inline constexpr std::string_view kDefaultDomain = util::kDefaultRegistry;
inline constexpr std::string_view kDefaultTag = "latest";

}  // namespace stack::image
