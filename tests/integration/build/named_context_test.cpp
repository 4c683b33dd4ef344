// Named build contexts through the real binary, as root: `--build-context NAME=DIR` used by
// COPY --from, RUN --mount=from= and FROM, with its own .dockerignore and its files in the
// steps' cache keys; `docker-image://` contexts from the test's own store; bad values.
#include <gtest/gtest.h>

#include "build_fixture.hpp"

namespace stack::build {
namespace {

class NamedContextBuild : public BuildTest {
 protected:
  std::string extra() const { return root_ / "extra"; }
  void write_extra(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(extra() + "/" + rel).parent_path());
    ASSERT_TRUE(test::write_text(extra() + "/" + rel, text));
  }
};

TEST_F(NamedContextBuild, DirectoryContextForCopyMountAndFrom) {
  write_extra("a.txt", "from extra\n");
  write_extra("secret.txt", "kept out\n");
  write_extra(".dockerignore", "secret.txt\n");
  write("a.txt", "from main\n");
  write("Dockerfile",
        "FROM extra AS files\n"
        "FROM busybox\n"
        "COPY --from=extra a.txt /copied.txt\n"
        "RUN --mount=from=extra,target=/m cat /m/a.txt > /mounted.txt; ls /m > /listed.txt\n"
        "COPY --from=files / /whole/\n"
        "COPY a.txt /main.txt\n");
  std::string first = built_id(build("-t bld-named:1 --build-context extra=" + extra()));
  RootfsView v = view("bld-named:1");
  EXPECT_EQ(read_view(v, "copied.txt"), "from extra\n");
  EXPECT_EQ(read_view(v, "mounted.txt"), "from extra\n");
  EXPECT_EQ(read_view(v, "listed.txt"), "a.txt\n");  // its own .dockerignore, not the main context's
  EXPECT_EQ(read_view(v, "whole/a.txt"), "from extra\n");
  EXPECT_FALSE(v.lookup("whole/secret.txt").has_value());
  EXPECT_EQ(read_view(v, "main.txt"), "from main\n");

  // All cache again; a changed file of the named context runs the steps that read it again.
  Outcome same = build("-t bld-named:1 --build-context extra=" + extra());
  EXPECT_EQ(built_id(same), first);
  EXPECT_NE(same.err.find("4 cached, 0 run"), std::string::npos) << same.err;
  write_extra("a.txt", "changed\n");
  Outcome changed = build("-t bld-named:1 --build-context extra=" + extra());
  EXPECT_NE(built_id(changed), first);
  EXPECT_NE(changed.err.find("0 cached, 4 run"), std::string::npos) << changed.err;
  EXPECT_EQ(read_view(view("bld-named:1"), "mounted.txt"), "changed\n");

  // A relative directory is relative to the current directory.
  Outcome relative = stack("image build --progress plain -t bld-named:2 --build-context extra=extra " + context(),
                           "cd " + root_.path() + " &&");
  EXPECT_EQ(built_id(relative), built_id(changed));
}

TEST_F(NamedContextBuild, ImageContextOverridesFromAndCopyFrom) {
  write("Dockerfile",
        "FROM base-os\n"
        "COPY --from=tools /bin/busybox /copied-busybox\n"
        "RUN test -x /copied-busybox && echo ok > /ok\n");
  built_id(build("-t bld-named-img:1 --build-context base-os=docker-image://busybox --build-context tools=docker-image://busybox"));
  RootfsView v = view("bld-named-img:1");
  EXPECT_EQ(read_view(v, "ok"), "ok\n");
  EXPECT_TRUE(v.lookup("copied-busybox").has_value());

  // An image context that the store does not hold is the error FROM gives (no pull).
  Outcome missing = build("-t bld-named-img:2 --build-context base-os=docker-image://127.0.0.1:1/none:1 --build-context tools=docker-image://busybox");
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "stack: Dockerfile:1:1: image '127.0.0.1:1/none:1' is not in the local store (stack image pull or load it first)\n");
}

