// `stack kube generate` through the real binary, without root: the golden file of a full stack,
// the output forms (stdout, file, directory), --strict, and bad input as one line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "unit/cli/run_binary.hpp"

namespace stack::cli::testing {
namespace {

namespace fs = std::filesystem;
// Inside a TEST, `Run` would name testing::Test::Run.
using Output = stack::cli::testing::Run;

const fs::path kData = fs::path(STACK_SOURCE_DIR) / "tests/unit/kube/data/full";

Output generate(const TempDir& dir, std::vector<std::string> args) {
  std::vector<std::string> all = {"-f", (kData / "stack.yaml").string(), "kube", "generate"};
  all.insert(all.end(), args.begin(), args.end());
  return run_stack(all, dir.path());
}

void expect_golden(const std::string& actual, const fs::path& file) {
  if (std::getenv("STACK_UPDATE_GOLDEN") != nullptr) std::ofstream(file) << actual;
  EXPECT_EQ(actual, read_all(file)) << "rerun with STACK_UPDATE_GOLDEN=1 to accept";
}

TEST(KubeCli, GoldenFileOfAFullStack) {
  TempDir dir;
  Output run = generate(dir, {});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expect_golden(run.out, kData / "expected.yaml");
  expect_golden(run.err, kData / "expected.warnings");
}

TEST(KubeCli, StrictFailsOnWarningsAndWritesNothing) {
  TempDir dir;
  Output run = generate(dir, {"--strict", "-o", (dir.path() / "out.yaml").string()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("with --strict: nothing written"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(dir.path() / "out.yaml"));
}

TEST(KubeCli, StrictPassesACleanStack) {
  TempDir dir;
  dir.write("stack.yaml", "services:\n  web:\n    image: x\n    restart: always\n    expose: [\"80\"]\n");
  Output run = run_stack({"kube", "generate", "--strict"}, dir.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_NE(run.out.find("kind: Deployment"), std::string::npos);
}

TEST(KubeCli, DirectoryOutputHasAKustomization) {
  TempDir dir;
  Output run = generate(dir, {"-o", (dir.path() / "k8s/").string(), "--namespace", "shop"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::string k = read_all(dir.path() / "k8s/kustomization.yaml");
  EXPECT_NE(k.find("namespace: shop"), std::string::npos) << k;
  EXPECT_NE(k.find("- api-deployment.yaml"), std::string::npos) << k;
  EXPECT_TRUE(fs::exists(dir.path() / "k8s/dbdata-persistentvolumeclaim.yaml"));
  EXPECT_NE(read_all(dir.path() / "k8s/api-deployment.yaml").find("namespace: shop"), std::string::npos);
}

TEST(KubeCli, SingleFileInADirectory) {
  TempDir dir;
  fs::create_directories(dir.path() / "out");
  Output run = generate(dir, {"-o", (dir.path() / "out").string(), "--single-file"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(read_all(dir.path() / "out/shop.yaml"), generate(dir, {}).out);
  EXPECT_NE(read_all(dir.path() / "out/kustomization.yaml").find("- shop.yaml"), std::string::npos);
}

TEST(KubeCli, ServiceSelection) {
  TempDir dir;
  Output run = generate(dir, {"cache"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("name: cache"), std::string::npos);
  EXPECT_EQ(run.out.find("name: api"), std::string::npos);
}

TEST(KubeCli, BadInputIsOneLineAndExitsNonZero) {
  TempDir dir;
  for (std::vector<std::string> args : {std::vector<std::string>{"nope"},
                                        {"--namespace", "Bad_NS"},
                                        {"--service-type", "ClusterIP"}}) {
    Output run = generate(dir, args);
    EXPECT_NE(run.exit_code, 0) << args[0];
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_EQ(run.out, "");
  }
  dir.write("stack.yaml", "services:\n  web:\n    image: x\n    volumes: ['/etc/passwd:/p']\n");
  Output run = run_stack({"kube", "generate"}, dir.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("--allow-hostpath"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace stack::cli::testing
