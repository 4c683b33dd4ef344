#include "build/secret_option.hpp"

#include <gtest/gtest.h>

#include <map>

#include "support/rootfs.hpp"

namespace stack::build {
namespace {

const std::map<std::string, std::string> kEnv = {{"TOKEN", "t0k"}, {"GH", "gh-value"}};

const char* fake_getenv(const char* name) {
  auto it = kEnv.find(name);
  return it == kEnv.end() ? nullptr : it->second.c_str();
}

util::Result<std::pair<std::string, std::string>> read(std::string_view value) {
  return read_secret_option(value, fake_getenv);
}

TEST(SecretOption, FileAndEnvironment) {
  test::TempDir dir("stack-secret-option");
  ASSERT_TRUE(test::write_text(dir / "npmrc", "//registry/:_authToken=x\n"));
  auto file = read("id=npmrc,src=" + dir / "npmrc");
  ASSERT_TRUE(file) << file.error().message();
  EXPECT_EQ(file->first, "npmrc");
  EXPECT_EQ(file->second, "//registry/:_authToken=x\n");
  EXPECT_EQ(read("id=n,source=" + dir / "npmrc" + ",type=file")->second, file->second);
  EXPECT_EQ(read("id=token,env=GH")->second, "gh-value");
  EXPECT_EQ(read("id=TOKEN")->second, "t0k");  // the variable of the id's name
  EXPECT_EQ(read("id=x,type=env,src=GH")->second, "gh-value");  // buildx reads src= as the variable
}

TEST(SecretOption, Errors) {
  auto message = [](std::string_view v) {
    auto r = read(v);
    EXPECT_FALSE(r) << v;
    return r ? "" : r.error().message();
  };
  EXPECT_EQ(message("src=/x"), "--secret 'src=/x': needs an id");
  EXPECT_EQ(message("id=x"), "--secret 'id=x': give src=FILE or env=VARIABLE (no variable 'x' is set)");
  EXPECT_EQ(message("id=x,env=NOPE"), "--secret 'id=x,env=NOPE': the environment variable 'NOPE' is not set");
  EXPECT_EQ(message("id=x,src=/a,env=B"), "--secret 'id=x,src=/a,env=B': give src or env, not both");
  EXPECT_EQ(message("id=x,colour=red"), "--secret 'id=x,colour=red': unknown key 'colour' (id, src, env or type)");
  EXPECT_EQ(message("id=x,type=ssh"), "--secret 'id=x,type=ssh': type must be file or env");
  EXPECT_EQ(message("id"), "--secret 'id': expected KEY=VALUE items (id, src, env, type)");
  EXPECT_EQ(message("id=x,src=/no/such/file"), "--secret 'id=x,src=/no/such/file': cannot read '/no/such/file': No such file or directory");
  test::TempDir dir("stack-secret-option");
  ASSERT_TRUE(test::write_text(dir / "big", std::string(kMaxSecretSize + 1, 'x')));
  EXPECT_EQ(message("id=x,src=" + dir / "big"), "--secret 'id=x,src=" + dir / "big" + "': '" + dir / "big" + "' is larger than 500 KiB");
}

}  // namespace
}  // namespace stack::build
