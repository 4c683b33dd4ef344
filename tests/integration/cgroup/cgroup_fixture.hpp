// Helpers for the root cgroup tests: a forked child that waits for a go signal (so that it is in
// the cgroup before it does anything), and a guard that removes the test project's cgroups even
// when an assertion fails half-way.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "runtime/cgroup/factory.hpp"

namespace stack::runtime::cgroup::testing {

inline bool exists(const std::string& p) { return std::filesystem::exists(p); }

// A child process that runs body(result_fd) after go(); killed and reaped if the test ends first.
class Child {
 public:
  template <class Body>
  explicit Child(Body body) {
    if (::pipe2(go_, O_CLOEXEC) != 0 || ::pipe2(result_, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      char c;
      while (::read(go_[0], &c, 1) < 0 && errno == EINTR) {
      }
      ::_exit(body(result_[1]));
    }
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      (void)wait();
    }
    for (int fd : {go_[0], go_[1], result_[0], result_[1]}) ::close(fd);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  void go() { (void)!::write(go_[1], "g", 1); }
  // Reads exactly n bytes the child wrote to its result fd.
  bool read_result(void* out, std::size_t n) {
    auto* p = static_cast<char*>(out);
    while (n > 0) {
      ssize_t r = ::read(result_[0], p, n);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return false;
      p += r;
      n -= static_cast<std::size_t>(r);
    }
    return true;
  }
  // The wait status, -1 on error.
  int wait() {
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid_, &status, 0);
    } while (r < 0 && errno == EINTR);
    reaped_ = true;
    return r == pid_ ? status : -1;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int go_[2] = {-1, -1};
  int result_[2] = {-1, -1};
};

// Owns "stack/<project>" in every hierarchy of h: destroys each container cgroup left in it, then
// removes the project directory by its exact path.
class ProjectGuard {
 public:
  ProjectGuard(std::string project, Hierarchy h) : project_(std::move(project)), h_(std::move(h)) {}
  ~ProjectGuard() {
    if (auto children = list_children(parent(), h_)) {
      for (const auto& c : *children) {
        if (auto m = open_cgroup(c, h_)) (void)(*m)->destroy();
      }
    }
    for (const auto& root : roots()) ::rmdir((root + "/" + parent()).c_str());
  }
  ProjectGuard(const ProjectGuard&) = delete;
  ProjectGuard& operator=(const ProjectGuard&) = delete;

  std::string parent() const { return "stack/" + project_; }
  std::string cgroup(const std::string& container) const { return parent() + "/" + container; }
  std::vector<std::string> roots() const {
    if (h_.version == Version::v2) return {h_.unified};
    std::vector<std::string> out;
    for (const auto& [name, root] : h_.controllers) out.push_back(root);
    return out;
  }
  const Hierarchy& hierarchy() const { return h_; }

 private:
  std::string project_;
  Hierarchy h_;
};

inline std::string unique_project(const char* test) {
  return std::string("cgtest-") + test + "-" + std::to_string(::getpid());
}

// The errno of opening each path (0: it opened) from a process inside the cgroup: what its
// devices rules let through. /dev/null is always allowed; /dev/loop0 (b 7:0) only when a rule says so.
struct OpenResults {
  int null_read = -1;
  int loop_read = -1;
  int loop_write = -1;
};
inline OpenResults device_opens_in(Manager& cgroup) {
  Child child([](int out) {
    auto attempt = [](const char* path, int flags) {
      int fd = ::open(path, flags | O_CLOEXEC);
      if (fd < 0) return errno;
      ::close(fd);
      return 0;
    };
    OpenResults r{attempt("/dev/null", O_RDONLY), attempt("/dev/loop0", O_RDONLY), attempt("/dev/loop0", O_WRONLY)};
    return ::write(out, &r, sizeof r) == static_cast<ssize_t>(sizeof r) ? 0 : 1;
  });
  OpenResults r;
  if (!cgroup.add_process(child.pid())) return r;
  child.go();
  if (!child.read_result(&r, sizeof r)) return OpenResults{};
  child.wait();
  return r;
}

}  // namespace stack::runtime::cgroup::testing
