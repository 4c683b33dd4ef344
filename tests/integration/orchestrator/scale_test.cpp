// 200 containers in one project (issue 19, "Many at once"): `up -d`, `ps` and `down` work, every
// replica runs with its own address on the bridge, and the project's long-lived helpers hold a
// bounded number of descriptors however many containers there are. Subnet 10.231.152.0/24 (e2e
// index 88), which no other test uses.
#include <filesystem>
#include <set>

#include "integration/orchestrator/e2e_fixture.hpp"

namespace stack::e2e {
namespace {

constexpr size_t kContainers = 200;

size_t open_descriptors(const std::string& pid) {
  std::error_code ec;
  size_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/" + pid + "/fd", ec), end; !ec && it != end; it.increment(ec)) ++n;
  return n;
}

TEST_F(StackTest, TwoHundredContainersInOneProject) {
  start(88);
  write_stack(
      "  box:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    scale: " + std::to_string(kContainers) + "\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;

  auto all = ps();
  ASSERT_EQ(all.size(), kContainers);
  size_t running = 0;
  for (const auto& [name, c] : all) running += c.value("State", "") == "running";
  EXPECT_EQ(running, kContainers);
  // Every replica has its own address: the last one's differs from the first one's.
  Outcome first = stack("exec -T --index 1 box hostname -i");
  Outcome last = stack("exec -T --index " + std::to_string(kContainers) + " box hostname -i");
  EXPECT_EQ(first.out.rfind(prefix_, 0), 0u) << first.out << first.err;
  EXPECT_EQ(last.out.rfind(prefix_, 0), 0u) << last.out << last.err;
  EXPECT_NE(first.out, last.out);

  // The network's DNS server answers for all of them with a handful of descriptors.
  std::error_code ec;
  size_t servers = 0;
  for (std::filesystem::directory_iterator it(root_ / "run/dns", ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".pid") continue;
    std::string pid = test::read_text(it->path().string());
    while (!pid.empty() && pid.back() == '\n') pid.pop_back();
    ++servers;
    EXPECT_LT(open_descriptors(pid), 64u) << "the DNS server's descriptors grow with the containers";
  }
  EXPECT_EQ(servers, 1u);
  Outcome resolved = stack("exec -T --index 1 box nslookup box");
  EXPECT_EQ(resolved.code, 0) << resolved.out << resolved.err;

  Outcome down = stack("down -t 0");
  ASSERT_EQ(down.code, 0) << down.err;
  EXPECT_TRUE(ps().empty());
  // TearDown: nothing of the project is left (links, namespaces, mounts, cgroups, processes).
}

}  // namespace
}  // namespace stack::e2e