// oci-layout://DIR[:TAG][@DIGEST]: the layout's image, added to the store untagged, as FROM's
// base and COPY --from's source; the store's own busybox is removed first, so that it is the
// layout's that is used.
TEST_F(NamedContextBuild, OciLayoutContextsSelectByTagOrDigest) {
  const std::string layout = root_ / "layout";
  std::filesystem::create_directories(layout);
  ASSERT_EQ(std::system(("tar -xf " + busybox_image() + " -C " + layout).c_str()), 0);
  ASSERT_EQ(stack("image rm busybox").code, 0);
  write("Dockerfile",
        "FROM base-os\n"
        "COPY --from=tools /bin/busybox /copied-busybox\n");
  Outcome built = build("-t bld-named-oci:1 --build-context base-os=oci-layout://" + layout +
                        " --build-context tools=oci-layout://" + layout + ":latest");
  ASSERT_EQ(built.code, 0) << built.err;
  RootfsView v = view("bld-named-oci:1");
  EXPECT_TRUE(v.lookup("bin/busybox").has_value());
  EXPECT_TRUE(v.lookup("copied-busybox").has_value());
  EXPECT_FALSE(find("busybox").has_value()) << "the layout's image is added untagged";

  // By the manifest's digest (index.json's), a relative directory from the current directory.
  const std::string index = test::read_text(layout + "/index.json");
  ASSERT_NE(index.find("\"digest\":\"sha256:"), std::string::npos) << index;
  const std::string manifest = index.substr(index.find("\"digest\":\"sha256:") + 10, 71);
  Outcome by_digest = stack("image build --progress plain -t bld-named-oci:2 --build-context base-os=oci-layout://layout@" +
                                manifest + " --build-context tools=oci-layout://layout " + context(),
                            "cd " + root_.path() + " &&");
  ASSERT_EQ(by_digest.code, 0) << by_digest.err;
  EXPECT_EQ(built_id(by_digest), built_id(built));

  Outcome no_tag = build("-t bld-named-oci:3 --build-context base-os=oci-layout://" + layout + ":nope --build-context tools=docker-image://x");
  EXPECT_EQ(no_tag.code, 1);
  EXPECT_EQ(no_tag.err, "stack: build context 'base-os': OCI image layout '" + layout +
                            "': the OCI image layout has no image tagged 'nope'\n");
  const std::string other = "sha256:" + std::string(64, 'a');
  Outcome no_digest = build("-t bld-named-oci:3 --build-context base-os=oci-layout://" + layout + "@" + other +
                            " --build-context tools=docker-image://x");
  EXPECT_EQ(no_digest.err, "stack: build context 'base-os': OCI image layout '" + layout +
                               "': the OCI image layout has no " + other + "\n");
  Outcome not_layout = build("-t bld-named-oci:3 --build-context base-os=oci-layout://" + context() +
                             " --build-context tools=docker-image://x");
  EXPECT_NE(not_layout.err.find("not an OCI image layout: 'oci-layout' is missing"), std::string::npos) << not_layout.err;
  EXPECT_FALSE(find("bld-named-oci:3").has_value());
}

TEST_F(NamedContextBuild, BadValuesAreOneLine) {
  write("Dockerfile", "FROM busybox\nCOPY --from=extra a /a\n");
  struct Case {
    std::string flag, err;
  };
  for (const Case& c : std::vector<Case>{
           {"extra", "stack: image build: --build-context 'extra': expected NAME=VALUE\n"},
           {"=dir", "stack: image build: --build-context '=dir': the name must be a non-empty word\n"},
           {"extra=oci-layout://", "stack: image build: --build-context 'extra=oci-layout://': 'oci-layout://': oci-layout:// "
                                   "names no directory\n"},
           {"extra=ftp://x/y.tar", "stack: image build: --build-context 'extra=ftp://x/y.tar': 'ftp://x/y.tar': a remote "
                                   "context must be a git repository (git://, ssh://, user@host:path, https://….git) or an "
                                   "http(s) URL of a tarball: use a local directory\n"},
           {"extra=" + root_.path() + "/nope", "stack: build context 'extra': '" + root_.path() + "/nope' is not a directory\n"},
       }) {
    Outcome r = build("-t bld-named-bad:1 --build-context " + c.flag);
    EXPECT_NE(r.code, 0) << c.flag;
    EXPECT_EQ(r.err, c.err);
  }
  EXPECT_FALSE(find("bld-named-bad:1").has_value());

  // A source missing from the named directory names it, before any step runs.
  std::filesystem::create_directories(root_ / "empty");
  Outcome missing = build("-t bld-named-bad:1 --build-context extra=" + root_.path() + "/empty");
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "stack: Dockerfile:2:1: 'a' not found in the build context 'extra' (or excluded by .dockerignore)\n");
  EXPECT_FALSE(find("bld-named-bad:1").has_value());
}

}  // namespace
}  // namespace stack::build
