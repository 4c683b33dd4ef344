// Test fixtures for the runtime: a temporary directory that removes itself, and a minimal root
// file system made from Debian's busybox-static (/bin/busybox, one symlink per applet, /etc/passwd
// with root, nobody and app, /etc/group). Header-only: each test suite globs only its own dir.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace stack::test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "stack-test") {
    std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
    if (::mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline bool write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline constexpr const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
    "app:x:1000:1000:app:/home/app:/bin/sh\n";
inline constexpr const char* kGroup =
    "root:x:0:\n"
    "staff:x:50:app\n"
    "app:x:1000:\n"
    "nogroup:x:65534:\n";

// A busybox root under a TempDir. ok() is false (with error()) when something is missing.
class BusyboxRootfs {
 public:
  BusyboxRootfs() : dir_("stack-rootfs") { error_ = build(); }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::string path() const { return dir_ / "root"; }

 private:
  std::string build() {
    namespace fs = std::filesystem;
    if (dir_.path().empty()) return "mkdtemp failed";
    if (::access("/bin/busybox", X_OK) != 0) return "/bin/busybox missing: run scripts/install-deps.sh";
    std::string root = path();
    std::error_code ec;
    for (const char* d : {"bin", "etc", "proc", "sys", "dev", "tmp", "mnt", "root", "home/app"}) {
      fs::create_directories(root + "/" + d, ec);
      if (ec) return "mkdir " + std::string(d) + ": " + ec.message();
    }
    ::chmod((root + "/tmp").c_str(), 01777);
    fs::copy_file("/bin/busybox", root + "/bin/busybox", ec);
    if (ec) return "copy busybox: " + ec.message();
    std::string applets = list_applets();
    std::istringstream in(applets);
    std::string name;
    while (std::getline(in, name)) {
      if (name.empty() || name == "busybox") continue;
      fs::create_symlink("busybox", root + "/bin/" + name, ec);
    }
    if (!fs::exists(root + "/bin/sh")) return "busybox has no 'sh' applet";
    if (!write_text(root + "/etc/passwd", kPasswd) || !write_text(root + "/etc/group", kGroup)) {
      return "writing /etc files failed";
    }
    return "";
  }

  static std::string list_applets() {
    std::string out;
    FILE* p = ::popen("/bin/busybox --list", "r");
    if (!p) return out;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
    return out;
  }

  TempDir dir_;
  std::string error_;
};

}  // namespace stack::test
