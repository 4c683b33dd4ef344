#include "build/named_context.hpp"

#include <filesystem>

#include "build/url_source.hpp"
#include "image/digest.hpp"
#include "image/reference.hpp"
#include "util/git_url.hpp"

namespace stack::build {

using util::Errc;
using util::fail;

namespace {

std::string absolute_dir(const std::string& dir, const std::string& base_dir) {
  std::filesystem::path p(dir);
  if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
  std::string out = p.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// oci-layout://PATH[:TAG][@sha256:HEX], as buildx reads it: a digest selects by itself, else the
// tag (default "latest"); a ':' belongs to the tag only after the path's last '/'.
Result<NamedContext> parse_oci_layout(const std::string& v, const std::string& base_dir) {
  std::string rest = v.substr(13);
  NamedContext c{NamedContext::Type::oci_layout, "", "latest", ""};
  if (size_t at = rest.find('@'); at != std::string::npos) {
    auto digest = image::Digest::parse(rest.substr(at + 1));
    if (!digest) return fail(Errc::invalid_argument, "'" + v + "': " + digest.error().message());
    c.layout_digest = digest->str();
    rest.resize(at);
  }
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find('/', colon) == std::string::npos) {
    c.layout_tag = rest.substr(colon + 1);
    rest.resize(colon);
    if (c.layout_tag.empty()) return fail(Errc::invalid_argument, "'" + v + "': an empty tag");
  }
  if (rest.empty()) return fail(Errc::invalid_argument, "'" + v + "': oci-layout:// names no directory");
  c.value = absolute_dir(rest, base_dir);
  return c;
}

}  // namespace

Result<NamedContext> parse_named_context(std::string_view value, const std::string& base_dir) {
  std::string v(value);
  if (v.empty()) return fail(Errc::invalid_argument, "empty value: expected a directory or docker-image://REF");
  if (v.starts_with("docker-image://")) {
    std::string ref = v.substr(15);
    auto parsed = image::Reference::parse(ref);
    if (ref.empty() || !parsed) {
      return fail(Errc::invalid_argument, "'" + v + "': not an image reference" + (parsed ? "" : ": " + parsed.error().message()));
    }
    return NamedContext{NamedContext::Type::image, ref};
  }
  if (v.starts_with("oci-layout://")) return parse_oci_layout(v, base_dir);
  auto git = util::parse_git_source(v);
  if (!git) return std::move(git).error();  // it names the URL
  if (*git) return NamedContext{NamedContext::Type::git, v};
  if (is_url_source(v)) return NamedContext{NamedContext::Type::url, v};
  if (v.find("://") != std::string::npos || v.starts_with("github.com/")) {
    return fail(Errc::unsupported, "'" + v + "': a remote context must be a git repository (git://, ssh://, user@host:path, https://….git) or an http(s) URL of a tarball: use a local directory");
  }
  if (v.find(':') != std::string::npos && v.find('/') == std::string::npos && v[0] != '.') {
    // "service:web" outside compose, "foo:bar": a scheme stack does not know.
    return fail(Errc::invalid_argument, "'" + v + "': unknown context type '" + v.substr(0, v.find(':')) +
                                            "' (a directory or docker-image://REF)");
  }
  return NamedContext{NamedContext::Type::directory, absolute_dir(v, base_dir)};
}

Result<std::pair<std::string, NamedContext>> parse_build_context_flag(std::string_view arg, const std::string& base_dir) {
  const std::string whole(arg);
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos) return fail(Errc::invalid_argument, "--build-context '" + whole + "': expected NAME=VALUE");
  std::string name(arg.substr(0, eq));
  if (name.empty() || name.find_first_of(" \t") != std::string::npos) {
    return fail(Errc::invalid_argument, "--build-context '" + whole + "': the name must be a non-empty word");
  }
  auto ctx = parse_named_context(arg.substr(eq + 1), base_dir);
  if (!ctx) return fail(ctx.error().code(), "--build-context '" + whole + "': " + ctx.error().message());
  return std::pair{name, *ctx};
}

}  // namespace stack::build
