// Mapping rows: named volumes -> PVC; binds -> ConfigMap (or hostPath); tmpfs -> emptyDir.
#include "kube_fixture.hpp"

namespace stack::kube::testing {
namespace {

constexpr const char* kDb = "services:\n  db:\n    image: pg\n    restart: always\n";

TEST(KubeVolumes, NamedVolumeIsAClaimOfTheDefaultSizeMountedAtTheTarget) {
  Export e = exported(std::string(kDb) +
                      "    volumes: [{type: volume, source: data, target: /data, volume: {nocopy: true}}]\n"
                      "volumes:\n  data:\n");
  const json& pvc = object(e, "PersistentVolumeClaim", "data");
  EXPECT_EQ(pvc["spec"]["accessModes"], json({"ReadWriteOnce"}));
  EXPECT_EQ(pvc["spec"]["resources"]["requests"]["storage"], "1Gi");
  const json& p = pod(e, "Deployment", "db");
  EXPECT_EQ(p["volumes"][0]["persistentVolumeClaim"]["claimName"], "data");
  json mount = {{"name", p["volumes"][0]["name"]}, {"mountPath", "/data"}};
  EXPECT_EQ(p["containers"][0]["volumeMounts"][0], mount);
  EXPECT_TRUE(e.warnings.empty()) << all_warnings(e);
}

TEST(KubeVolumes, ClaimSizeFromOptionOrExtension) {
  Options options;
  options.volume_size = "5Gi";
  Export e = exported(std::string(kDb) + "    volumes: ['a:/a', 'b:/b']\n"
                      "volumes:\n  a:\n  b:\n    x-kubernetes: {size: 20g}\n", options);
  EXPECT_EQ(object(e, "PersistentVolumeClaim", "a")["spec"]["resources"]["requests"]["storage"], "5Gi");
  EXPECT_EQ(object(e, "PersistentVolumeClaim", "b")["spec"]["resources"]["requests"]["storage"], "20Gi");
}

TEST(KubeVolumes, ImageContentNotCopiedIntoAClaimWarns) {
  Export e = exported(std::string(kDb) + "    volumes: ['data:/var/lib/data']\nvolumes:\n  data:\n");
  EXPECT_TRUE(warned(e, "services.db.volumes[/var/lib/data]", "not copied"));
}

TEST(KubeVolumes, ClaimSharedByTwoPodsWarns) {
  Export e = exported(std::string(kDb) + "    volumes: ['data:/d']\n"
                      "  backup:\n    image: b\n    restart: always\n    volumes: ['data:/d:ro']\n"
                      "volumes:\n  data:\n");
  EXPECT_TRUE(warned(e, "volumes.data", "mounted by 2 pods"));
  EXPECT_EQ(container(e, "backup")["volumeMounts"][0]["readOnly"], true);
}

TEST(KubeVolumes, ExternalVolumeMakesNoClaimAndWarns) {
  Export e = exported(std::string(kDb) + "    volumes: ['data:/d']\n"
                      "volumes:\n  data:\n    external: true\n    name: shared-data\n");
  EXPECT_EQ(find(e, "PersistentVolumeClaim", "shared-data"), nullptr);
  EXPECT_EQ(pod(e, "Deployment", "db")["volumes"][0]["persistentVolumeClaim"]["claimName"], "shared-data");
  EXPECT_TRUE(warned(e, "volumes.data", "must exist"));
}

TEST(KubeVolumes, BindOfAProjectFileIsAConfigMapMountedReadOnlyByKey) {
  FakeFiles files;
  files.file("/srv/app/conf/nginx.conf", "worker_processes 1;\n");
  Export e = exported(std::string(kDb) + "    volumes: ['./conf/nginx.conf:/etc/nginx/nginx.conf:ro']\n",
                      {}, files);
  const json& cm = object(e, "ConfigMap", "conf-nginx-conf");
  EXPECT_EQ(cm["data"], json({{"nginx.conf", "worker_processes 1;\n"}}));
  const json& p = pod(e, "Deployment", "db");
  EXPECT_EQ(p["volumes"][0]["configMap"]["name"], "conf-nginx-conf");
  const json& mount = p["containers"][0]["volumeMounts"][0];
  EXPECT_EQ(mount["subPath"], "nginx.conf");
  EXPECT_EQ(mount["mountPath"], "/etc/nginx/nginx.conf");
  EXPECT_EQ(mount["readOnly"], true);
  EXPECT_TRUE(e.warnings.empty()) << all_warnings(e);
}

TEST(KubeVolumes, WritableBindOfAProjectDirectoryIsReadOnlyWithAWarning) {
  FakeFiles files;
  files.file("/srv/app/site/index.html", "<h1>hi</h1>\n").file("/srv/app/site/a.css", "p{}\n");
  Export e = exported(std::string(kDb) + "    volumes: ['./site:/www']\n", {}, files);
  EXPECT_EQ(object(e, "ConfigMap", "site")["data"].size(), 2u);
  EXPECT_FALSE(container(e, "db")["volumeMounts"][0].contains("subPath"));
  EXPECT_TRUE(warned(e, "services.db.volumes[/www]", "mounted read-only"));
}

TEST(KubeVolumes, BindOutsideTheProjectIsAnErrorWithoutAllowHostpath) {
  auto result = generate(stack_of(std::string(kDb) + "    volumes: ['/var/run/x.sock:/x.sock']\n"),
                         {}, FakeFiles{});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("services.db.volumes[/x.sock]: bind mount of "
                                          "'/var/run/x.sock' cannot become a ConfigMap"),
            std::string::npos)
      << result.error().message();
  EXPECT_NE(result.error().message().find("--allow-hostpath"), std::string::npos);
}

TEST(KubeVolumes, BinaryOrLargeProjectFilesAreNoConfigMaps) {
  FakeFiles files;
  files.file("/srv/app/blob.bin", std::string("\x00\x01\x02", 3));
  files.file("/srv/app/big.txt", std::string(2 * 1024 * 1024, 'a'));
  for (const char* bind : {"./blob.bin:/b", "./big.txt:/b"}) {
    auto result = generate(stack_of(std::string(kDb) + "    volumes: ['" + bind + "']\n"), {}, files);
    EXPECT_FALSE(result) << bind;
  }
}

TEST(KubeVolumes, AllowHostpathMountsTheNodePathWithAWarning) {
  Options options;
  options.allow_hostpath = true;
  Export e = exported(std::string(kDb) + "    volumes: ['/var/run/x.sock:/x.sock']\n", options);
  const json& vol = pod(e, "Deployment", "db")["volumes"][0];
  EXPECT_EQ(vol["hostPath"]["path"], "/var/run/x.sock");
  EXPECT_EQ(vol["hostPath"]["type"], "DirectoryOrCreate");
  EXPECT_TRUE(warned(e, "services.db.volumes[/x.sock]", "every node"));
}

TEST(KubeVolumes, TmpfsIsAMemoryEmptyDirWithSizeLimit) {
  Export e = exported(std::string(kDb) + "    tmpfs: ['/run:size=64m']\n    shm_size: 256m\n");
  const json& p = pod(e, "Deployment", "db");
  EXPECT_EQ(p["volumes"][0]["emptyDir"], json({{"medium", "Memory"}, {"sizeLimit", "64Mi"}}));
  EXPECT_EQ(p["volumes"][1]["emptyDir"], json({{"medium", "Memory"}, {"sizeLimit", "256Mi"}}));
  EXPECT_EQ(p["containers"][0]["volumeMounts"][1]["mountPath"], "/dev/shm");
}

TEST(KubeVolumes, AnonymousVolumeIsAnEmptyDirWithAWarning) {
  Export e = exported(std::string(kDb) + "    volumes: ['/cache']\n");
  EXPECT_EQ(pod(e, "Deployment", "db")["volumes"][0]["emptyDir"], json::object());
  EXPECT_TRUE(warned(e, "services.db.volumes[/cache]", "emptyDir"));
}

}  // namespace
}  // namespace stack::kube::testing

namespace stack::kube::testing {
namespace {

TEST(KubeVolumes, UnknownKeyOfTheExtensionIsAStackFileError) {
  EXPECT_THROW(stack_of("services:\n  a:\n    image: x\nvolumes:\n  v:\n    x-kubernetes: {sise: 1g}\n"),
               std::runtime_error);
}

}  // namespace
}  // namespace stack::kube::testing
