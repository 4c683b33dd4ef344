// Two projects on one network (external in the second), through the real binary: each resolves the
// other's services and containers by name in the network's DNS, as docker's does; `external_links`
// gives another project's container an alias; a project that goes down leaves the names.
#include "integration/orchestrator/e2e_fixture.hpp"

namespace stack::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SharedNetwork : public StackTest {
 protected:
  void TearDown() override {
    if (!other_.empty()) (void)other("down -t 0");
    StackTest::TearDown();
  }

  Outcome other(const std::string& args) const { return stack_as(other_, root_ / "other.yaml", args); }

  std::string address_of(const Outcome& o) const { return o.out.substr(0, o.out.find('\n')); }

  std::string other_;
};

TEST_F(SharedNetwork, ProjectsResolveEachOtherAndExternalLinksNameAnotherProjectsContainer) {
  start(7);
  write_stack("  db:\n    image: busybox\n    command: [\"sleep\", \"600\"]\n");
  ASSERT_EQ(stack("up -d").code, 0);
  other_ = project_ + "o";
  const std::string own_db = container("db");
  ASSERT_TRUE(test::write_text(root_ / "other.yaml",
                               "services:\n"
                               "  web:\n"
                               "    image: busybox\n"
                               "    command: [\"sleep\", \"600\"]\n"
                               "    networks: [shared]\n"
                               "    external_links: [\"" + own_db + ":database\"]\n"
                               "networks:\n"
                               "  shared:\n"
                               "    name: " + project_ + "_default\n"
                               "    external: true\n"));
  Outcome up = other("up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  const std::string ip = "ip -o -4 addr show eth0 | sed 's/.*inet \\([0-9.]*\\).*/\\1/'";
  std::string db_ip = address_of(stack("exec -T db sh -c \"" + ip + "\""));
  std::string web_ip = address_of(other("exec -T web sh -c \"" + ip + "\""));
  ASSERT_TRUE(db_ip.starts_with(prefix_)) << db_ip;
  ASSERT_TRUE(web_ip.starts_with(prefix_)) << web_ip;

  for (const char* name : {"database", "db"}) {
    Outcome found = other(std::string("exec -T web nslookup ") + name);
    EXPECT_THAT(found.out, HasSubstr(db_ip)) << name << ": " << found.out << found.err;
  }
  for (const std::string& name : {std::string("web"), other_ + "-web-1"}) {
    Outcome found = stack("exec -T db nslookup " + name);
    EXPECT_THAT(found.out, HasSubstr(web_ip)) << name << ": " << found.out << found.err;
  }

  Outcome down = other("down -t 0");
  EXPECT_EQ(down.code, 0) << down.err;
  Outcome gone = stack("exec -T db nslookup web");
  EXPECT_NE(gone.code, 0);
  EXPECT_THAT(gone.out, Not(HasSubstr(web_ip)));

  ASSERT_TRUE(test::write_text(root_ / "other.yaml",
                               "services:\n"
                               "  web:\n"
                               "    image: busybox\n"
                               "    command: [\"sleep\", \"600\"]\n"
                               "    network_mode: none\n"
                               "    external_links: [\"nosuch:x\"]\n"));
  Outcome missing = other("up -d");
  EXPECT_NE(missing.code, 0);
  EXPECT_THAT(missing.err, HasSubstr("services.web.external_links: no container 'nosuch'"));
}

}  // namespace
}  // namespace stack::e2e
