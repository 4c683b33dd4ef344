// build: the service's image made from a Dockerfile. The string form is the context; the mapping
// form is read key by key, and the keys of the Compose build schema that stack does not do yet
// are refused with their reason, never dropped.
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <functional>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"
#include "util/build_cache_option.hpp"
#include "util/git_url.hpp"

namespace stack::spec {

namespace {

struct BuildRefusal {
  std::string_view key;
  std::string_view reason;
};

constexpr std::array kRefusedBuildKeys{
    BuildRefusal{"entitlements", "RUN steps have docker's default capabilities"},
    BuildRefusal{"isolation", "RUN steps run in containers of stack's own runtime"},
    BuildRefusal{"platforms", "images are built for the host's platform only"},
    BuildRefusal{"privileged", "RUN steps have docker's default capabilities"},
    BuildRefusal{"provenance", "no attestations are made"},
    BuildRefusal{"sbom", "no attestations are made"},
    BuildRefusal{"ulimits", "RUN steps have no limits"},
};

constexpr std::array<std::string_view, 17> kBuildKeys{
    "context", "dockerfile", "dockerfile_inline", "args",     "target",      "labels",  "network",
    "no_cache", "pull",      "tags",              "shm_size", "extra_hosts", "secrets", "additional_contexts",
    "ssh",        "cache_from", "cache_to"};

std::vector<std::string_view> known_build_keys() {
  std::vector<std::string_view> out(kBuildKeys.begin(), kBuildKeys.end());
  for (const auto& r : kRefusedBuildKeys) out.push_back(r.key);
  return out;
}

// http:// or https://: a tarball (or a Dockerfile) the builder downloads, unless a git repository.
bool is_http_url(std::string_view value) { return value.starts_with("http://") || value.starts_with("https://"); }

bool is_remote(std::string_view context) {
  return context.find("://") != std::string_view::npos || context.starts_with("git@") ||
         context.starts_with("github.com/");
}

// Made absolute and clean, without a trailing slash ("." is the base itself).
std::string absolute(const std::string& base, const std::string& path) {
  std::string out = (std::filesystem::path(base) / path).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// A local directory, relative to the project directory (absolutize_service_paths made the
// contexts of other files' services absolute already), or a git repository's or an http(s) URL,
// kept as written: the builder checks it out or downloads it (docs/build.md, "A git repository as
// the context", "A URL as the context").
void read_context(ServiceDraft& d, const Node& v, const std::string& p, Build& b) {
  auto s = read_string(v, p, *d.diags);
  if (!s) return;
  if (s->empty()) return d.error(v, p, "must not be empty");
  if (auto git = util::parse_git_source(*s); !git) {
    return d.error(v, p, git.error().message());
  } else if (*git) {
    b.context = *s;
    return;
  }
  if (is_http_url(*s)) {
    b.context = *s;  // a tarball or a Dockerfile, downloaded by the builder (build/url_context.hpp)
    return;
  }
  if (is_remote(*s))
    return d.error(v, p, "not supported yet: a remote context that is neither a git repository nor an http(s) URL ('" +
                             *s + "'); use a local directory, a git URL or an http(s) URL");
  b.context = absolute(d.ctx->working_dir, *s);
  struct stat st {};
  if (::stat(b.context.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    d.error(v, p, "build context '" + b.context + "' is not a directory");
}

// One named context's value: service:NAME (checked by validate), docker-image://REF, a git
// repository, an http(s) tarball, oci-layout://PATH, or a local directory relative to the project
// directory; other remote values are refused.
void read_named_context(ServiceDraft& d, const Node& v, const std::string& p, std::string name, std::string value,
                        Build& b) {
  if (name.empty()) return d.error(v, p, "a named context needs a name");
  if (value.empty()) return d.error(v, p, "must not be empty");
  if (value.starts_with("service:")) {
    if (value.size() == 8) return d.error(v, p, "service: names no service");
  } else if (value.starts_with("docker-image://")) {
    if (value.size() == 15) return d.error(v, p, "docker-image:// names no image");
  } else if (value.starts_with("oci-layout://")) {
    // oci-layout://PATH[:TAG][@DIGEST]: PATH relative to the project directory; read by the builder.
    std::string rest = value.substr(13);
    if (rest.empty()) return d.error(v, p, "oci-layout:// names no directory");
    if (rest[0] != '/') value = "oci-layout://" + absolute(d.ctx->working_dir, rest);
  } else if (auto git = util::parse_git_source(value); !git) {
    return d.error(v, p, git.error().message());
  } else if (*git || is_http_url(value)) {
    // A git repository or a tarball: kept as written, fetched when the build starts.
  } else if (is_remote(value)) {
    return d.error(v, p, "not supported yet: a remote context that is neither a git repository nor an http(s) URL ('" +
                             value + "'); use a local directory");
  } else {
    value = absolute(d.ctx->working_dir, value);
    struct stat st {};
    if (::stat(value.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return d.error(v, p, "build context '" + value + "' is not a directory");
  }
  b.additional_contexts.push_back({std::move(name), std::move(value), location_of(v, p)});
}

// A mapping NAME: VALUE, or a list of "NAME=VALUE", as compose takes it.
// A mapping KEY: VALUE, or a list of "KEY=VALUE" ("KEY" alone when bare_keys, with an empty
// value; a null mapping value is empty too): each pair to add with its node and key path.
using PairSink = std::function<void(const Node& node, const std::string& at, std::string key, std::string value)>;
void read_pairs(ServiceDraft& d, const Node& v, const std::string& p, bool bare_keys, const std::string& expected,
                const PairSink& add) {
  if (v.is_mapping()) {
    for (const auto& [k, value] : v.entries) {
      std::string at = join_path(p, k.scalar);
      if (value.is_null() && bare_keys) add(k, at, k.scalar, "");
      else if (auto s = read_string(value, at, *d.diags)) add(value, at, k.scalar, *s);
    }
  } else if (v.is_sequence()) {
    for (size_t i = 0; i < v.items.size(); ++i) {
      std::string at = index_path(p, i);
      auto s = read_string(v.items[i], at, *d.diags);
      if (!s) continue;
      size_t eq = s->find('=');
      if (eq == std::string::npos && !bare_keys) {
        d.error(v.items[i], at, "expected NAME=VALUE");
        continue;
      }
      add(v.items[i], at, s->substr(0, eq), eq == std::string::npos ? "" : s->substr(eq + 1));
    }
  } else {
    type_error(v, p, expected, *d.diags);
  }
}

void read_additional_contexts(ServiceDraft& d, const Node& v, const std::string& p, Build& b) {
  read_pairs(d, v, p, false, "a mapping or a list of NAME=VALUE",
             [&](const Node& node, const std::string& at, std::string name, std::string value) {
               read_named_context(d, node, at, name, value, b);
             });
}

// `- default`, `- ID=SOCKET`, or a mapping ID: SOCKET (`default` alone: SSH_AUTH_SOCK's), as
// `stack image build --ssh` takes them; the socket is checked when the build starts (the host).
void read_build_ssh(ServiceDraft& d, const Node& v, const std::string& p, Build& b) {
  read_pairs(d, v, p, true, "a list of ID[=SOCKET] or a mapping",
             [&](const Node& node, const std::string& at, std::string id, std::string socket) {
               if (id.empty()) return d.error(node, at, "expected ID or ID=SOCKET (default: the agent of SSH_AUTH_SOCK)");
               b.ssh[std::move(id)] = socket.empty() || socket.starts_with('~') ? socket : absolute(d.ctx->working_dir, socket);
             });
}

void read_network(ServiceDraft& d, const Node& v, const std::string& p, Build& b) {
  auto s = read_string(v, p, *d.diags);
  if (!s) return;
  if (*s == "none" || *s == "default" || *s == "host") b.network = *s;
  // A build joins no network of a project (BuildKit refuses a network's name too: "network mode
  // not supported by buildkit"); its steps must not depend on a project's containers being up.
  else d.error(v, p, "network '" + *s + "' cannot be a build's: RUN steps run on none, default (a bridge of the build's own) or host, as with BuildKit, which refuses a network's name");
}

// cache_from / cache_to: local and registry caches (util/build_cache_option.hpp), a directory
// relative to the project directory; each other kind refused at its item with the reason.
void read_build_caches(ServiceDraft& d, const Node& v, const std::string& p, util::CacheDirection direction,
                       std::vector<util::CacheOption>& caches) {
  if (!expect_sequence(v, p, *d.diags)) return;
  for (size_t i = 0; i < v.items.size(); ++i) {
    const std::string at = p + "[" + std::to_string(i) + "]";
    auto text = read_string(v.items[i], at, *d.diags);
    if (!text) continue;
    auto cache = util::parse_cache_option(*text, direction);
    if (!cache) {
      d.error(v.items[i], at, cache.error().message());
      continue;
    }
    if (cache->type == util::CacheType::local) cache->location = absolute(d.ctx->working_dir, cache->location);
    caches.push_back(std::move(*cache));
  }
}

// The service's own extra_hosts reader, its result moved into the build.
void read_build_hosts(ServiceDraft& d, const Node& v, const std::string& p, Build& b) {
  std::vector<ExtraHost> service_hosts = std::move(d.service.extra_hosts);
  d.service.extra_hosts.clear();
  read_extra_hosts(d, v, p);
  b.extra_hosts = std::move(d.service.extra_hosts);
  d.service.extra_hosts = std::move(service_hosts);
}

// `- name` or `{source: name, target: id}`; the mode and owner of a build's secret file are
// the Dockerfile's (--mount=type=secret,mode=,uid=,gid=), so the long form takes no more keys.
void read_build_secrets(ServiceDraft& d, const Node& v, const std::string& p, Build& b) {
  if (!expect_sequence(v, p, *d.diags)) return;
  for (size_t i = 0; i < v.items.size(); ++i) {
    const Node& item = v.items[i];
    std::string at = index_path(p, i);
    BuildSecret secret;
    secret.location = location_of(item, at);
    if (item.is_scalar()) {
      secret.source = item.scalar;
    } else if (item.is_mapping()) {
      for (const auto& [k, value] : item.entries) {
        if (k.scalar == "source") secret.source = read_string(value, join_path(at, "source"), *d.diags).value_or("");
        else if (k.scalar == "target") secret.id = read_string(value, join_path(at, "target"), *d.diags).value_or("");
        else if (k.scalar == "uid" || k.scalar == "gid" || k.scalar == "mode")
          d.error(k, join_path(at, k.scalar), "not supported for a build secret: the Dockerfile's --mount=type=secret sets it");
        else d.error(k, join_path(at, k.scalar), "unknown key (source or target)");
      }
    } else {
      type_error(item, at, "a secret's name or a mapping", *d.diags);
      continue;
    }
    if (secret.source.empty()) {
      d.error(item, at, "must name a secret");
      continue;
    }
    if (secret.id.empty()) secret.id = secret.source;
    b.secrets.push_back(std::move(secret));
  }
}

void read_build_key(ServiceDraft& d, std::string_view key, const Node& v, const std::string& p, Build& b) {
  if (key == "context") {
    read_context(d, v, p, b);
  } else if (key == "dockerfile") {
    if (auto s = read_string(v, p, *d.diags)) b.dockerfile = *s;
  } else if (key == "dockerfile_inline") {
    if (auto s = read_string(v, p, *d.diags)) b.dockerfile_inline = *s;
  } else if (key == "args") {
    if (auto env = read_variables(d, v, p)) b.args = std::move(*env);
  } else if (key == "target") {
    if (auto s = read_string(v, p, *d.diags)) b.target = *s;
  } else if (key == "labels") {
    if (auto m = read_string_map(v, p, *d.diags)) b.labels = std::move(*m);
  } else if (key == "network") {
    read_network(d, v, p, b);
  } else if (key == "no_cache") {
    if (auto f = read_bool(v, p, *d.diags)) b.no_cache = *f;
  } else if (key == "pull") {
    if (auto f = read_bool(v, p, *d.diags)) b.pull = *f;
  } else if (key == "tags") {
    if (auto list = read_string_list(v, p, *d.diags)) b.tags = std::move(*list);
  } else if (key == "shm_size") {
    b.shm_size = read_bytes(v, p, *d.diags);
  } else if (key == "extra_hosts") {
    read_build_hosts(d, v, p, b);
  } else if (key == "secrets") {
    read_build_secrets(d, v, p, b);
  } else if (key == "additional_contexts") {
    read_additional_contexts(d, v, p, b);
  } else if (key == "ssh") {
    read_build_ssh(d, v, p, b);
  } else if (key == "cache_from") {
    read_build_caches(d, v, p, util::CacheDirection::from, b.cache_from);
  } else if (key == "cache_to") {
    read_build_caches(d, v, p, util::CacheDirection::to, b.cache_to);
  }
}

void read_build_mapping(ServiceDraft& d, const Node& v, const std::string& p, Build& b) {
  static const std::vector<std::string_view> known = known_build_keys();
  check_keys(v, p, known, *d.diags);
  const Node* context = nullptr;
  for (const auto& [k, value] : v.entries) {
    std::string at = join_path(p, k.scalar);
    auto refused = std::find_if(kRefusedBuildKeys.begin(), kRefusedBuildKeys.end(),
                                [&name = k.scalar](const BuildRefusal& r) { return r.key == name; });
    if (refused != kRefusedBuildKeys.end()) {
      d.error(k, at, "not supported yet: " + std::string(refused->reason));
    } else if (!value.is_null()) {
      if (k.scalar == "context") context = &value;
      read_build_key(d, k.scalar, value, at, b);
    }
  }
  if (!context) b.context = d.ctx->working_dir;  // compose's default context is "."
  const Node* dockerfile = v.find("dockerfile");
  if (dockerfile && v.find("dockerfile_inline")) {
    d.error(*dockerfile, join_path(p, "dockerfile"), "cannot be combined with 'dockerfile_inline'");
  }
  // A relative Dockerfile is relative to the context, as `docker build -f` in compose (inside the
  // repository for a git context: the builder joins it to the checkout).
  // Inside a remote context (a git repository, a tarball) a Dockerfile stays relative to it.
  if (!b.dockerfile.empty() && !is_remote(b.context) && !util::is_git_source(b.context)) {
    b.dockerfile = absolute(b.context, b.dockerfile);
  }
}

}  // namespace

void read_build(ServiceDraft& d, const Node& v, const std::string& p) {
  Build b;
  if (v.is_scalar()) {
    read_context(d, v, p, b);
  } else if (v.is_mapping()) {
    read_build_mapping(d, v, p, b);
  } else {
    return type_error(v, p, "a string (the context) or a mapping", *d.diags);
  }
  d.service.build = std::move(b);
}

std::string default_image_name(std::string_view project, std::string_view service) {
  std::string out;
  for (char c : std::string(project) + "-" + std::string(service)) {
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace stack::spec
