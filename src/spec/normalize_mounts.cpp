// volumes: and tmpfs: to Mounts. Short syntax as compose reads it: "src:dst[:opts]", a source
// starting with "/", "." or "~" is a host path, anything else names a volume, "dst" alone is an
// anonymous volume.
#include <filesystem>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"
#include "util/bytes.hpp"
#include "util/tmpfs_options.hpp"

namespace stack::spec {

namespace {

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

bool is_propagation(std::string_view s) {
  return s == "shared" || s == "rshared" || s == "slave" || s == "rslave" || s == "private" ||
         s == "rprivate";
}

bool is_host_path(std::string_view s) {
  return !s.empty() && (s[0] == '/' || s[0] == '.' || s[0] == '~');
}

// Host paths are made absolute here so that the runtime never depends on the current directory.
std::string resolve_host_path(const ServiceDraft& d, const std::string& src) {
  namespace fs = std::filesystem;
  if (src == "~" || src.rfind("~/", 0) == 0) {
    auto home = d.ctx->environment.find("HOME");
    std::string base = home == d.ctx->environment.end() ? "/root" : home->second;
    return (fs::path(base) / src.substr(src.size() > 1 ? 2 : 1)).lexically_normal().string();
  }
  if (src[0] == '/') return fs::path(src).lexically_normal().string();
  return (fs::path(d.ctx->working_dir) / src).lexically_normal().string();
}

// "ro,z" etc.; false (with a message) on an unknown option.
bool apply_options(Mount& m, std::string_view opts, std::string& bad) {
  for (const auto& o : split(opts, ',')) {
    if (o == "ro") m.read_only = true;
    else if (o == "rw") m.read_only = false;
    else if (o == "z" || o == "Z") m.selinux = o;
    else if (o == "nocopy") m.nocopy = true;
    else if (is_propagation(o)) m.propagation = o;
    else if (o == "consistent" || o == "cached" || o == "delegated") continue;  // macOS only
    else {
      bad = o;
      return false;
    }
  }
  return true;
}

// Two mounts on one container path in one file are an error, as in compose (an override file's
// mount on the same path replaces the base's at merge instead).
void add_mount(ServiceDraft& d, std::vector<Mount>& list, Mount m, const Node& item,
               const std::string& at) {
  auto [it, added] = d.mount_paths.emplace(m.target, at);
  if (!added) {
    d.error(item, at, "target " + m.target + " already mounted as " + it->second);
    return;
  }
  list.push_back(std::move(m));
}

void read_short_volume(ServiceDraft& d, const Node& item, const std::string& at) {
  auto parts = split(item.scalar, ':');
  Mount m;
  std::string bad;
  auto invalid = [&](const std::string& why) {
    d.error(item, at, "\"" + item.scalar + "\" is not a valid volume" + why);
  };
  if (parts.size() > 3 || item.scalar.empty()) return invalid("");
  if (parts.size() == 1) {
    m.target = parts[0];
  } else {
    m.source = parts[0];
    m.target = parts[1];
    if (m.source.empty()) return invalid(": empty source");
    if (parts.size() == 3 && !apply_options(m, parts[2], bad))
      return invalid(": unknown option '" + bad + "'");
  }
  if (m.target.empty() || m.target[0] != '/') return invalid(": target must be an absolute path");
  m.target = clean_container_path(m.target);
  if (is_host_path(m.source)) {
    m.type = MountType::bind;
    m.source = resolve_host_path(d, m.source);
  } else if (!m.propagation.empty() || !m.selinux.empty()) {
    return invalid(": propagation and selinux options apply to host paths only");
  }
  add_mount(d, d.volume_mounts, std::move(m), item, at);
}

std::optional<uint32_t> parse_mode(const Node& v, const std::string& at, Diagnostics& diags) {
  auto s = read_string(v, at, diags);
  if (!s) return std::nullopt;
  uint32_t mode = 0;
  bool ok = !s->empty() && s->size() <= 5;
  for (char c : *s) {
    ok = ok && c >= '0' && c <= '7';
    mode = mode * 8 + uint32_t(c - '0');
  }
  if (!ok || mode > 07777) {
    diags.error(v, at, "\"" + *s + "\" is not a valid octal mode");
    return std::nullopt;
  }
  return mode;
}

void read_bind_options(ServiceDraft& d, const Node& b, const std::string& at, Mount& m) {
  static constexpr std::string_view kKeys[] = {"propagation", "create_host_path", "selinux"};
  if (!expect_mapping(b, at, *d.diags)) return;
  check_keys(b, at, kKeys, *d.diags);
  if (const Node* n = b.find("propagation")) {
    auto s = read_string(*n, join_path(at, "propagation"), *d.diags);
    if (s && !is_propagation(*s))
      d.error(*n, join_path(at, "propagation"), "unknown propagation '" + *s + "'");
    else if (s) m.propagation = *s;
  }
  if (const Node* n = b.find("create_host_path"))
    m.create_host_path = read_bool(*n, join_path(at, "create_host_path"), *d.diags).value_or(false);
  if (const Node* n = b.find("selinux")) {
    auto s = read_string(*n, join_path(at, "selinux"), *d.diags);
    if (s && *s != "z" && *s != "Z") d.error(*n, join_path(at, "selinux"), "must be 'z' or 'Z'");
    else if (s) m.selinux = *s;
  }
}

// subpath of a volume or an image: relative and without "..", as docker requires (it must also
// exist, which only the volume or image can say when the container is made).
void read_subpath(ServiceDraft& d, const Node& n, const std::string& at, const char* inside, Mount& m) {
  auto s = read_string(n, at, *d.diags);
  std::filesystem::path p = s ? std::filesystem::path(*s).lexically_normal() : std::filesystem::path();
  if (s && (s->empty() || p.is_absolute() || *p.begin() == "..")) {
    d.error(n, at, "'" + *s + "' is not a relative path inside the " + inside);
  } else if (s) {
    m.subpath = p.string();
    if (m.subpath.ends_with('/')) m.subpath.pop_back();
  }
}

void read_volume_options(ServiceDraft& d, const Node& v, const std::string& at, Mount& m) {
  static constexpr std::string_view kKeys[] = {"nocopy", "subpath"};
  if (!expect_mapping(v, at, *d.diags)) return;
  check_keys(v, at, kKeys, *d.diags);
  if (const Node* n = v.find("nocopy"))
    m.nocopy = read_bool(*n, join_path(at, "nocopy"), *d.diags).value_or(false);
  if (const Node* n = v.find("subpath")) read_subpath(d, *n, join_path(at, "subpath"), "volume", m);
}

void read_image_options(ServiceDraft& d, const Node& v, const std::string& at, Mount& m) {
  static constexpr std::string_view kKeys[] = {"subpath"};
  if (!expect_mapping(v, at, *d.diags)) return;
  check_keys(v, at, kKeys, *d.diags);
  if (const Node* n = v.find("subpath")) read_subpath(d, *n, join_path(at, "subpath"), "image", m);
}

// Mount option words of a tmpfs (util/tmpfs_options.hpp): kept in order when every one is good.
void check_tmpfs_words(ServiceDraft& d, const Node& at_node, const std::string& at, std::vector<std::string> words,
                       Mount& m) {
  if (auto checked = util::tmpfs_mount_options(words); !checked) {
    d.error(at_node, at, checked.error().message());
    return;
  }
  m.tmpfs_options = std::move(words);
}

// `options` is stack's own key (a list of the words that the short syntax takes after size= and
// mode=): what `stack config` prints for them, so that its output reads back.
void read_tmpfs_options(ServiceDraft& d, const Node& v, const std::string& at, Mount& m) {
  static constexpr std::string_view kKeys[] = {"size", "mode", "options"};
  if (!expect_mapping(v, at, *d.diags)) return;
  check_keys(v, at, kKeys, *d.diags);
  if (const Node* n = v.find("size")) m.tmpfs_size = read_bytes(*n, join_path(at, "size"), *d.diags);
  if (const Node* n = v.find("mode")) m.tmpfs_mode = parse_mode(*n, join_path(at, "mode"), *d.diags);
  if (const Node* n = v.find("options")) {
    const std::string path = join_path(at, "options");
    if (auto words = read_string_list(*n, path, *d.diags)) check_tmpfs_words(d, *n, path, std::move(*words), m);
  }
}

bool read_mount_type(ServiceDraft& d, const Node& item, const std::string& at, Mount& m) {
  const Node* t = item.find("type");
  if (!t) {
    d.error(item, at, "missing 'type'");
    return false;
  }
  auto s = read_string(*t, join_path(at, "type"), *d.diags);
  if (!s) return false;
  if (*s == "bind") m.type = MountType::bind;
  else if (*s == "volume") m.type = MountType::volume;
  else if (*s == "tmpfs") m.type = MountType::tmpfs;
  else if (*s == "npipe")
    d.error(*t, join_path(at, "type"), "not supported: 'npipe' mounts are Windows named pipes");
  else if (*s == "cluster")
    d.error(*t, join_path(at, "type"), "not supported: 'cluster' volumes need a swarm");
  else if (*s == "image") m.type = MountType::image;
  else d.error(*t, join_path(at, "type"), "unknown mount type '" + *s + "' (bind, volume, tmpfs or image)");
  return *s == "bind" || *s == "volume" || *s == "tmpfs" || *s == "image";
}

void read_long_volume(ServiceDraft& d, const Node& item, const std::string& at) {
  static constexpr std::string_view kKeys[] = {"type",        "source", "target", "read_only", "consistency",
                                               "bind",        "volume", "tmpfs",  "image"};
  size_t before = d.diags->size();
  check_keys(item, at, kKeys, *d.diags);
  Mount m;
  m.create_host_path = false;  // only the short syntax implies it (compose-spec)
  if (!read_mount_type(d, item, at, m)) return;
  if (const Node* n = item.find("source")) m.source = read_string(*n, join_path(at, "source"), *d.diags).value_or("");
  if (const Node* n = item.find("target")) m.target = read_string(*n, join_path(at, "target"), *d.diags).value_or("");
  if (const Node* n = item.find("read_only"))
    m.read_only = read_bool(*n, join_path(at, "read_only"), *d.diags).value_or(false);
  if (m.target.empty() || m.target[0] != '/')
    d.error(item.find("target") ? *item.find("target") : item, join_path(at, "target"),
            "must be an absolute path");
  m.target = clean_container_path(m.target);
  if (m.type == MountType::bind && m.source.empty())
    d.error(item, at, "a bind mount needs a 'source'");
  if (m.type == MountType::bind && !m.source.empty()) m.source = resolve_host_path(d, m.source);
  if (m.type == MountType::tmpfs && !m.source.empty())
    d.error(*item.find("source"), join_path(at, "source"), "a tmpfs mount takes no source");
  if (m.type == MountType::image) {
    // The image's files, never written: docker mounts an image read-only.
    if (m.source.empty()) d.error(item, at, "an image mount needs a 'source' (an image reference)");
    if (const Node* n = item.find("read_only"); n && !m.read_only)
      d.error(*n, join_path(at, "read_only"), "an image mount is read-only");
    m.read_only = true;
  }
  const std::string own(to_string(m.type));
  for (std::string_view k : {"bind", "volume", "tmpfs", "image"}) {
    const Node* n = item.find(k);
    if (!n) continue;
    std::string kp = join_path(at, k);
    if (k != own) d.error(*n, kp, "does not apply to a '" + own + "' mount");
    else if (k == "bind") read_bind_options(d, *n, kp, m);
    else if (k == "volume") read_volume_options(d, *n, kp, m);
    else if (k == "image") read_image_options(d, *n, kp, m);
    else read_tmpfs_options(d, *n, kp, m);
  }
  // A mount already in error is not compared with the others: no follow-on errors.
  if (d.diags->size() == before) add_mount(d, d.volume_mounts, std::move(m), item, at);
}

void read_tmpfs_entry(ServiceDraft& d, const Node& item, const std::string& at) {
  size_t before = d.diags->size();
  auto s = read_string(item, at, *d.diags);
  if (!s) return;
  size_t colon = s->find(':');
  Mount m;
  m.type = MountType::tmpfs;
  m.target = s->substr(0, colon);
  if (m.target.empty() || m.target[0] != '/') {
    d.error(item, at, "\"" + *s + "\": target must be an absolute path");
    return;
  }
  m.target = clean_container_path(m.target);
  if (colon != std::string::npos) {
    std::vector<std::string> words;
    for (const auto& opt : split(s->substr(colon + 1), ',')) {
      if (opt.rfind("size=", 0) == 0) {
        auto b = util::parse_bytes(opt.substr(5));
        if (b) m.tmpfs_size = *b;
        else d.error(item, at, b.error().message());
      } else if (opt.rfind("mode=", 0) == 0) {
        Node mode = Node::make_scalar(opt.substr(5), item.mark);
        m.tmpfs_mode = parse_mode(mode, at, *d.diags);
      } else {
        words.push_back(opt);
      }
    }
    check_tmpfs_words(d, item, at, std::move(words), m);
  }
  if (d.diags->size() == before) add_mount(d, d.tmpfs_mounts, std::move(m), item, at);
}

}  // namespace

void read_volumes(ServiceDraft& d, const Node& v, const std::string& p) {
  if (!expect_sequence(v, p, *d.diags)) return;
  for (size_t i = 0; i < v.items.size(); ++i) {
    const Node& item = v.items[i];
    std::string at = index_path(p, i);
    if (item.is_scalar()) read_short_volume(d, item, at);
    else if (item.is_mapping()) read_long_volume(d, item, at);
    else type_error(item, at, "a string or a mapping", *d.diags);
  }
}

void read_tmpfs(ServiceDraft& d, const Node& v, const std::string& p) {
  if (v.is_scalar()) return read_tmpfs_entry(d, v, p);
  if (!expect_sequence(v, p, *d.diags)) return;
  for (size_t i = 0; i < v.items.size(); ++i) read_tmpfs_entry(d, v.items[i], index_path(p, i));
}

// volumes_from: ["data", "data:ro", "container:backup:ro"]. container:NAME names a container
// that need not belong to the project, looked up when a container is made. Whether a service
// exists is validate's question (the implied depends_on entry carries the item's location).
void read_volumes_from(ServiceDraft& d, const Node& v, const std::string& p) {
  auto list = read_string_list(v, p, *d.diags);
  if (!list) return;
  constexpr std::string_view kContainer = "container:";
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string& text = (*list)[i];
    const std::string at = index_path(p, i);
    const bool of_container = text.starts_with(kContainer);
    const std::string rest = of_container ? text.substr(kContainer.size()) : text;
    const size_t colon = rest.find(':');
    VolumesFrom from;
    (of_container ? from.container : from.service) = rest.substr(0, colon);
    from.location = location_of(v.items[i], at);
    const std::string mode = colon == std::string::npos ? "" : rest.substr(colon + 1);
    if (mode == "ro" || mode == "rw") from.read_only = mode == "ro";
    if (rest.substr(0, colon).empty() || (colon != std::string::npos && !from.read_only)) {
      d.error(v.items[i], at,
              "'" + text + "' is not SERVICE or container:NAME, optionally followed by :ro or :rw");
      continue;
    }
    if (!of_container && from.service == d.service.name) {
      d.error(v.items[i], at, "a service cannot take its own volumes");
      continue;
    }
    d.service.volumes_from.push_back(std::move(from));
  }
}

}  // namespace stack::spec
