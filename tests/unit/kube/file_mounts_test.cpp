// Mapping rows: secrets -> Secret, configs -> ConfigMap, mounted file by file where compose mounts
// them, with the mode; owners; names; errors for what an object cannot hold.
#include "kube_fixture.hpp"

namespace stack::kube::testing {
namespace {

constexpr size_t kMiB = 1024 * 1024;
constexpr const char* kApp = "services:\n  app:\n    image: x\n    restart: always\n";

std::string app(const std::string& rest) { return kApp + rest; }

util::Result<Export> try_export(const std::string& yaml, const FakeFiles& files,
                                spec::Environment env = {}) {
  return generate(stack_of(yaml, std::move(env)), {}, files);
}

TEST(KubeFileMounts, SecretFileIsASecretMountedAtRunSecrets) {
  FakeFiles files;
  files.file("/srv/app/db_password.txt", "s3cret\n");
  Export e = exported(app("    secrets: [db_password]\n"
                          "secrets:\n  db_password: {file: ./db_password.txt}\n"),
                      {}, files);
  const json& secret = object(e, "Secret", "demo-db-password");
  EXPECT_EQ(secret["type"], "Opaque");
  EXPECT_EQ(secret["data"], json({{"db_password", "czNjcmV0Cg=="}}));
  EXPECT_EQ(secret["metadata"]["labels"]["app.kubernetes.io/part-of"], "demo");
  const json& p = pod(e, "Deployment", "app");
  json volume = {{"name", "secret-0"},
                 {"secret", {{"secretName", "demo-db-password"}, {"defaultMode", 0444}}}};
  EXPECT_EQ(p["volumes"][0], volume);
  json mount = {{"name", "secret-0"},
                {"mountPath", "/run/secrets/db_password"},
                {"subPath", "db_password"},
                {"readOnly", true}};
  EXPECT_EQ(p["containers"][0]["volumeMounts"][0], mount);
  EXPECT_FALSE(p.contains("securityContext"));
  EXPECT_TRUE(e.warnings.empty()) << all_warnings(e);
}

TEST(KubeFileMounts, TargetsAndModesAsComposeMeansThem) {
  FakeFiles files;
  files.file("/srv/app/key.pem", "KEY\n");
  Export e = exported(app("    secrets:\n"
                          "      - {source: key, target: tls.key, mode: 0400}\n"
                          "      - {source: key, target: /etc/ssl/private/app.key, mode: 0440}\n"
                          "    configs:\n"
                          "      - {source: conf, target: /etc/app/app.conf, mode: 0644}\n"
                          "      - conf\n"
                          "secrets:\n  key: {file: ./key.pem}\n"
                          "configs:\n  conf: {content: \"a = 1\\n\"}\n"),
                      {}, files);
  const json& p = pod(e, "Deployment", "app");
  const json& mounts = p["containers"][0]["volumeMounts"];
  ASSERT_EQ(mounts.size(), 4u);
  EXPECT_EQ(mounts[0]["mountPath"], "/run/secrets/tls.key");
  EXPECT_EQ(mounts[1]["mountPath"], "/etc/ssl/private/app.key");
  EXPECT_EQ(mounts[2]["mountPath"], "/etc/app/app.conf");
  EXPECT_EQ(mounts[3]["mountPath"], "/conf");
  EXPECT_EQ(mounts[0]["subPath"], "key");
  EXPECT_EQ(mounts[2]["subPath"], "conf");
  EXPECT_EQ(p["volumes"][0]["secret"]["defaultMode"], 0400);
  EXPECT_EQ(p["volumes"][1]["secret"]["defaultMode"], 0440);
  EXPECT_EQ(p["volumes"][2]["configMap"], json({{"name", "demo-conf"}, {"defaultMode", 0644}}));
  EXPECT_EQ(p["volumes"][3]["configMap"]["defaultMode"], 0444);
  EXPECT_EQ(p["volumes"][3]["name"], "config-1");
  // One object per entry, however often it is mounted.
  int secrets = 0;
  for (const Object& o : e.objects) secrets += o.kind == "Secret";
  EXPECT_EQ(secrets, 1);
  EXPECT_EQ(object(e, "ConfigMap", "demo-conf")["data"], json({{"conf", "a = 1\n"}}));
  EXPECT_TRUE(e.warnings.empty()) << all_warnings(e);
}

TEST(KubeFileMounts, ConfigFileIsAConfigMapAndBinaryContentIsBinaryData) {
  FakeFiles files;
  files.file("/srv/app/conf/nginx.conf", "worker_processes 1;\n");
  files.file("/srv/app/logo.png", std::string("\x89PNG\x00\x01", 6));
  Export e = exported(app("    configs: [nginx, logo]\n"
                          "configs:\n  nginx: {file: ./conf/nginx.conf}\n  logo: {file: logo.png}\n"),
                      {}, files);
  EXPECT_EQ(object(e, "ConfigMap", "demo-nginx")["data"],
            json({{"nginx", "worker_processes 1;\n"}}));
  const json& logo = object(e, "ConfigMap", "demo-logo");
  EXPECT_FALSE(logo.contains("data"));
  EXPECT_EQ(logo["binaryData"], json({{"logo", "iVBORwAB"}}));
  EXPECT_EQ(container(e, "app")["volumeMounts"][0]["mountPath"], "/nginx");
}

TEST(KubeFileMounts, EnvironmentSourcesTakeTheValueTheModelResolved) {
  Export e = exported(stack_of(app("    secrets: [token]\n    configs: [mode]\n"
                                   "secrets:\n  token: {environment: API_TOKEN}\n"
                                   "configs:\n  mode: {environment: APP_MODE}\n"),
                               {{"API_TOKEN", "t0ken"}, {"APP_MODE", "production"}}));
  EXPECT_EQ(object(e, "Secret", "demo-token")["data"], json({{"token", "dDBrZW4="}}));
  EXPECT_EQ(object(e, "ConfigMap", "demo-mode")["data"], json({{"mode", "production"}}));
}

TEST(KubeFileMounts, SecretDataIsBase64AsRfc4648) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : kVectors) {
    Export e = exported(stack_of(app("    secrets: [s]\nsecrets:\n  s: {environment: S}\n"),
                                 {{"S", plain}}));
    EXPECT_EQ(object(e, "Secret", "demo-s")["data"]["s"], encoded) << plain;
  }
}

