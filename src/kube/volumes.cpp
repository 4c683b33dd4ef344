// volumes: and tmpfs: -> the pod's volumes and the container's volumeMounts: named volumes as
// PersistentVolumeClaims, small project files and directories as ConfigMaps, tmpfs and shm_size as
// memory-backed emptyDirs; hostPath only when asked for.
#include <filesystem>

#include "kube/context.hpp"
#include "kube/names.hpp"
#include "kube/quantity.hpp"

namespace stack::kube {

namespace {

namespace fs = std::filesystem;

struct PodVolumes {
  json volumes = json::array();
  json mounts = json::array();
};

std::string mount_path(const spec::Service& s, const spec::Mount& m) {
  return Context::path(s, (m.type == spec::MountType::tmpfs ? "tmpfs[" : "volumes[") + m.target + "]");
}

// The files of a bind source as ConfigMap data, or why it cannot be one.
util::Result<json> config_data(Context& ctx, const std::string& source, const FileInfo& info) {
  using util::Errc;
  json data = json::object();
  std::vector<std::string> names;
  if (info.kind == FileInfo::Kind::file) {
    names.push_back(fs::path(source).filename().string());
  } else {
    STACK_ASSIGN_OR_RETURN(names, ctx.files.list(source));
  }
  uint64_t total = 0;
  for (const std::string& name : names) {
    std::string file = info.kind == FileInfo::Kind::file ? source : source + "/" + name;
    auto entry = ctx.files.stat(file);
    if (!entry || entry->kind != FileInfo::Kind::file)
      return util::fail(Errc::unsupported, "'" + file + "' is not a regular file");
    if (!is_config_key(name))
      return util::fail(Errc::unsupported, "'" + name + "' is no valid ConfigMap key");
    total += entry->size;
    if (total > kMaxObjectBytes) return util::fail(Errc::unsupported, "more than 1 MiB");
    STACK_ASSIGN_OR_RETURN(std::string text, ctx.files.read(file));
    if (!is_text(text)) return util::fail(Errc::unsupported, "'" + file + "' is not a text file");
    data[name] = std::move(text);
  }
  if (data.empty()) return util::fail(Errc::unsupported, "an empty directory");
  return data;
}

// A bind of a small file or directory of the project: a ConfigMap (one per source) mounted
// read-only; anything else a hostPath with --allow-hostpath, or an error.
util::Result<void> add_bind(Context& ctx, const spec::Service& s, const spec::Mount& m,
                            const std::string& volume, PodVolumes& out) {
  std::string path = mount_path(s, m);
  std::string rel = fs::path(m.source).lexically_normal()
                        .lexically_relative(fs::path(ctx.stack.working_dir).lexically_normal())
                        .string();
  bool in_project = !rel.empty() && rel != "." && rel.rfind("..", 0) != 0;
  std::optional<FileInfo> info = ctx.files.stat(m.source);
  util::Result<json> data = util::fail(util::Errc::unsupported, "not in the project directory");
  if (!in_project) {
  } else if (!info) {
    data = util::fail(util::Errc::not_found, "it does not exist");
  } else if (info->kind == FileInfo::Kind::other) {
    data = util::fail(util::Errc::unsupported, "not a file or a directory");
  } else {
    data = config_data(ctx, m.source, *info);
  }
  json mount = {{"name", volume}, {"mountPath", m.target}};
  if (!data) {
    if (!ctx.options.allow_hostpath)
      return util::fail(util::Errc::unsupported,
                        path + ": bind mount of '" + m.source + "' cannot become a ConfigMap (" +
                            data.error().message() + "): use --allow-hostpath to mount the node's path");
    std::string type = !info ? "DirectoryOrCreate" : info->kind == FileInfo::Kind::file ? "File" : "Directory";
    out.volumes.push_back({{"name", volume}, {"hostPath", {{"path", m.source}, {"type", type}}}});
    ctx.warnings.add(path, "hostPath '" + m.source + "': the path must exist on every node that "
                           "runs the pod, and is not copied there");
    if (m.read_only) mount["readOnly"] = true;
    out.mounts.push_back(std::move(mount));
    return util::ok();
  }
  auto [it, fresh] = ctx.bind_config_maps.emplace(m.source, to_dns_label(rel));
  if (fresh)
    ctx.add("v1", "ConfigMap", it->second, {{"metadata", ctx.metadata(it->second)}, {"data", *data}});
  out.volumes.push_back({{"name", volume}, {"configMap", {{"name", it->second}}}});
  if (info->kind == FileInfo::Kind::file) mount["subPath"] = data->begin().key();
  mount["readOnly"] = true;
  out.mounts.push_back(std::move(mount));
  if (!m.read_only)
    ctx.warnings.add(path, "mounted read-only: a ConfigMap's files cannot be written back to the project");
  if (!m.propagation.empty() || !m.selinux.empty())
    ctx.warnings.add(path, "propagation and SELinux relabelling dropped: they apply to host paths only");
  return util::ok();
}

void add_named(Context& ctx, const spec::Service& s, const spec::Mount& m,
               const std::string& volume, PodVolumes& out) {
  std::string path = mount_path(s, m);
  json mount = {{"name", volume}, {"mountPath", m.target}};
  if (m.read_only) mount["readOnly"] = true;
  out.mounts.push_back(std::move(mount));
  if (m.source.empty()) {
    // `emptyDir: {}` is how Kubernetes spells a disk-backed scratch directory.
    out.volumes.push_back({{"name", volume}, {"emptyDir", json::object()}});
    ctx.warnings.add(path, "anonymous volume approximated by an emptyDir: it is lost when the pod "
                           "is replaced");
    return;
  }
  ctx.volume_users[m.source].insert(s.name);
  ctx.claim_mounters.insert(s.name);
  out.volumes.push_back(
      {{"name", volume}, {"persistentVolumeClaim", {{"claimName", ctx.claim_names.at(m.source)}}}});
  if (!m.nocopy)
    ctx.warnings.add(path, "the image's files at '" + m.target + "' are not copied into a new claim "
                           "(Kubernetes never copies them; set volume.nocopy to acknowledge)");
}

void add_memory_dir(const std::string& volume, const std::string& target,
                    std::optional<int64_t> size, PodVolumes& out) {
  json dir = {{"medium", "Memory"}};
  if (size && *size > 0) dir["sizeLimit"] = memory_quantity(*size);
  out.volumes.push_back({{"name", volume}, {"emptyDir", std::move(dir)}});
  out.mounts.push_back({{"name", volume}, {"mountPath", target}});
}

// type image: Kubernetes' image volume, the same reference mounted read-only (subPath as subpath).
void add_image_volume(Context& ctx, const spec::Service& s, const spec::Mount& m, const std::string& volume,
                      PodVolumes& out) {
  out.volumes.push_back({{"name", volume}, {"image", {{"reference", m.source}, {"pullPolicy", "IfNotPresent"}}}});
  json mount = {{"name", volume}, {"mountPath", m.target}, {"readOnly", true}};
  if (!m.subpath.empty()) mount["subPath"] = m.subpath;
  out.mounts.push_back(std::move(mount));
  ctx.warnings.add(mount_path(s, m), "an image volume needs the cluster's ImageVolume feature (Kubernetes 1.31 and later)");
}

}  // namespace

bool is_text(const std::string& data) {
  for (size_t i = 0; i < data.size();) {
    auto c = static_cast<unsigned char>(data[i]);
    int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;
    if (extra < 0 || i + extra >= data.size()) return false;
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
    for (int k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(data[i + k]) & 0xc0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

util::Result<void> add_volumes(Context& ctx, const spec::Service& s, json& container, json& pod) {
  PodVolumes out;
  for (size_t i = 0; i < s.mounts.size(); ++i) {
    const spec::Mount& m = s.mounts[i];
    std::string volume = "v" + std::to_string(i) + "-" + std::string(to_string(m.type));
    if (m.type == spec::MountType::bind) {
      STACK_TRY(add_bind(ctx, s, m, volume, out));
    } else if (m.type == spec::MountType::volume) {
      add_named(ctx, s, m, volume, out);
    } else if (m.type == spec::MountType::image) {
      add_image_volume(ctx, s, m, volume, out);
    } else {
      add_memory_dir(volume, m.target, m.tmpfs_size, out);
      if (m.tmpfs_mode)
        ctx.warnings.add(mount_path(s, m), "mode dropped: an emptyDir's mode is the kubelet's");
      if (!m.tmpfs_options.empty())
        ctx.warnings.add(mount_path(s, m), "options dropped: an emptyDir has no mount options");
    }
  }
  if (s.shm_size) add_memory_dir("shm", "/dev/shm", s.shm_size, out);
  if (!out.volumes.empty()) pod["volumes"] = std::move(out.volumes);
  if (!out.mounts.empty()) container["volumeMounts"] = std::move(out.mounts);
  return util::ok();
}

// One claim per named volume that an exported service mounts.
void add_claims(Context& ctx) {
  for (const auto& [key, users] : ctx.volume_users) {
    const spec::Volume* v = ctx.stack.find_volume(key);
    std::string path = "volumes." + key;
    std::string claim = ctx.claim_names.at(key);
    int pods = 0;
    for (const std::string& user : users) pods += ctx.stack.find_service(user)->replicas;
    if (pods > 1)
      ctx.warnings.add(path, "mounted by " + std::to_string(pods) + " pods: a ReadWriteOnce claim "
                             "attaches to one node only (keep the pods on one node, or use a "
                             "ReadWriteMany storage class)");
    if (v->external) {
      ctx.warnings.add(path, "external: no claim made; claim '" + claim + "' must exist");
      continue;
    }
    if (!v->driver_opts.empty())
      ctx.warnings.add(path + ".driver_opts", "dropped: the storage class decides how a claim is made");
    std::string size = v->kube_size ? memory_quantity(*v->kube_size) : ctx.options.volume_size;
    json spec = {{"accessModes", {"ReadWriteOnce"}},
                 {"resources", {{"requests", {{"storage", size}}}}}};
    ctx.add("v1", "PersistentVolumeClaim", claim, {{"metadata", ctx.metadata(claim)}, {"spec", spec}});
  }
}

}  // namespace stack::kube
