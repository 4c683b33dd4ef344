// A real registry for the pull tests: Debian's docker-registry (distribution 2.8) on 127.0.0.1 on
// a free port, its storage in the test's temporary directory, started by the test and stopped by
// pid (SIGTERM, then waitpid) when the object goes. Several registries may share one storage
// directory: images are pushed to an open one and read through one that demands auth.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "../image/image_fixture.hpp"

namespace stack::image::testing_support {

inline uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline bool can_connect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Runs a shell command and returns its stdout (and the exit status through status).
inline std::string run_capture(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int rc = ::pclose(p);
  if (status != nullptr) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

class Registry {
 public:
  // auth_yaml: an "auth:" section or empty for an open registry.
  Registry(const std::string& dir, const std::string& storage, const std::string& auth_yaml) {
    port_ = free_port();
    std::string config = dir + "/registry-" + std::to_string(port_) + ".yml";
    write_text(config, "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
                       "storage:\n  filesystem:\n    rootdirectory: " + storage +
                       "\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:" + std::to_string(port_) +
                       "\n  secret: stack-test-secret\n" + auth_yaml);
    std::string log = dir + "/registry-" + std::to_string(port_) + ".log";
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execl("/usr/bin/docker-registry", "docker-registry", "serve", config.c_str(), nullptr);
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !can_connect(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ready_ = can_connect(port_);
  }
  ~Registry() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status;
      ::waitpid(pid_, &status, 0);
    }
  }
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  bool ready() const { return ready_; }
  std::string domain() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  bool ready_ = false;
};

}  // namespace stack::image::testing_support
