// Mapping rows: long-running services -> Deployment; services meant to end -> Job.
#include "kube_fixture.hpp"

namespace stack::kube::testing {
namespace {

TEST(KubeWorkload, LongRunningServiceIsADeploymentWithReplicasAndLabels) {
  Export e = exported("services:\n  web:\n    image: nginx\n    restart: always\n"
                      "    deploy: {replicas: 3}\n");
  const json& d = object(e, "Deployment", "web");
  EXPECT_EQ(d["apiVersion"], "apps/v1");
  EXPECT_EQ(d["spec"]["replicas"], 3);
  json selector = {{"app.kubernetes.io/name", "web"}, {"app.kubernetes.io/part-of", "demo"}};
  EXPECT_EQ(d["spec"]["selector"]["matchLabels"], selector);
  const json& labels = d["spec"]["template"]["metadata"]["labels"];
  EXPECT_EQ(labels["app.kubernetes.io/managed-by"], "stack");
  EXPECT_EQ(labels["app.kubernetes.io/name"], "web");
  EXPECT_EQ(d["metadata"]["labels"]["app.kubernetes.io/part-of"], "demo");
  EXPECT_FALSE(d["spec"].contains("strategy"));
}

TEST(KubeWorkload, ScaleSetsReplicas) {
  Export e = exported("services:\n  web:\n    image: nginx\n    restart: always\n    scale: 2\n");
  EXPECT_EQ(object(e, "Deployment", "web")["spec"]["replicas"], 2);
}

TEST(KubeWorkload, MountingAClaimUsesTheRecreateStrategy) {
  Export e = exported("services:\n  db:\n    image: pg\n    restart: always\n"
                      "    volumes: ['data:/var/lib/data']\nvolumes:\n  data:\n");
  EXPECT_EQ(object(e, "Deployment", "db")["spec"]["strategy"]["type"], "Recreate");
}

TEST(KubeWorkload, RestartNoIsAJobThatNeverRestarts) {
  Export e = exported("services:\n  once:\n    image: x\n    restart: \"no\"\n");
  const json& job = object(e, "Job", "once");
  EXPECT_EQ(job["apiVersion"], "batch/v1");
  EXPECT_EQ(job["spec"]["backoffLimit"], 0);
  EXPECT_EQ(job["spec"]["template"]["spec"]["restartPolicy"], "Never");
  EXPECT_EQ(find(e, "Deployment", "once"), nullptr);
}

TEST(KubeWorkload, DefaultRestartIsNoAndSoAJob) {
  Export e = exported("services:\n  once:\n    image: x\n");
  EXPECT_NE(find(e, "Job", "once"), nullptr);
}

TEST(KubeWorkload, OnFailureWithRetriesIsAJobWithBackoffLimit) {
  Export e = exported("services:\n  task:\n    image: x\n    restart: on-failure:4\n");
  const json& job = object(e, "Job", "task");
  EXPECT_EQ(job["spec"]["backoffLimit"], 4);
  EXPECT_EQ(job["spec"]["template"]["spec"]["restartPolicy"], "OnFailure");
  EXPECT_TRUE(e.warnings.empty()) << all_warnings(e);
}

TEST(KubeWorkload, OnFailureWithoutLimitWarns) {
  Export e = exported("services:\n  task:\n    image: x\n    restart: on-failure\n");
  EXPECT_FALSE(object(e, "Job", "task")["spec"].contains("backoffLimit"));
  EXPECT_TRUE(warned(e, "services.task.restart", "backoffLimit"));
}

TEST(KubeWorkload, TargetOfCompletedSuccessfullyIsAJob) {
  Export e = exported(
      "services:\n  migrate:\n    image: x\n    restart: always\n"
      "  app:\n    image: y\n    restart: always\n"
      "    depends_on: {migrate: {condition: service_completed_successfully}}\n");
  EXPECT_NE(find(e, "Job", "migrate"), nullptr);
  EXPECT_NE(find(e, "Deployment", "app"), nullptr);
  EXPECT_TRUE(warned(e, "services.migrate.restart", "approximated by a Job"));
}

TEST(KubeWorkload, JobReplicasAreCompletionsAndParallelism) {
  Export e = exported("services:\n  batch:\n    image: x\n    restart: \"no\"\n    scale: 3\n");
  const json& spec = object(e, "Job", "batch")["spec"];
  EXPECT_EQ(spec["completions"], 3);
  EXPECT_EQ(spec["parallelism"], 3);
}

TEST(KubeWorkload, ServiceLabelsGoOnThePodOrItsAnnotations) {
  Export e = exported("services:\n  web:\n    image: x\n    restart: always\n"
                      "    labels:\n      com.example.team: platform\n"
                      "      com.example.note: \"two words\"\n");
  const json& meta = object(e, "Deployment", "web")["spec"]["template"]["metadata"];
  EXPECT_EQ(meta["labels"]["com.example.team"], "platform");
  EXPECT_EQ(meta["annotations"]["com.example.note"], "two words");
}

}  // namespace
}  // namespace stack::kube::testing
