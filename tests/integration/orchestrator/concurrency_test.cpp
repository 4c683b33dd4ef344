// Many at once (issue 19): projects of one state root brought up and down at the same time, with
// the same service names, share nothing and leave nothing; two state roots on one host do not see
// or touch each other's projects, and one project name in both is refused, not shared.
#include <future>
#include <set>

#include "integration/orchestrator/e2e_fixture.hpp"

namespace stack::e2e {
namespace {

constexpr int kProjects = 4;
constexpr int kRounds = 10;

class ManyAtOnce : public StackTest {
 protected:
  struct Project {
    std::string name;
    std::string file;
    std::string prefix;  // "10.231.N."
  };

  // Project 0 is the fixture's own (its teardown checks it); the others take the next subnets.
  void make_projects(int first_subnet_index) {
    start(first_subnet_index);
    for (int i = 0; i < kProjects; ++i) {
      Project p;
      p.name = i == 0 ? project_ : project_ + "p" + std::to_string(i);
      p.prefix = e2e_prefix(first_subnet_index + i);
      p.file = root_ / (p.name + ".yaml");
      ASSERT_TRUE(test::write_text(p.file, stack_file(p.prefix + "0/24")));
      projects_.push_back(p);
    }
    file_ = projects_[0].file;
  }

  // The same two service names in every project.
  static std::string stack_file(const std::string& subnet) {
    return "services:\n"
           "  web:\n    image: busybox\n    command: [\"sleep\", \"600\"]\n"
           "  db:\n    image: busybox\n    command: [\"sleep\", \"600\"]\n"
           "networks:\n  default:\n    ipam:\n      config:\n        - subnet: " + subnet + "\n";
  }

  Outcome run(const std::string& root, const Project& p, const std::string& args) const {
    std::string base = root + "/" + p.name;
    std::string cmd = std::string(STACK_BINARY) + " --root " + root + " -p " + p.name + " -f " + p.file +
                      " " + args + " >" + base + ".out 2>" + base + ".err </dev/null";
    Outcome r;
    int status = std::system(cmd.c_str());
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = test::read_text(base + ".out");
    r.err = test::read_text(base + ".err");
    return r;
  }

  // One command in every project at the same time; each must succeed.
  void everywhere(const std::string& args) {
    std::vector<std::future<Outcome>> runs;
    for (const Project& p : projects_) {
      runs.push_back(std::async(std::launch::async, [this, &p, args] { return run(root_.path(), p, args); }));
    }
    for (size_t i = 0; i < runs.size(); ++i) {
      Outcome r = runs[i].get();
      EXPECT_EQ(r.code, 0) << projects_[i].name << " " << args << ": " << r.err;
    }
  }

  // service -> address, from `ps --format json`.
  std::map<std::string, std::string> addresses(const std::string& root, const Project& p) const {
    std::map<std::string, std::string> out;
    Outcome r = run(root, p, "ps --format json");
    EXPECT_EQ(r.code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (!j.is_array()) return out;
    for (auto& c : j) {
      EXPECT_EQ(c["State"], "running") << c.dump();
      for (auto& [network, address] : c["Networks"].items()) out[c["Service"].get<std::string>()] = address.get<std::string>();
    }
    return out;
  }

  void TearDown() override {
    for (size_t i = 1; i < projects_.size(); ++i) run(root_.path(), projects_[i], "down -v -t 0");
    for (size_t i = 1; i < projects_.size(); ++i) expect_no_residue(projects_[i].name, projects_[i].prefix);
    StackTest::TearDown();
  }

  std::vector<Project> projects_;
};

TEST_F(ManyAtOnce, FourProjectsComeUpAndGoDownTogetherTenTimes) {
  make_projects(79);
  for (int round = 0; round < kRounds && !HasFailure(); ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    everywhere("up -d");
    std::set<std::string> seen;
    for (const Project& p : projects_) {
      auto own = addresses(root_.path(), p);
      ASSERT_EQ(own.size(), 2u) << p.name;
      for (auto& [service, address] : own) {
        EXPECT_NE(address.find(p.prefix), std::string::npos) << p.name << " " << service << " " << address;
        EXPECT_TRUE(seen.insert(address).second) << address << " given twice";
      }
      // Each project's DNS answers its own `web`, never another project's.
      Outcome looked_up = run(root_.path(), p, "exec -T db nslookup web");
      EXPECT_EQ(looked_up.code, 0) << looked_up.err;
      EXPECT_NE(looked_up.out.find(own["web"]), std::string::npos) << p.name << ": " << looked_up.out;
      for (const Project& other : projects_) {
        if (other.name == p.name) continue;
        EXPECT_EQ(looked_up.out.find(other.prefix), std::string::npos) << looked_up.out;
      }
    }
    everywhere("down -v -t 0");
    for (const Project& p : projects_) expect_no_residue(p.name, p.prefix);
  }
}

TEST_F(ManyAtOnce, TwoStateRootsDoNotSeeOrTouchEachOther) {
  make_projects(83);
  test::TempDir other_root("stack-e2e-other");
  auto store = image::Store::open(other_root.path());
  ASSERT_TRUE(store) << store.error().message();
  ASSERT_TRUE((*store)->load(test_image()));

  const Project& mine = projects_[0];
  const Project& theirs = projects_[1];
  // The other root's project goes down however the test ends (the fixture knows only its own root).
  std::unique_ptr<void, std::function<void(void*)>> take_theirs_down(
      this, [&](void*) { run(other_root.path(), theirs, "down -v -t 0"); });
  auto up_mine = std::async(std::launch::async, [&] { return run(root_.path(), mine, "up -d"); });
  Outcome up_theirs = run(other_root.path(), theirs, "up -d");
  ASSERT_EQ(up_mine.get().code, 0);
  ASSERT_EQ(up_theirs.code, 0) << up_theirs.err;

  // The same project name under the other root would take over this root's bridge (a bridge is
  // named after its network): refused, and nothing of this root's project is touched.
  Project same_name = mine;
  same_name.file = projects_[2].file;  // its own subnet
  Outcome clash = run(other_root.path(), same_name, "up -d");
  EXPECT_NE(clash.code, 0);
  EXPECT_THAT(clash.err, ::testing::HasSubstr("did not make it")) << clash.err;
  Outcome cleared = run(other_root.path(), same_name, "down -v -t 0");
  EXPECT_EQ(cleared.code, 0) << cleared.err;
  Outcome still = run(root_.path(), mine, "exec -T web ip -4 -o addr show eth0");
  EXPECT_THAT(still.out, ::testing::HasSubstr(mine.prefix)) << still.err;

  // `ls` of each root lists its own project only.
  Outcome ls = run(root_.path(), mine, "ls --format json");
  EXPECT_NE(ls.out.find(mine.name), std::string::npos) << ls.out;
  EXPECT_EQ(ls.out.find(theirs.name), std::string::npos) << ls.out;

  // Taking one root's project down leaves the other root's running.
  ASSERT_EQ(run(root_.path(), mine, "down -v -t 0").code, 0);
  EXPECT_EQ(addresses(other_root.path(), theirs).size(), 2u);
  Outcome down = run(other_root.path(), theirs, "down -v -t 0");
  EXPECT_EQ(down.code, 0) << down.err;
  (void)take_theirs_down.release();
  expect_no_residue(theirs.name, theirs.prefix);
  EXPECT_EQ(sh("grep -c " + shell_quote(other_root.path()) + " /proc/self/mountinfo"), "0\n");
}

}  // namespace
}  // namespace stack::e2e
