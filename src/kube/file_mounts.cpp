// secrets: and configs: -> a Secret or a ConfigMap per top-level entry that an exported service
// mounts (named <project>-<key>, as compose names them, made valid), and in each pod one volume
// and one read-only file mount per use, where compose mounts it (/run/secrets/<name>, /<name> or
// the target), with compose's mode (0444 unless given). Kubernetes mounts these files as root's:
// a gid becomes the pod's fsGroup, a uid is dropped with a warning.
#include <cstdio>

#include "kube/context.hpp"
#include "kube/names.hpp"

namespace stack::kube {

namespace {

constexpr uint32_t kDefaultMode = 0444;  // compose's, for both
constexpr uint32_t kPermissionBits = 0777;  // what defaultMode takes

// One of the two sections, and how each reads in Kubernetes.
struct Section {
  const char* name;      // "secrets"
  const char* singular;  // "secret"
  const char* kind;      // "Secret"
  const char* volume_field;  // the pod volume's source field
  const char* name_field;    // its field that names the object
  const std::vector<spec::FileMount> spec::Service::*mounts;
  const spec::FileSource* (spec::Stack::*find)(std::string_view) const;
  std::map<std::string, std::string> Context::*names;
};

constexpr Section kSections[] = {
    {"secrets", "secret", "Secret", "secret", "secretName", &spec::Service::secrets,
     &spec::Stack::find_secret, &Context::secret_names},
    {"configs", "config", "ConfigMap", "configMap", "name", &spec::Service::configs,
     &spec::Stack::find_config, &Context::config_names},
};

std::string octal(uint32_t mode) {
  char text[16];
  std::snprintf(text, sizeof text, "0%03o", mode);
  return text;
}

std::string base64(std::string_view data) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  uint32_t bits = 0;
  int pending = 0;  // bits of `bits` not written yet
  for (unsigned char c : data) {
    bits = (bits << 8) | c;
    for (pending += 8; pending >= 6; pending -= 6) out += kDigits[(bits >> (pending - 6)) & 63];
  }
  if (pending > 0) out += kDigits[(bits << (6 - pending)) & 63];
  while (out.size() % 4 != 0) out += '=';
  return out;
}

// The key of the one file in the object: the entry's name when Kubernetes takes it as a key.
std::string data_key(const std::string& source) {
  return is_config_key(source) ? source : "content";
}

// The pod's fsGroup: the first group that a secret or config of the service gives (the kubelet
// gives the files of the pod's volumes that group and makes them group-readable).
std::optional<uint32_t> fs_group(const spec::Service& s) {
  for (const Section& section : kSections)
    for (const spec::FileMount& m : s.*section.mounts)
      if (m.gid.value_or(0) != 0) return *m.gid;
  return std::nullopt;
}

// Kubernetes has no per-file owner: files are root's, the group is the pod's fsGroup.
void warn_owner(Context& ctx, const spec::FileMount& m, const std::string& path, uint32_t mode,
                std::optional<uint32_t> group) {
  if (uint32_t gid = m.gid.value_or(0); gid == group)
    ctx.warnings.add(path, "group " + std::to_string(gid) + " approximated by the pod's fsGroup: "
                           "its processes join the group, and every volume of the pod (claims "
                           "too) is given it");
  else if (gid != 0)
    ctx.warnings.add(path, "group " + std::to_string(gid) + " dropped: a pod has one fsGroup, " +
                               std::to_string(*group));
  if (m.uid.value_or(0) == 0) return;
  std::string why = "owner " + std::to_string(*m.uid) +
                    " dropped: Kubernetes mounts secret and config files as root's";
  if ((mode & 04) == 0 && !group)
    why += "; with mode " + octal(mode) + " only root reads it (set a gid, or a mode readable by others)";
  ctx.warnings.add(path, why);
}

void add_mount(Context& ctx, const Section& section, const spec::Service& s,
               const spec::FileMount& m, const std::string& volume, std::optional<uint32_t> group,
               json& container, json& pod) {
  std::string path = Context::path(s, std::string(section.name) + "[" + m.target + "]");
  uint32_t mode = m.mode.value_or(kDefaultMode);
  if ((mode & ~kPermissionBits) != 0) {
    ctx.warnings.add(path, "mode " + octal(mode) + " has setuid, setgid or sticky bits, dropped: "
                           "Kubernetes sets permission bits only");
    mode &= kPermissionBits;
  }
  std::string object = (ctx.*section.names).at(m.source);
  json source = {{section.name_field, object}, {"defaultMode", mode}};
  pod["volumes"].push_back({{"name", volume}, {section.volume_field, std::move(source)}});
  // One file, by subPath: the directory around it stays the image's, as under compose.
  container["volumeMounts"].push_back({{"name", volume},
                                       {"mountPath", m.target},
                                       {"subPath", data_key(m.source)},
                                       {"readOnly", true}});
  warn_owner(ctx, m, path, mode, group);
}

// The content of an entry: the file's (a regular file of at most 1 MiB), or the text the model
// resolved (a variable's value, a config's content).
util::Result<std::string> content_of(Context& ctx, const Section& section,
                                     const spec::FileSource& src) {
  using util::Errc;
  std::string limit = std::string("a ") + section.kind + " holds at most 1 MiB";
  if (src.kind != spec::FileSource::Kind::file) {
    if (src.content.size() > kMaxObjectBytes)
      return util::fail(Errc::unsupported, "more than 1 MiB: " + limit);
    return src.content;
  }
  std::optional<FileInfo> info = ctx.files.stat(src.file);
  if (!info) return util::fail(Errc::not_found, "file '" + src.file + "' does not exist");
  if (info->kind != FileInfo::Kind::file)
    return util::fail(Errc::unsupported, "'" + src.file + "' is not a regular file");
  if (info->size > kMaxObjectBytes)
    return util::fail(Errc::unsupported,
                      "'" + src.file + "' has " + std::to_string(info->size) + " bytes: " + limit);
  STACK_ASSIGN_OR_RETURN(std::string text, ctx.files.read(src.file));
  if (text.size() > kMaxObjectBytes)
    return util::fail(Errc::unsupported, "'" + src.file + "' grew past 1 MiB: " + limit);
  return text;
}

json object_body(Context& ctx, const Section& section, const std::string& name,
                 const std::string& key, const std::string& content) {
  json body = {{"metadata", ctx.metadata(name)}};
  if (std::string_view(section.kind) == "Secret") {
    body["type"] = "Opaque";
    body["data"] = {{key, base64(content)}};
  } else if (is_text(content)) {
    body["data"] = {{key, content}};
  } else {
    body["binaryData"] = {{key, base64(content)}};
  }
  return body;
}

}  // namespace

void add_file_mounts(Context& ctx, const spec::Service& s, json& container, json& pod) {
  std::optional<uint32_t> group = fs_group(s);
  if (group) pod["securityContext"]["fsGroup"] = *group;
  for (const Section& section : kSections) {
    const std::vector<spec::FileMount>& mounts = s.*section.mounts;
    for (size_t i = 0; i < mounts.size(); ++i)
      add_mount(ctx, section, s, mounts[i], section.singular + ("-" + std::to_string(i)), group,
                container, pod);
  }
}

util::Result<void> add_file_objects(Context& ctx) {
  for (const Section& section : kSections) {
    for (const auto& [key, name] : ctx.*section.names) {
      const spec::FileSource* src = (ctx.stack.*section.find)(key);
      std::string path = std::string(section.name) + "." + key;
      if (src == nullptr)
        return util::fail(util::Errc::internal, path + ": not declared");
      STACK_ASSIGN_OR_RETURN(std::string content, content_of(ctx, section, *src).context(path));
      ctx.add("v1", section.kind, name, object_body(ctx, section, name, data_key(key), content));
    }
  }
  return util::ok();
}

}  // namespace stack::kube
