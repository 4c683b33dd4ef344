#include "net/dns/pid_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/rootfs.hpp"
#include "util/child_process.hpp"

namespace stack::net::dns {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class PidFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(temp_.path().empty());
    path_ = (dir_ / "net.pid").string();
  }
  test::TempDir temp_{"stack-dns-test"};
  fs::path dir_ = temp_.path();
  std::string path_;
};

TEST_F(PidFileTest, HolderIsKnownWhileHeldAndTheFileGoesWithRemove) {
  EXPECT_EQ(pid_file_holder(path_), std::nullopt);
  auto held = PidFile::acquire(path_);
  ASSERT_TRUE(held) << held.error().message();
  EXPECT_EQ(pid_file_holder(path_), ::getpid());
  auto second = PidFile::acquire(path_);  // another open file description: refused
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), util::Errc::already_exists);
  EXPECT_THAT(second.error().message(), HasSubstr(std::to_string(::getpid())));
  EXPECT_FALSE(remove_stale_pid_file(path_));  // held: not stale
  held->remove();
  EXPECT_FALSE(fs::exists(path_));
  EXPECT_EQ(pid_file_holder(path_), std::nullopt);
}

TEST_F(PidFileTest, ALockDiesWithItsProcessAndALeftoverFileIsStale) {
  util::Pipe sync = *util::Pipe::make();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto held = PidFile::acquire(path_);
    char byte = held ? 'y' : 'n';
    (void)!::write(sync.write.get(), &byte, 1);
    ::pause();
    ::_exit(0);
  }
  util::ChildProcess child(pid);
  char byte = 0;
  ASSERT_EQ(::read(sync.read.get(), &byte, 1), 1);
  ASSERT_EQ(byte, 'y');
  EXPECT_EQ(pid_file_holder(path_), pid);
  ASSERT_TRUE(child.kill(SIGKILL));
  ASSERT_TRUE(child.wait());
  EXPECT_EQ(pid_file_holder(path_), std::nullopt);  // a recycled pid in the file means nothing
  EXPECT_TRUE(fs::exists(path_));
  EXPECT_TRUE(remove_stale_pid_file(path_));
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(PidFileTest, AFileWithoutALockIsNotAHolder) {
  std::ofstream(path_) << "1\n";  // pid 1 lives, but holds no lock
  EXPECT_EQ(pid_file_holder(path_), std::nullopt);
}

}  // namespace
}  // namespace stack::net::dns
