// RUN --mount=type=bind and type=secret through the binary: what the step sees, what the layer
// keeps (nothing of either), and what the cache key follows.
#include "build_fixture.hpp"

namespace stack::build {
namespace {

// A bind mount from the context shows its files (read-only, owned by root, .dockerignore applied)
// and leaves nothing in the layer; a changed bound file re-runs the step, an unchanged one does not.
TEST_F(BuildTest, BindMountFromTheContext) {
  write(".dockerignore", "src/secret.txt\n");
  write("src/main.txt", "main\n");
  write("src/secret.txt", "ignored\n");
  write("go.mod", "module bld\n");
  write("Dockerfile",
        "FROM busybox\n"
        "WORKDIR /app\n"
        "RUN --mount=type=bind,source=go.mod,target=go.mod --mount=type=bind,source=src,target=/src \\\n"
        "    sh -c 'cat go.mod /src/main.txt > /seen; ls /src > /listed; stat -c %u /src/main.txt > /owner;"
        " if touch /src/new 2>/dev/null; then echo writable; else echo read-only; fi > /ro'\n");
  std::string first = built_id(build("-t bld-bind:1"));
  RootfsView v = view("bld-bind:1");
  EXPECT_EQ(read_view(v, "seen"), "module bld\nmain\n");
  EXPECT_EQ(read_view(v, "listed"), "main.txt\n") << ".dockerignore did not apply to the bind mount";
  EXPECT_EQ(read_view(v, "owner"), "0\n");
  EXPECT_EQ(read_view(v, "ro"), "read-only\n");
  EXPECT_FALSE(v.lookup("app/go.mod").has_value()) << "the file mount point is in the layer";
  EXPECT_FALSE(v.lookup("src").has_value()) << "the directory mount point is in the layer";
  EXPECT_TRUE(std::filesystem::exists(context() + "/src/main.txt"));
  EXPECT_FALSE(std::filesystem::exists(context() + "/src/new"));

  Outcome again = build("-t bld-bind:1");
  EXPECT_EQ(built_id(again), first);
  EXPECT_NE(again.err.find("CACHED"), std::string::npos) << again.err;
  write("src/secret.txt", "still ignored, changed\n");
  EXPECT_EQ(built_id(build("-t bld-bind:1")), first) << "an ignored file changed the key";
  write("src/main.txt", "changed\n");
  EXPECT_NE(built_id(build("-t bld-bind:1")), first);
  EXPECT_EQ(read_view(view("bld-bind:1"), "seen"), "module bld\nchanged\n");
}

// from= a stage: its files are there; `rw` lets the step write, and the writes go nowhere.
TEST_F(BuildTest, BindMountFromAStageReadWrite) {
  write("Dockerfile",
        "FROM busybox AS builder\n"
        "RUN mkdir /out && echo built > /out/app\n"
        "FROM busybox\n"
        "RUN --mount=type=bind,from=builder,source=/out,target=/in,rw sh -c 'cp /in/app /app; echo x > /in/scribble'\n"
        "RUN --mount=type=bind,from=builder,source=/out,target=/in sh -c 'ls /in > /after'\n");
  built_id(build("-t bld-bindstage:1"));
  RootfsView v = view("bld-bindstage:1");
  EXPECT_EQ(read_view(v, "app"), "built\n");
  EXPECT_EQ(read_view(v, "after"), "app\n") << "a write to an rw bind mount reached the stage";
  EXPECT_FALSE(v.lookup("in").has_value());
}

// A secret is a file (mode 0400 by default) or a variable while the step runs, is in no layer,
// and does not change the key; a required one that was not given stops the build before it starts.
TEST_F(BuildTest, SecretMounts) {
  ASSERT_TRUE(test::write_text(root_ / "token.txt", "s3cret"));
  write("Dockerfile",
        "FROM busybox\n"
        "RUN --mount=type=secret,id=token sh -c 'cat /run/secrets/token > /copied; stat -c %a /run/secrets/token > /mode'\n"
        "RUN --mount=type=secret,id=api,env=API_KEY,required sh -c 'echo $API_KEY > /from-env'\n"
        "RUN --mount=type=secret,id=absent sh -c 'test ! -e /run/secrets/absent && echo skipped > /absent'\n");
  std::string first = built_id(stack("image build --progress plain --secret id=token,src=" + root_ / "token.txt" +
                                         " --secret id=api,env=BLD_API -t bld-secret:1 " + context(),
                                     "BLD_API=k3y"));
  RootfsView v = view("bld-secret:1");
  EXPECT_EQ(read_view(v, "copied"), "s3cret");
  EXPECT_EQ(read_view(v, "mode"), "400\n");
  EXPECT_EQ(read_view(v, "from-env"), "k3y\n");
  EXPECT_EQ(read_view(v, "absent"), "skipped\n");
  EXPECT_FALSE(v.lookup("run/secrets").has_value()) << "the secret's mount point is in the layer";

  ASSERT_TRUE(test::write_text(root_ / "token.txt", "other"));
  EXPECT_EQ(built_id(stack("image build --progress plain --secret id=token,src=" + root_ / "token.txt" +
                               " --secret id=api,env=BLD_API -t bld-secret:1 " + context(),
                           "BLD_API=changed")),
            first);

  Outcome missing = build("-t bld-secret:2");
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("Dockerfile:3:1: RUN --mount=type=secret: secret 'api' is required but was not given"),
            std::string::npos)
      << missing.err;
  EXPECT_FALSE(find("bld-secret:2").has_value());

