// Secrets and configs on the host side: the files written for a container (content, owner, mode,
// a directory only root enters) and the read-only binds the container spec adds for them.
#include "scheduler/file_mounts.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/container_spec.hpp"
#include "support/rootfs.hpp"

namespace stack::scheduler {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

spec::FileSource source(std::string key, spec::FileSource::Kind kind, std::string value) {
  spec::FileSource s;
  s.key = std::move(key);
  s.kind = kind;
  (kind == spec::FileSource::Kind::file ? s.file : s.content) = std::move(value);
  return s;
}

class FileMounts : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(test::write_text(dir_ / "pw.txt", "from-file\n"));
    stack_.secrets = {source("pw", spec::FileSource::Kind::file, dir_ / "pw.txt"),
                      source("token", spec::FileSource::Kind::environment, "t0ken")};
    stack_.configs = {source("conf", spec::FileSource::Kind::content, "a=1\n")};
    service_.name = "app";
    service_.secrets = {{"pw", "/run/secrets/pw"},
                        {"token", "/run/secrets/token", ::getuid(), ::getgid(), 0440}};
    service_.configs = {{"conf", "/etc/app.conf"}};
  }

  test::TempDir dir_{"stack-file-mounts"};
  spec::Stack stack_;
  spec::Service service_;
};

TEST_F(FileMounts, WritesEachFileWithItsOwnerAndModeInADirectoryOnlyRootEnters) {
  auto files = write_file_mounts(stack_, service_, dir_ / "files");
  ASSERT_TRUE(files) << files.error().message();
  ASSERT_EQ(files->size(), 3u);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "files").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(test::read_text(files->at("/run/secrets/pw")), "from-file\n");
  EXPECT_EQ(test::read_text(files->at("/run/secrets/token")), "t0ken");
  EXPECT_EQ(test::read_text(files->at("/etc/app.conf")), "a=1\n");
  ASSERT_EQ(::stat(files->at("/run/secrets/token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0440u);
  EXPECT_EQ(st.st_uid, ::getuid());
  ASSERT_EQ(::stat(files->at("/etc/app.conf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0444u);  // compose's default
  // Written again over a leftover: the same result.
  auto again = write_file_mounts(stack_, service_, dir_ / "files");
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(test::read_text(again->at("/run/secrets/token")), "t0ken");
}

TEST_F(FileMounts, AMissingSourceFileIsOneLineWithoutContent) {
  stack_.secrets[0].file = dir_ / "gone.txt";
  auto files = write_file_mounts(stack_, service_, dir_ / "files");
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().message(),
            "secret 'pw': cannot read '" + (dir_ / "gone.txt") + "': No such file or directory");
  EXPECT_THAT(files.error().message(), Not(HasSubstr("t0ken")));
}

TEST_F(FileMounts, ContainerSpecBindsThemReadOnlyAfterTheVolumes) {
  service_.image = "busybox";
  service_.command = std::vector<std::string>{"true"};
  service_.mounts.push_back({spec::MountType::bind, "/srv", "/srv"});
  Placement p;
  p.project = "demo";
  p.name = "demo-app-1";
  p.file_mount_sources = {{"/run/secrets/pw", "/f/secret-0"},
                          {"/run/secrets/token", "/f/secret-1"},
                          {"/etc/app.conf", "/f/config-0"}};
  auto config = make_shim_config(service_, image::combine({}, run_overrides(service_)), p);
  ASSERT_TRUE(config) << config.error().message();
  const auto& m = config->container.mounts;
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].destination, "/srv");
  EXPECT_EQ(m[1].source, "/f/secret-0");
  EXPECT_EQ(m[1].destination, "/run/secrets/pw");
  EXPECT_EQ(m[3].source, "/f/config-0");
  EXPECT_EQ(m[3].destination, "/etc/app.conf");
  for (size_t i = 1; i < m.size(); ++i) {
    EXPECT_EQ(m[i].type, runtime::MountType::bind);
    EXPECT_TRUE(m[i].read_only);
  }
  p.file_mount_sources.erase("/etc/app.conf");
  EXPECT_FALSE(make_shim_config(service_, image::combine({}, run_overrides(service_)), p));
}

}  // namespace
}  // namespace stack::scheduler
