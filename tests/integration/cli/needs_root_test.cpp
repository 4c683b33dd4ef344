// Run as a normal user, a verb that needs root says so in one line before it touches anything;
// the verbs that only read stack files (config, version, --help) keep working. The test is root
// (CI is) and runs a copy of the binary as 'nobody' from a directory that user can reach.
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/rootfs.hpp"

namespace stack {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr uid_t kNobody = 65534;
constexpr gid_t kNogroup = 65534;

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

std::string drain(int fd) {
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return text;
}

// Runs argv as nobody:nogroup with no supplementary groups.
Outcome run_as_nobody(std::vector<std::string> argv) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    if (::setgroups(0, nullptr) != 0 || ::setresgid(kNogroup, kNogroup, kNogroup) != 0 ||
        ::setresuid(kNobody, kNobody, kNobody) != 0) {
      ::_exit(125);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(126);
  }
  ::close(out[1]);
  ::close(err[1]);
  Outcome r;
  r.out = drain(out[0]);
  r.err = drain(err[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class AsNormalUser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "a root test";
    ASSERT_FALSE(dir_.path().empty());
    ::chmod(dir_.path().c_str(), 0755);
    binary_ = dir_ / "stack";
    fs::copy_file(STACK_BINARY, binary_);
    ::chmod(binary_.c_str(), 0755);
    stack_file_ = dir_ / "stack.yaml";
    ASSERT_TRUE(test::write_text(stack_file_, "services:\n  web:\n    image: busybox\n"));
    ::chmod(stack_file_.c_str(), 0644);
    root_ = dir_ / "state";  // never made: nobody could not, and no verb may try
  }

  Outcome stack(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {binary_, "--root", root_, "-p", "rootless", "-f", stack_file_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_as_nobody(argv);
  }

  test::TempDir dir_{"stack-rootless"};
  std::string binary_, stack_file_, root_;
};

constexpr const char* kNeedsRoot = "stack: needs root (run it with sudo); rootless mode is not supported yet\n";

TEST_F(AsNormalUser, VerbsThatTouchTheHostSayTheyNeedRootInOneLine) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"up", "-d"}, {"down"}, {"ps"}, {"image", "ls"}, {"watch"}}) {
    Outcome r = stack(args);
    EXPECT_EQ(r.code, 1) << args[0];
    EXPECT_EQ(r.err, kNeedsRoot) << args[0];
    EXPECT_EQ(r.out, "") << args[0];
  }
  EXPECT_FALSE(fs::exists(root_)) << "a verb touched the state root";
}

TEST_F(AsNormalUser, ConfigVersionAndHelpKeepWorking) {
  Outcome config = stack({"config"});
  EXPECT_EQ(config.code, 0) << config.err;
  EXPECT_THAT(config.out, HasSubstr("image: busybox"));
  Outcome version = stack({"version"});
  EXPECT_EQ(version.code, 0) << version.err;
  EXPECT_THAT(version.out, HasSubstr("stack version"));
  Outcome help = stack({"up", "--help"});
  EXPECT_EQ(help.code, 0) << help.err;
  EXPECT_THAT(help.out, HasSubstr("Usage"));
  EXPECT_FALSE(fs::exists(root_));
}

}  // namespace
}  // namespace stack
