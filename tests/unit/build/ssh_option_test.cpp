// `--ssh` values: the id, the agent's socket (SSH_AUTH_SOCK for a bare id), and what is refused.
#include "build/ssh_option.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/rootfs.hpp"

namespace stack::build {
namespace {

class SshOption : public testing::Test {
 protected:
  void SetUp() override {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_.c_str());
    ASSERT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_TRUE(test::write_text(dir_ / "key", "not a socket"));
  }
  void TearDown() override { ::close(fd_); }

  std::string message(std::string_view value, const char* sock = nullptr) {
    auto r = read_ssh_option(value, [sock](const char*) { return sock; });
    EXPECT_FALSE(r) << value;
    return r ? "" : r.error().message();
  }

  test::TempDir dir_{"stack-ssh-option"};
  std::string socket_ = dir_ / "agent.sock";
  int fd_ = -1;
};

TEST_F(SshOption, AnIdAndItsSocket) {
  auto named = read_ssh_option("gitlab=" + socket_, [](const char*) -> const char* { return nullptr; });
  ASSERT_TRUE(named) << named.error().message();
  EXPECT_EQ(named->first, "gitlab");
  EXPECT_EQ(named->second, socket_);
  const std::string sock = socket_;
  auto bare = read_ssh_option("default", [&](const char* name) {
    return std::string(name) == "SSH_AUTH_SOCK" ? sock.c_str() : nullptr;
  });
  ASSERT_TRUE(bare) << bare.error().message();
  EXPECT_EQ(bare->first, "default");
  EXPECT_EQ(bare->second, socket_);
}

TEST_F(SshOption, WhatIsRefused) {
  EXPECT_EQ(message("default"), "--ssh 'default': SSH_AUTH_SOCK is not set (start ssh-agent, or give the socket: default=SOCKET)");
  EXPECT_EQ(message("=x"), "--ssh '=x': expected ID[=SOCKET] (default, or default=/path/to/agent.sock)");
  EXPECT_EQ(message("default=" + dir_ / "key"), "--ssh 'default=" + dir_ / "key" + "': '" + dir_ / "key" +
                                                    "' is not a socket (key files are not supported: ssh-add the key "
                                                    "to an agent and give its socket)");
  EXPECT_EQ(message("default=a,b"), "--ssh 'default=a,b': one socket per id (several paths are key files, which are "
                                    "not supported: ssh-add them to an agent)");
  EXPECT_EQ(message("default=" + dir_ / "missing").rfind("--ssh 'default=" + dir_ / "missing" + "': '", 0), 0u);
}

}  // namespace
}  // namespace stack::build
