// libFuzzer target for image references (src/image/reference): the bytes are a reference as a user
// or a stack file writes it. When it parses:
//   * the fully qualified form, str(), parses back to the same value;
//   * so does familiar(), the form printed to users, except where docker's own familiar form is
//     ambiguous: docker.io/a.b/c prints as "a.b/c", which reads as registry a.b (docker does the
//     same; the printed form is for display only);
//   * name() and tag_key() parse to the same repository (and tag);
//   * the parts are what the header promises: a registry, a lower-case path, a tag or a digest.
// A violated invariant aborts. Built and run by tests/fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "image/reference.hpp"

namespace {

using stack::image::kDefaultDomain;
using stack::image::Reference;

void check(bool ok) {
  if (!ok) std::abort();
}

bool has_upper(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

// Whether familiar() names a docker.io repository whose first path component reads as a registry.
bool familiar_is_ambiguous(const Reference& ref) {
  if (ref.domain() != kDefaultDomain) return false;
  std::string_view path = ref.path();
  if (path.starts_with("library/") && path.find('/', 8) == std::string_view::npos) return false;
  std::string_view first = path.substr(0, path.find('/'));
  return first.find('.') != std::string_view::npos || first == "localhost";
}

void check_parts(const Reference& ref) {
  check(!ref.domain().empty() && !ref.path().empty());
  check(!has_upper(ref.path()));
  check(ref.tag().has_value() || ref.digest().has_value());
  check(ref.name() == ref.domain() + "/" + ref.path());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ref = Reference::parse(text);
  if (!ref) {
    check(!ref.error().message().empty());
    return 0;
  }
  check_parts(*ref);

  auto again = Reference::parse(ref->str());
  check(again.has_value() && *again == *ref);

  auto familiar = Reference::parse(ref->familiar());
  if (!familiar_is_ambiguous(*ref)) check(familiar.has_value() && *familiar == *ref);

  auto name = Reference::parse(ref->name());
  check(name.has_value() && name->name() == ref->name());
  check(name->tag() == std::string(stack::image::kDefaultTag) && !name->digest());

  if (auto key = ref->tag_key()) {
    auto tagged = Reference::parse(*key);
    check(tagged.has_value() && tagged->name() == ref->name() && tagged->tag() == ref->tag());
    check(!tagged->digest());
  }
  return 0;
}