  Outcome bad = stack("image build --secret id=x,src=" + root_ / "nope" + " " + context());
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, "stack: image build: --secret 'id=x,src=" + root_ / "nope" + "': cannot read '" + root_ / "nope" +
                         "': No such file or directory\n");
}

// A cache mount with from= starts as a copy of that stage's source path (BuildKit's "cache seeded
// from a stage"); its contents then last between builds like any cache mount's; another seed
// (the stage's files changed) is another cache directory, and re-runs the step.
TEST_F(BuildTest, CacheMountSeededFromAStage) {
  auto dockerfile = [&](const std::string& seed) {
    write("Dockerfile",
          "FROM busybox AS deps\n"
          "RUN mkdir -p /opt/cache/sub && echo " + seed + " > /opt/cache/sub/f && echo top > /opt/cache/t\n"
          "FROM busybox\n"
          "RUN --mount=type=cache,target=/c,from=deps,source=/opt/cache,id=bld-seed sh -c 'cat /c/sub/f /c/t > /first; echo more >> /c/t'\n"
          "RUN --mount=type=cache,target=/c,from=deps,source=/opt/cache,id=bld-seed cat /c/t > /second\n");
  };
  dockerfile("seeded");
  built_id(build("--network none -t bld-seed:1"));
  RootfsView v = view("bld-seed:1");
  EXPECT_EQ(read_view(v, "first"), "seeded\ntop\n");
  EXPECT_EQ(read_view(v, "second"), "top\nmore\n");  // the same directory for both steps
  EXPECT_FALSE(v.lookup("c").has_value()) << "the cache mount point is in the layer";
  // Kept between builds: the next build's first step sees what the last one left.
  built_id(build("--network none --no-cache -t bld-seed:1"));
  EXPECT_EQ(read_view(view("bld-seed:1"), "second"), "top\nmore\nmore\n");
  // Another seed: a fresh copy of the stage's files, and the steps run again.
  dockerfile("other");
  Outcome changed = build("--network none -t bld-seed:1");
  built_id(changed);
  EXPECT_NE(changed.err.find("0 cached"), std::string::npos) << changed.err;
  EXPECT_EQ(read_view(view("bld-seed:1"), "first"), "other\ntop\n");
  EXPECT_EQ(read_view(view("bld-seed:1"), "second"), "top\nmore\n");
}

}  // namespace
}  // namespace stack::build
