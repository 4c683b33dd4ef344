// The layout of the state root (--root, /var/lib/stack by default), named in one place as Mesos'
// paths.hpp does, so that no module builds a path of another's by concatenation:
//
//   <root>/containers/<id>/...               the runtime's (runtime/state_paths.hpp)
//   <root>/images/...                        the image store's (image/local_store.hpp)
//   <root>/projects/<project>/{project.json,lock,etc/<container>/}
//   <root>/volumes/<name>/_data
//   <root>/seccomp/<sha256 of the program>.bpf
//   <root>/build-cache/{..., mounts/<id>, files/<memo>}
//   <root>/run/{<container>.sock, daemon.sock, netns/<container>, dns/<network>.pid}
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace stack::util {

class StateRoot {
 public:
  explicit StateRoot(std::string root) : root_(std::move(root)) {}

  const std::string& path() const { return root_; }

  std::string containers() const { return root_ + "/containers"; }
  std::string images() const { return root_ + "/images"; }
  std::string projects() const { return root_ + "/projects"; }
  std::string project(std::string_view name) const { return projects() + "/" + std::string(name); }
  std::string project_record(std::string_view name) const { return project(name) + "/project.json"; }
  std::string project_lock(std::string_view name) const { return project(name) + "/lock"; }
  // The containers' hosts, hostname, resolv.conf and endpoint files: etc/<container>/.
  std::string project_etc(std::string_view name) const { return project(name) + "/etc"; }
  std::string project_etc(std::string_view name, std::string_view container) const {
    return project_etc(name) + "/" + std::string(container);
  }
  std::string volumes() const { return root_ + "/volumes"; }
  std::string volume(std::string_view name) const { return volumes() + "/" + std::string(name); }
  std::string volume_data(std::string_view name) const { return volume(name) + "/_data"; }
  std::string seccomp() const { return root_ + "/seccomp"; }
  std::string seccomp_program(std::string_view sha256_hex) const {
    return seccomp() + "/" + std::string(sha256_hex) + ".bpf";
  }
  std::string build_cache() const { return root_ + "/build-cache"; }
  std::string build_cache_mounts() const { return build_cache() + "/mounts"; }
  std::string build_cache_files() const { return build_cache() + "/files"; }  // content_memo.hpp
  std::string build_cache_layers() const { return build_cache() + "/layers"; }  // layer_memo.hpp
  std::string build_cache_urls() const { return build_cache() + "/urls"; }  // url_cache.hpp
  std::string run() const { return root_ + "/run"; }
  std::string netns_dir() const { return run() + "/netns"; }
  std::string netns(std::string_view container) const { return netns_dir() + "/" + std::string(container); }
  std::string dns_dir() const { return run() + "/dns"; }
  std::string dns_pid_file(std::string_view network) const {
    return dns_dir() + "/" + std::string(network) + ".pid";
  }
  std::string daemon_socket() const { return run() + "/daemon.sock"; }

 private:
  std::string root_;
};

}  // namespace stack::util
