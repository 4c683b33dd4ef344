// The server-side rules stack checks itself, and properties of every export: deterministic, no
// null or empty fields (but `emptyDir: {}`), apply order.
#include "kube_fixture.hpp"
#include "kube/context.hpp"

namespace stack::kube::testing {
namespace {

Object deployment(json selector, json template_labels, json ports = json::array()) {
  json c = {{"name", "web"}, {"image", "x"}};
  if (!ports.empty()) c["ports"] = ports;
  json pod_template = {{"metadata", {{"labels", template_labels}}},
                       {"spec", {{"containers", json::array({c})}}}};
  json spec = {{"selector", {{"matchLabels", selector}}}, {"template", pod_template}};
  json body = {{"metadata", {{"name", "web"}}}, {"spec", spec}};
  return Object{"Deployment", "web", body};
}

TEST(KubeChecks, SelectorMustBeASubsetOfTheTemplateLabels) {
  EXPECT_TRUE(check_objects({deployment({{"a", "1"}}, {{"a", "1"}, {"b", "2"}})}));
  auto result = check_objects({deployment({{"a", "1"}, {"c", "3"}}, {{"a", "1"}})});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(), "Deployment 'web': selector label 'c' is not on the pod template");
}

TEST(KubeChecks, PortNamesAtMost15) {
  json ports = json::array({{{"containerPort", 80}, {"name", "a-very-long-port"}}});
  auto result = check_objects({deployment({{"a", "1"}}, {{"a", "1"}}, ports)});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("port name 'a-very-long-port' is not valid"), std::string::npos);
}

TEST(KubeChecks, NamesTooLongOrTakenTwice) {
  Object svc{"Service", std::string(64, 'a'), {{"metadata", {{"name", std::string(64, 'a')}}}}};
  EXPECT_FALSE(check_objects({svc}));
  Object cm{"ConfigMap", "x", {{"metadata", {{"name", "x"}}}}};
  auto twice = check_objects({cm, cm});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message(), "ConfigMap 'x': two objects of the stack get this name");
}

TEST(KubeChecks, GeneratedObjectsThatClashAreAnError) {
  // `web-published` the service and the LoadBalancer of `web`.
  auto result = generate(stack_of("services:\n  web:\n    image: x\n    restart: always\n    ports: [\"80:80\"]\n"
                                  "  web-published:\n    image: y\n    restart: always\n    expose: [\"80\"]\n"),
                         {}, FakeFiles{});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("Service 'web-published'"), std::string::npos);
}

void expect_no_empty(const json& value, const std::string& where) {
  if (value.is_null()) ADD_FAILURE() << where << " is null";
  if (value.is_string() && value.get<std::string>().empty())
    ADD_FAILURE() << where << " is empty";
  if (value.is_object() || value.is_array()) {
    bool scratch = where.size() > 9 && where.substr(where.size() - 9) == ".emptyDir";
    if (value.empty() && !scratch) ADD_FAILURE() << where << " is empty";
    for (const auto& [key, item] : value.items()) expect_no_empty(item, where + "." + key);
  }
}

constexpr const char* kFull =
    "services:\n"
    "  web:\n    image: nginx\n    restart: always\n    ports: [\"80:80\"]\n    depends_on: [api]\n"
    "    volumes: ['/cache']\n    networks: [front]\n"
    "  api:\n    image: api\n    restart: always\n    expose: [\"8000\"]\n    networks: [front, back]\n"
    "    healthcheck: {test: [CMD, ok], start_period: 5s}\n    depends_on: {db: {condition: service_healthy}}\n"
    "  db:\n    image: pg\n    restart: always\n    volumes: ['data:/d']\n    networks: [back]\n"
    "    deploy: {resources: {limits: {memory: 1g}}}\n    tmpfs: [/run]\n"
    "  migrate:\n    image: api\n    networks: [back]\n"
    "networks:\n  front:\n  back:\n    internal: true\nvolumes:\n  data:\n";

TEST(KubeExport, NoNullOrEmptyFields) {
  Export e = exported(kFull);
  for (const Object& o : e.objects) expect_no_empty(o.body, o.kind + "/" + o.name);
}

TEST(KubeExport, DeterministicAndInApplyOrder) {
  Export a = exported(kFull), b = exported(kFull);
  ASSERT_EQ(a.objects.size(), b.objects.size());
  std::vector<std::string> kinds;
  for (size_t i = 0; i < a.objects.size(); ++i) {
    EXPECT_EQ(a.objects[i].body, b.objects[i].body);
    if (kinds.empty() || kinds.back() != a.objects[i].kind) kinds.push_back(a.objects[i].kind);
  }
  std::vector<std::string> order = {"PersistentVolumeClaim", "Service", "Deployment", "Job", "NetworkPolicy"};
  EXPECT_EQ(kinds, order);
  EXPECT_EQ(a.warnings, b.warnings);
}

}  // namespace
}  // namespace stack::kube::testing
