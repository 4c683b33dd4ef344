// A temporary directory laid out like a cgroup filesystem: the files that the kernel would create
// are created by the test, so that the managers' reads and writes can be checked without root.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace stack::runtime::cgroup::testing {

class FakeTree {
 public:
  FakeTree() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "stack-cgroup-XXXXXX").string();
    root_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~FakeTree() {
    std::error_code ec;
    if (!root_.empty()) std::filesystem::remove_all(root_, ec);
  }
  FakeTree(const FakeTree&) = delete;
  FakeTree& operator=(const FakeTree&) = delete;

  const std::string& root() const { return root_; }
  std::string at(const std::string& rel) const { return root_ + "/" + rel; }

  void dir(const std::string& rel) const { std::filesystem::create_directories(at(rel)); }
  // Creates the file (and its directory) with content, as the kernel shows it.
  void file(const std::string& rel, const std::string& content = "") const {
    std::filesystem::create_directories(std::filesystem::path(at(rel)).parent_path());
    std::ofstream(at(rel)) << content;
  }
  std::string read(const std::string& rel) const {
    std::ifstream in(at(rel));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  bool exists(const std::string& rel) const { return std::filesystem::exists(at(rel)); }

 private:
  std::string root_;
};

// The cgroup that the manager tests make and remove.
inline const std::string kRel = "stack/demo/web";

}  // namespace stack::runtime::cgroup::testing