TEST(KubeFileMounts, OnlyTheEntriesOfExportedServicesAreMade) {
  Options only_a;
  only_a.services = {"a"};
  Export e = exported(std::string("services:\n"
                                  "  a:\n    image: x\n    restart: always\n    configs: [one]\n"
                                  "  b:\n    image: x\n    restart: always\n    configs: [one, two]\n"
                                  "configs:\n  one: {content: \"1\"}\n  two: {content: \"2\"}\n"
                                  "  unused: {content: \"3\"}\n"),
                      only_a);
  EXPECT_NE(find(e, "ConfigMap", "demo-one"), nullptr);
  EXPECT_EQ(find(e, "ConfigMap", "demo-two"), nullptr);
  EXPECT_EQ(find(e, "ConfigMap", "demo-unused"), nullptr);
}

TEST(KubeFileMounts, ObjectsComeBeforeTheWorkloadsInApplyOrder) {
  Export e = exported(stack_of(app("    secrets: [s]\n    configs: [c]\n"
                                   "secrets:\n  s: {environment: S}\nconfigs:\n  c: {content: x}\n"),
                               {{"S", "v"}}));
  std::vector<std::string> kinds;
  for (const Object& o : e.objects) kinds.push_back(o.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"ConfigMap", "Secret", "Deployment", "NetworkPolicy"}));
}

TEST(KubeFileMounts, NamesAreMadeValidAndAClashIsAnError) {
  Export e = exported(stack_of(app("    secrets: [\"My Key\"]\nsecrets:\n  \"My Key\": {environment: S}\n"),
                               {{"S", "v"}}));
  // Not a valid data key: the one file is "content".
  EXPECT_EQ(object(e, "Secret", "demo-my-key")["data"], json({{"content", "dg=="}}));
  EXPECT_EQ(container(e, "app")["volumeMounts"][0]["subPath"], "content");
  EXPECT_EQ(container(e, "app")["volumeMounts"][0]["mountPath"], "/run/secrets/My Key");

  auto clash = try_export(app("    configs: [a_b, a-b]\n"
                              "configs:\n  a_b: {content: x}\n  a-b: {content: y}\n"),
                          {});
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().message(), "configs 'a-b' and 'a_b' both become 'demo-a-b' in Kubernetes");
}

