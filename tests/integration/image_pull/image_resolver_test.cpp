// The engine's image resolver (scheduler/image_resolver.hpp) against the fake registry: each
// pull_policy pulls exactly when compose pulls, an image is pulled once per resolver however many
// services use it, a service with build is never pulled, and errors name the service's image key.
#include "scheduler/image_resolver.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_registry.hpp"
#include "image/local_store.hpp"
#include "image/repositories.hpp"

namespace stack::scheduler {
namespace {

using namespace image::testing_support;
using ::testing::HasSubstr;

class ImageResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("DOCKER_CONFIG", (dir_ / "no-docker-config").c_str(), 1);
    auto store = image::LocalStore::open(dir_ / "images");
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }
  void TearDown() override { ::unsetenv("DOCKER_CONFIG"); }

  spec::Service service(const std::string& name, spec::PullPolicy policy) const {
    spec::Service s;
    s.name = name;
    s.image = fake_.domain() + "/test/fake:latest";
    s.pull_policy = policy;
    return s;
  }
  size_t manifest_requests() const { return fake_.count("/manifests/"); }

  TempDir dir_;
  FakeRegistry fake_;
  std::unique_ptr<image::LocalStore> store_;
};

TEST_F(ImageResolverTest, MissingPullsAnAbsentImageOnceForEveryService) {
  std::vector<std::string> events;
  auto resolve = make_image_resolver(*store_, [&](const ProgressEvent& e) { events.push_back(e.status); });
  auto web = resolve(service("web", spec::PullPolicy::missing));
  ASSERT_TRUE(web) << web.error().message();
  EXPECT_EQ(web->image.digest, fake_.image().digest);
  EXPECT_EQ(web->layer_dirs.size(), 1u);
  const size_t after_first = manifest_requests();
  EXPECT_GE(after_first, 1u);
  auto worker = resolve(service("worker", spec::PullPolicy::missing));  // the same image
  ASSERT_TRUE(worker) << worker.error().message();
  EXPECT_EQ(manifest_requests(), after_first);
  EXPECT_EQ(events, (std::vector<std::string>{"Pulling", "Pulled"}));

  // A later command finds it in the store and asks the registry nothing.
  auto again = make_image_resolver(*store_, nullptr)(service("web", spec::PullPolicy::missing));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(manifest_requests(), after_first);
}

TEST_F(ImageResolverTest, AlwaysPullsAStoredImageOncePerCommand) {
  ASSERT_TRUE(make_image_resolver(*store_, nullptr)(service("web", spec::PullPolicy::missing)));
  const size_t stored = manifest_requests();
  auto resolve = make_image_resolver(*store_, nullptr);
  ASSERT_TRUE(resolve(service("web", spec::PullPolicy::always)));
  const size_t pulled = manifest_requests();
  EXPECT_GT(pulled, stored);
  ASSERT_TRUE(resolve(service("worker", spec::PullPolicy::always)));
  EXPECT_EQ(manifest_requests(), pulled);
}

// daily, weekly, every_<d>: pulled when absent, not again while the tag is younger than the
// window, and again once it is older (the store keeps when each tag was last set).
TEST_F(ImageResolverTest, RefreshPullsWhenTheTagIsOlderThanTheWindow) {
  spec::Service daily = service("web", spec::PullPolicy::refresh);
  daily.pull_refresh = std::chrono::hours(24);
  ASSERT_TRUE(make_image_resolver(*store_, nullptr)(daily));
  const size_t first = manifest_requests();
  EXPECT_GE(first, 1u);
  auto found = store_->find(daily.image);
  ASSERT_TRUE(found && *found);
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(static_cast<double>((*found)->last_tag_time), static_cast<double>(now), 60.0);

  ASSERT_TRUE(make_image_resolver(*store_, nullptr)(daily));
  EXPECT_EQ(manifest_requests(), first) << "pulled again inside the window";

  // A day and a minute later, as far as the store knows.
  std::string repositories = dir_ / "images/repositories.json";
  auto repos = image::Repositories::load(repositories);
  ASSERT_TRUE(repos) << repos.error().message();
  ASSERT_EQ(repos->tags().size(), 1u);
  repos->set_tag_time(repos->tags().begin()->first, now - 24 * 3600 - 60);
  ASSERT_TRUE(repos->save(repositories));
  ASSERT_TRUE(make_image_resolver(*store_, nullptr)(daily));
  EXPECT_GT(manifest_requests(), first) << "not pulled after the window";
  auto refreshed = store_->find(daily.image);
  ASSERT_TRUE(refreshed && *refreshed);
  EXPECT_GE((*refreshed)->last_tag_time, now) << "the pull did not record its time";
}

TEST_F(ImageResolverTest, NeverRefusesAnAbsentImageNamingTheKey) {
  auto resolved = make_image_resolver(*store_, nullptr)(service("web", spec::PullPolicy::never));
  ASSERT_FALSE(resolved);
  EXPECT_THAT(resolved.error().message(), HasSubstr("services.web.image: "));
  EXPECT_EQ(fake_.requests().size(), 0u);
}

TEST_F(ImageResolverTest, AServiceWithBuildIsNeverPulled) {
  spec::Service built = service("app", spec::PullPolicy::build);
  built.build = spec::Build{};
  auto resolved = make_image_resolver(*store_, nullptr)(built);
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error().code(), util::Errc::not_found);
  EXPECT_EQ(resolved.error().message(),
            "services.app.image: image '" + built.image + "' is not built yet (stack build app)");
  EXPECT_EQ(fake_.requests().size(), 0u);
}

TEST(PullPolicyOf, ComposePoliciesAsTheStoreTakesThem) {
  spec::Service s;
  s.pull_policy = spec::PullPolicy::always;
  EXPECT_EQ(pull_policy_of(s), image::PullPolicy::always);
  s.pull_policy = spec::PullPolicy::never;
  EXPECT_EQ(pull_policy_of(s), image::PullPolicy::never);
  s.pull_policy = spec::PullPolicy::build;  // build, then use what was built or pull if missing
  EXPECT_EQ(pull_policy_of(s), image::PullPolicy::missing);
  s.pull_policy = spec::PullPolicy::refresh;  // `stack pull` pulls; the resolver narrows it by age
  EXPECT_EQ(pull_policy_of(s), image::PullPolicy::always);
}

}  // namespace
}  // namespace stack::scheduler
