// Networking through the real binary: published ports on loopback, DNS on the network's gateway,
// addresses kept across restarts; stats and top of running containers.
#include "integration/orchestrator/e2e_fixture.hpp"

namespace stack::e2e {
namespace {

using ::testing::HasSubstr;

// GET / from 127.0.0.1:port, or [::1]:port; the whole answer, or "" when nothing answers.
std::string http_get(int port, bool ipv6 = false) {
  int fd = ::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (ipv6) {
    auto& a = reinterpret_cast<sockaddr_in6&>(addr);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<uint16_t>(port));
    a.sin6_addr = in6addr_loopback;
    len = sizeof a;
  } else {
    auto& a = reinterpret_cast<sockaddr_in&>(addr);
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof a;
  }
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0) {
    std::string req = "GET / HTTP/1.0\r\n\r\n";
    if (::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

class Networking : public StackTest {};

// A port given no host address is published on both families, as docker publishes it; an IPv6
// host address alone is that address. Only loopback is dialled.
TEST_F(Networking, APortWithoutAHostAddressAnswersOnBothFamilies) {
  start(8);
  write_stack(
      "  web:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"mkdir -p /www && echo served-by-web > /www/index.html && exec httpd -f -p 80 -h /www\"]\n"
      "    init: true\n"
      "    ports: [\"80\", \"[::1]::81\"]\n");
  ASSERT_EQ(stack("up -d").code, 0);
  Outcome both = stack("port web 80");
  ASSERT_EQ(both.code, 0) << both.err;
  ASSERT_EQ(both.out.rfind("0.0.0.0:", 0), 0u) << both.out;
  const int port = std::stoi(both.out.substr(8));
  EXPECT_EQ(both.out, "0.0.0.0:" + std::to_string(port) + "\n[::]:" + std::to_string(port) + "\n");
  Outcome v6 = stack("port web 81");
  ASSERT_EQ(v6.out.rfind("[::1]:", 0), 0u) << v6.out << v6.err;
  std::string page4, page6;
  for (int i = 0; i < 50 && page6.find("served-by-web") == std::string::npos; ++i) {
    page4 = http_get(port);
    page6 = http_get(port, true);
    if (page6.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(page4, HasSubstr("served-by-web"));
  EXPECT_THAT(page6, HasSubstr("served-by-web"));
  EXPECT_THAT(stack("ps").out, HasSubstr("0.0.0.0:" + std::to_string(port) + "->80/tcp, [::]:" + std::to_string(port) + "->80/tcp"));
}

TEST_F(Networking, PublishedPortAnswersOnLoopbackAndNamesResolveThroughDns) {
  start(20);
  write_stack(
      "  web:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"mkdir -p /www && echo served-by-web > /www/index.html && exec httpd -f -p 80 -h /www\"]\n"
      "    init: true\n"
      "    ports: [\"127.0.0.1::80\"]\n"
      "  client:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n");
  ASSERT_EQ(stack("up -d").code, 0);
  Outcome port = stack("port web 80");
  ASSERT_EQ(port.code, 0) << port.err;
  ASSERT_EQ(port.out.rfind("127.0.0.1:", 0), 0u) << port.out;
  int host_port = std::stoi(port.out.substr(10));
  std::string page;
  for (int i = 0; i < 50 && page.find("served-by-web") == std::string::npos; ++i) {
    page = http_get(host_port);
    if (page.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(page, HasSubstr("served-by-web"));
  EXPECT_THAT(ps()[container("web")]["Publishers"].dump(), HasSubstr(std::to_string(host_port)));

  std::string web_ip = ps()[container("web")]["Networks"][project_ + "_default"];
  Outcome lookup = stack("exec -T client nslookup web");
  EXPECT_EQ(lookup.code, 0) << lookup.err;
  EXPECT_THAT(lookup.out, HasSubstr("Address: " + web_ip));
  Outcome by_container = stack("exec -T client nslookup " + container("web"));
  EXPECT_THAT(by_container.out, HasSubstr("Address: " + web_ip));
  Outcome unknown = stack("exec -T client nslookup nosuchservice");
  EXPECT_NE(unknown.code, 0);

  Outcome down = stack("down -t 0");
  ASSERT_EQ(down.code, 0) << down.err;
  EXPECT_EQ(http_get(host_port), "");
  EXPECT_EQ(sh("ps -eo args | grep -F -- '--root " + root_.path() + " dns-server' | grep -v grep"), "");
}

TEST_F(Networking, ADependentFindsItsDependencyByNameFromItsFirstInstruction) {
  start(24);
  write_stack(
      "  db:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "  app:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"nslookup db && grep -qw db /etc/hosts\"]\n"
      "    depends_on: [db]\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  EXPECT_TRUE(wait_until(container("app"), [](const nlohmann::json& c) { return c["State"] == "exited"; }));
  EXPECT_EQ(ps()[container("app")]["ExitCode"], 0) << stack("logs app").out;
  ASSERT_EQ(stack("down -t 0").code, 0);
}

TEST_F(Networking, RestartedContainerKeepsItsAddress) {
  start(21);
  write_stack(
      "  app:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    restart: always\n");
  ASSERT_EQ(stack("up -d").code, 0);
  auto address = [&] { return ps()[container("app")]["Networks"][project_ + "_default"].get<std::string>(); };
  std::string before = address();
  ASSERT_THAT(before, HasSubstr(prefix_));
  ASSERT_EQ(stack("restart -t 0 app").code, 0);
  EXPECT_EQ(address(), before);
  // A crash restarted by the restart policy comes back into the same namespace.
  ASSERT_EQ(stack("kill app").code, 0);
  EXPECT_TRUE(wait_until(container("app"), [](const nlohmann::json& c) {
    return c["RestartCount"] >= 1 && c["State"] == "running";
  }));
  EXPECT_EQ(address(), before);
  Outcome ip = stack("exec -T app ip -o -4 addr show eth0");
  EXPECT_THAT(ip.out, HasSubstr(before + "/24"));
}

TEST_F(Networking, StatsAndTopShowTheContainersProcesses) {
  start(22);
  write_stack(
      "  app:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    mem_limit: 64m\n");
  ASSERT_EQ(stack("up -d").code, 0);
  Outcome stats = stack("stats --no-stream --format json");
  ASSERT_EQ(stats.code, 0) << stats.err;
  auto j = nlohmann::json::parse(stats.out, nullptr, false);
  ASSERT_TRUE(j.is_array() && j.size() == 1u) << stats.out;
  EXPECT_EQ(j[0]["Name"], container("app"));
  EXPECT_GE(j[0]["PIDs"].get<int>(), 1);
  EXPECT_EQ(j[0]["MemLimit"].get<uint64_t>(), 64ull << 20);
  EXPECT_GT(j[0]["MemUsage"].get<uint64_t>(), 0u);
  Outcome top = stack("top app");
  ASSERT_EQ(top.code, 0) << top.err;
  EXPECT_THAT(top.out, HasSubstr("sleep 600"));
}

TEST_F(Networking, NetworkModesServiceNoneAndHost) {
  start(23);
  write_stack(
      "  main:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "  sidecar:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "    network_mode: service:main\n"
      "  isolated:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "    network_mode: none\n"
      "  hosted:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "    network_mode: host\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  std::string main_ip = ps()[container("main")]["Networks"][project_ + "_default"];
  Outcome shared = stack("exec -T sidecar ip -o -4 addr show eth0");
  EXPECT_THAT(shared.out, HasSubstr(main_ip + "/24")) << shared.err;
  Outcome none = stack("exec -T isolated sh -c 'ls /sys/class/net'");
  EXPECT_EQ(none.out, "lo\n") << none.err;
  // The host's own links (other tests add and remove veths meanwhile, so compare one stable link:
  // the bridge of this very project, which exists only on the host).
  Outcome host = stack("exec -T hosted sh -c 'ls /sys/class/net'");
  EXPECT_THAT(host.out, HasSubstr(net::bridge_name(project_ + "_default") + "\n")) << host.err;
}

// ipam aux_addresses: the reserved addresses are skipped by the allocator.
TEST_F(Networking, AuxAddressesAreNotGivenToContainers) {
  start(78);
  ASSERT_TRUE(test::write_text(file(), "services:\n"
                                       "  app:\n"
                                       "    image: busybox\n"
                                       "    command: [\"sleep\", \"600\"]\n"
                                       "networks:\n"
                                       "  default:\n"
                                       "    ipam:\n"
                                       "      config:\n"
                                       "        - subnet: " + subnet_ + "\n"
                                       "          aux_addresses: {router: " + prefix_ + "2, printer: " + prefix_ + "3}\n"));
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  Outcome ip = stack("exec -T app ip -o -4 addr show eth0");
  EXPECT_THAT(ip.out, HasSubstr(" " + prefix_ + "4/24")) << ip.out;
}

}  // namespace
}  // namespace stack::e2e