TEST(KubeFileMounts, FilesThatCannotBeAnObjectAreErrors) {
  FakeFiles files;
  files.file("/srv/app/big.bin", std::string(kMiB + 1, 'a'));
  files.file("/srv/app/dir/inside", "x");
  files.file("/srv/app/max.txt", std::string(kMiB, 'a'));
  auto with_file = [&](const std::string& file) {
    return try_export(app("    secrets: [s]\nsecrets:\n  s: {file: " + file + "}\n"), files);
  };
  auto big = with_file("big.bin");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().message(),
            "secrets.s: '/srv/app/big.bin' has 1048577 bytes: a Secret holds at most 1 MiB");
  auto dir = with_file("dir");
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error().message(), "secrets.s: '/srv/app/dir' is not a regular file");
  auto missing = with_file("none.txt");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "secrets.s: file '/srv/app/none.txt' does not exist");
  EXPECT_TRUE(with_file("max.txt"));

  auto config = try_export(app("    configs: [c]\nconfigs:\n  c: {file: big.bin}\n"), files);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message().find("a ConfigMap holds at most 1 MiB"), std::string::npos);
  auto variable = try_export(app("    secrets: [s]\nsecrets:\n  s: {environment: BIG}\n"), files,
                             {{"BIG", std::string(kMiB + 1, 'x')}});
  ASSERT_FALSE(variable);
  EXPECT_EQ(variable.error().message(), "secrets.s: more than 1 MiB: a Secret holds at most 1 MiB");
}

TEST(KubeFileMounts, AGroupIsThePodsFsGroupAndAnOwnerIsDropped) {
  Export e = exported(stack_of("services:\n  app:\n    image: x\n    restart: always\n"
                               "    secrets:\n"
                               "      - {source: s, target: /run/mine, uid: \"1000\", mode: 0400}\n"
                               "      - {source: s, uid: \"999\", gid: \"999\", mode: 0440}\n"
                               "      - {source: s, target: /run/other, gid: \"50\"}\n"
                               "  solo:\n    image: x\n    restart: always\n"
                               "    secrets: [{source: s, uid: \"1000\", mode: 0400}]\n"
                               "secrets:\n  s: {environment: S}\n",
                               {{"S", "v"}}));
  EXPECT_EQ(pod(e, "Deployment", "app")["securityContext"]["fsGroup"], 999);
  EXPECT_TRUE(warned(e, "services.app.secrets[/run/secrets/s]", "approximated by the pod's fsGroup"));
  EXPECT_TRUE(warned(e, "services.app.secrets[/run/secrets/s]", "owner 999 dropped"));
  EXPECT_TRUE(warned(e, "services.app.secrets[/run/other]", "group 50 dropped: a pod has one fsGroup, 999"));
  // The pod's group reads the file whatever its mode says about others.
  EXPECT_FALSE(warned(e, "services.app.secrets[/run/mine]", "only root reads it"));
  EXPECT_TRUE(warned(e, "services.app.secrets[/run/mine]", "owner 1000 dropped"));
  EXPECT_FALSE(pod(e, "Deployment", "solo").contains("securityContext"));
  EXPECT_TRUE(warned(e, "services.solo.secrets[/run/secrets/s]", "with mode 0400 only root reads it"));
}

TEST(KubeFileMounts, SpecialModeBitsAreDropped) {
  Export e = exported(app("    configs: [{source: c, mode: \"04755\"}]\nconfigs:\n  c: {content: x}\n"),
                      {}, {});
  EXPECT_EQ(pod(e, "Deployment", "app")["volumes"][0]["configMap"]["defaultMode"], 0755);
  EXPECT_TRUE(warned(e, "services.app.configs[/c]", "mode 04755 has setuid"));
}

TEST(KubeFileMounts, MountsFollowTheServicesOtherVolumes) {
  Export e = exported(app("    tmpfs: [/tmp]\n    configs: [c]\nconfigs:\n  c: {content: x}\n"),
                      {}, {});
  const json& p = pod(e, "Deployment", "app");
  ASSERT_EQ(p["volumes"].size(), 2u);
  EXPECT_EQ(p["volumes"][0]["name"], "v0-tmpfs");
  EXPECT_EQ(p["volumes"][1]["name"], "config-0");
}

}  // namespace
}  // namespace stack::kube::testing
