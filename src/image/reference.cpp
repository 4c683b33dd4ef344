#include "image/reference.hpp"

#include "util/image_reference.hpp"

namespace stack::image {

Result<Reference> Reference::parse(std::string_view text) {
  STACK_ASSIGN_OR_RETURN(util::ImageReferenceParts parts, util::parse_image_reference(text));
  Reference ref;
  ref.domain_ = std::move(parts.domain);
  ref.path_ = std::move(parts.path);
  ref.tag_ = std::move(parts.tag);
  if (parts.digest) ref.digest_ = Digest::from_hex(*parts.digest);
  if (!ref.tag_ && !ref.digest_) ref.tag_ = std::string(kDefaultTag);
  return ref;
}

std::string Reference::str() const {
  std::string out = name();
  if (tag_) out += ":" + *tag_;
  if (digest_) out += "@" + digest_->str();
  return out;
}

std::string Reference::familiar() const {
  std::string out;
  if (domain_ == kDefaultDomain) {
    std::string_view p = path_;
    if (p.starts_with("library/") && p.find('/', 8) == std::string_view::npos) p.remove_prefix(8);
    out = std::string(p);
  } else {
    out = name();
  }
  if (tag_) out += ":" + *tag_;
  if (digest_) out += "@" + digest_->str();
  return out;
}

std::optional<std::string> Reference::tag_key() const {
  if (!tag_) return std::nullopt;
  return name() + ":" + *tag_;
}

}  // namespace stack::image
