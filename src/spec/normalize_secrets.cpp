// secrets: and configs:, top level and per service. Their content comes from a host file, a
// variable of the environment or (configs) the text itself; a service mounts each read-only at
// /run/secrets/<name> (secrets) or /<name> (configs) unless a target is given. Swarm-only forms
// (external, drivers, templates) are refused with the reason.
#include <algorithm>
#include <cstdint>
#include <filesystem>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"

namespace stack::spec {

namespace {

struct Section {
  std::string_view name;     // "secrets" or "configs"
  std::string_view singular; // "secret" or "config"
  std::string_view dir;      // where a relative target goes
  bool content_allowed;
};

constexpr Section kSecrets{"secrets", "secret", "/run/secrets", false};
constexpr Section kConfigs{"configs", "config", "", true};

// uid and gid as compose writes them: a string or a number of digits.
std::optional<uint32_t> read_id(const Node& v, const std::string& at, Diagnostics& diags) {
  auto n = read_int(v, at, diags, 0, UINT32_MAX - 1);
  if (!n) return std::nullopt;
  return static_cast<uint32_t>(*n);
}

// A file mode: octal when written with a leading 0 or 0o (0440, as compose files write it),
// otherwise the decimal number YAML reads (288 = 0440).
std::optional<uint32_t> read_file_mode(const Node& v, const std::string& at, Diagnostics& diags) {
  auto s = read_string(v, at, diags);
  if (!s) return std::nullopt;
  std::string_view text = *s;
  int base = 10;
  if (text.starts_with("0o") || text.starts_with("0O")) {
    text.remove_prefix(2);
    base = 8;
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
  }
  uint32_t mode = 0;
  bool ok = !text.empty() && text.size() <= 6;
  for (char c : text) {
    ok = ok && c >= '0' && c < '0' + base;
    mode = mode * base + uint32_t(c - '0');
  }
  if (!ok || mode > 07777) {
    diags.error(v, at, "\"" + *s + "\" is not a valid file mode");
    return std::nullopt;
  }
  return mode;
}

std::string target_path(const Section& section, const std::string& name) {
  if (name.starts_with('/')) return clean_container_path(name);
  return clean_container_path(std::string(section.dir) + "/" + name);
}

// False after an error that leaves nothing to mount.
bool read_long_file_mount(ServiceDraft& d, const Section& section, const Node& item,
                          const std::string& at, FileMount& m) {
  static constexpr std::string_view kKeys[] = {"source", "target", "uid", "gid", "mode"};
  check_keys(item, at, kKeys, *d.diags);
  const Node* source = item.find("source");
  if (!source) {
    d.error(item, at, "missing 'source'");
    return false;
  }
  m.source = read_string(*source, join_path(at, "source"), *d.diags).value_or("");
  std::string target = m.source;
  if (const Node* t = item.find("target"); t && !t->is_null())
    target = read_string(*t, join_path(at, "target"), *d.diags).value_or(target);
  m.target = target_path(section, target);
  if (const Node* n = item.find("uid")) m.uid = read_id(*n, join_path(at, "uid"), *d.diags);
  if (const Node* n = item.find("gid")) m.gid = read_id(*n, join_path(at, "gid"), *d.diags);
  if (const Node* n = item.find("mode")) m.mode = read_file_mode(*n, join_path(at, "mode"), *d.diags);
  return true;
}

void read_file_mounts(ServiceDraft& d, const Section& section, const Node& v, const std::string& p,
                      std::vector<FileMount>& out) {
  if (!expect_sequence(v, p, *d.diags)) return;
  for (size_t i = 0; i < v.items.size(); ++i) {
    const Node& item = v.items[i];
    std::string at = index_path(p, i);
    FileMount m;
    m.location = location_of(item, at);
    if (item.is_scalar()) {
      m.source = item.scalar;
      m.target = target_path(section, item.scalar);
    } else if (item.is_mapping()) {
      if (!read_long_file_mount(d, section, item, at, m)) continue;
    } else {
      type_error(item, at, "a name or a mapping", *d.diags);
      continue;
    }
    if (m.source.empty()) {
      d.error(item, at, "must name a " + std::string(section.singular));
      continue;
    }
    auto [it, added] = d.mount_paths.emplace(m.target, at);
    if (!added) {
      d.error(item, at, "target " + m.target + " already mounted as " + it->second);
      continue;
    }
    out.push_back(std::move(m));
  }
}

// The keys compose knows for a top-level entry that need a swarm or a plugin.
void refuse_swarm_keys(const Section& section, const Node& v, const std::string& p,
                       Diagnostics& diags) {
  std::string what(section.singular);
  if (const Node* ext = v.find("external")) {
    bool external = ext->is_mapping() || read_bool(*ext, join_path(p, "external"), diags).value_or(false);
    if (external)
      diags.error(*v.find_key("external"), join_path(p, "external"),
                  "external " + std::string(section.name) +
                      " live in a swarm, which stack does not use: use 'file' or 'environment'");
  }
  for (std::string_view k : {"driver", "driver_opts"})
    if (const Node* key = v.find_key(k))
      diags.error(*key, join_path(p, k), what + " drivers need a swarm, which stack does not use");
  if (const Node* key = v.find_key("template_driver"))
    diags.error(*key, join_path(p, "template_driver"),
                "not supported yet: templates are rendered by swarm; write the file itself");
}

std::optional<FileSource> read_file_source(const Section& section, const Node& key, const Node& v,
                                           const NormalizeContext& ctx, Diagnostics& diags) {
  std::string p = join_path(section.name, key.scalar);
  if (!expect_mapping(v, p, diags)) return std::nullopt;
  static constexpr std::string_view kKeys[] = {"file",  "environment", "content",     "external",
                                               "name",  "labels",      "driver",      "driver_opts",
                                               "template_driver"};
  check_keys(v, p, kKeys, diags);
  size_t before = diags.size();
  refuse_swarm_keys(section, v, p, diags);
  // name and labels name and label the swarm object; read for their type only.
  if (const Node* n = v.find("name")) (void)read_string(*n, join_path(p, "name"), diags);
  if (const Node* n = v.find("labels")) (void)read_string_map(*n, join_path(p, "labels"), diags);
  FileSource src;
  src.key = key.scalar;
  src.location = location_of(key, p);
  std::vector<std::string_view> given;
  for (std::string_view k : {"file", "environment", "content"})
    if (v.find(k)) given.push_back(k);
  if (!section.content_allowed && v.find("content")) {
    diags.error(*v.find_key("content"), join_path(p, "content"),
                "a secret cannot be written inline: use 'file' or 'environment'");
  } else if (given.size() > 1) {
    diags.error(*v.find_key(given[1]), join_path(p, given[1]),
                "cannot be combined with '" + std::string(given[0]) + "'");
  } else if (given.empty() && !v.find("external")) {
    diags.error(key, p, std::string("needs 'file' or 'environment'") +
                            (section.content_allowed ? " or 'content'" : ""));
  } else if (given.size() == 1) {
    const Node& value = *v.find(given[0]);
    std::string at = join_path(p, given[0]);
    auto text = read_string(value, at, diags);
    if (text && given[0] == "file") {
      src.kind = FileSource::Kind::file;
      src.file = (std::filesystem::path(ctx.working_dir) / *text).lexically_normal().string();
    } else if (text && given[0] == "environment") {
      src.kind = FileSource::Kind::environment;
      src.variable = *text;
      auto it = ctx.environment.find(*text);
      if (it == ctx.environment.end())
        diags.error(value, at, "variable '" + *text + "' is not set");
      else
        src.content = it->second;
    } else if (text) {
      src.kind = FileSource::Kind::content;
      src.content = *text;
    }
  }
  if (diags.size() != before) return std::nullopt;
  return src;
}

}  // namespace

void read_secrets(ServiceDraft& d, const Node& v, const std::string& p) {
  read_file_mounts(d, kSecrets, v, p, d.service.secrets);
}

void read_configs(ServiceDraft& d, const Node& v, const std::string& p) {
  read_file_mounts(d, kConfigs, v, p, d.service.configs);
}

std::vector<FileSource> normalize_file_sources(const Node* node, std::string_view section,
                                               const NormalizeContext& ctx, Diagnostics& diags) {
  std::vector<FileSource> out;
  if (!node || node->is_null() || !expect_mapping(*node, std::string(section), diags)) return out;
  const Section& s = section == "secrets" ? kSecrets : kConfigs;
  for (const auto& [key, value] : node->entries) {
    if (key.scalar.starts_with("x-")) continue;
    if (auto src = read_file_source(s, key, value, ctx, diags)) out.push_back(std::move(*src));
  }
  std::sort(out.begin(), out.end(), [](const FileSource& a, const FileSource& b) { return a.key < b.key; });
  return out;
}

}  // namespace stack::spec
