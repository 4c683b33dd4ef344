// Directory output: one file per object and a kustomization.yaml listing them.
#include "kube_fixture.hpp"
#include "kube/layout.hpp"

namespace stack::kube::testing {
namespace {

const char* kStack = "services:\n  web:\n    image: x\n    restart: always\n    expose: [\"80\"]\n";

TEST(KubeLayout, OneFilePerObjectAndAKustomization) {
  Export e = exported(kStack);
  auto files = directory_layout(e.objects, "shop");
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0].name, "web-service.yaml");
  EXPECT_EQ(files[1].name, "web-deployment.yaml");
  EXPECT_EQ(files[2].name, "network-default-networkpolicy.yaml");
  const json& k = files[3].documents[0];
  EXPECT_EQ(files[3].name, "kustomization.yaml");
  EXPECT_EQ(k["kind"], "Kustomization");
  EXPECT_EQ(k["resources"], json({"web-service.yaml", "web-deployment.yaml",
                                  "network-default-networkpolicy.yaml"}));
  EXPECT_EQ(k["namespace"], "shop");
}

TEST(KubeLayout, SingleFileHoldsEveryObject) {
  Export e = exported(kStack);
  auto files = single_file_layout(e.objects, "demo.yaml", "");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].documents.size(), 3u);
  EXPECT_EQ(files[1].documents[0]["resources"], json({"demo.yaml"}));
  EXPECT_FALSE(files[1].documents[0].contains("namespace"));
}

}  // namespace
}  // namespace stack::kube::testing
