// `stack image build` through the real binary, as root, on the busybox test image.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "build_fixture.hpp"

namespace stack::build {
namespace {

constexpr const char* kMultiStage =
    "# syntax=docker/dockerfile:1\n"
    "ARG GREETING=hello\n"
    "FROM busybox AS builder\n"
    "ARG GREETING\n"
    "ENV OUT=/out\n"
    "WORKDIR /src\n"
    "COPY app.txt ./\n"
    "RUN mkdir -p $OUT && cat app.txt > $OUT/app.txt \\\n"
    "    && echo \"$GREETING from build\" > $OUT/greeting\n"
    "RUN <<EOF\n"
    "echo heredoc > /out/heredoc\n"
    "EOF\n"
    "FROM busybox AS unused\n"
    "RUN exit 1\n"
    "FROM busybox\n"
    "RUN echo 'app:x:1000:1000::/home/app:/bin/sh' >> /etc/passwd && echo 'app:x:1000:' >> /etc/group \\\n"
    "    && mkdir -p /home/app && chown app:app /home/app && rm /etc/group- 2>/dev/null; rm -f /bin/ls\n"
    "COPY --from=builder /out /opt/app\n"
    "COPY --chown=app:app --chmod=0600 app.txt /home/app/private.txt\n"
    "USER app\n"
    "WORKDIR /home/app\n"
    "RUN id -u > uid && id -g >> uid\n"
    "ENV MODE=prod\n"
    "LABEL org.example.kind=test\n"
    "EXPOSE 8080\n"
    "CMD [\"cat\", \"/opt/app/greeting\"]\n";

TEST_F(BuildTest, MultiStageRunsAsWritten) {
  write("Dockerfile", kMultiStage);
  write("app.txt", "application\n");
  Outcome r = build("-t bld-multi:1 --build-arg GREETING=hi --label org.example.by=cli");
  std::string id = built_id(r);
  EXPECT_EQ(r.err.find("exit 1"), std::string::npos) << "the unused stage ran:\n" << r.err;
  auto image = find("bld-multi:1");
  ASSERT_TRUE(image.has_value()) << r.err;
  EXPECT_EQ(image->id.str(), id);
  const image::ImageConfig& c = image->config;
  EXPECT_EQ(c.cmd, (std::vector<std::string>{"cat", "/opt/app/greeting"}));
  EXPECT_EQ(c.user, "app");
  EXPECT_EQ(c.working_dir, "/home/app");
  EXPECT_NE(std::find(c.env.begin(), c.env.end(), "MODE=prod"), c.env.end());
  EXPECT_EQ(std::count_if(c.env.begin(), c.env.end(), [](const std::string& e) { return e.starts_with("OUT="); }), 0)
      << "the builder stage's ENV leaked";
  EXPECT_EQ(c.labels.at("org.example.kind"), "test");
  EXPECT_EQ(c.labels.at("org.example.by"), "cli");
  EXPECT_TRUE(c.exposed_ports.count("8080/tcp"));
  EXPECT_EQ(c.created, "1970-01-01T00:00:00Z");

  RootfsView v = view("bld-multi:1");
  EXPECT_EQ(read_view(v, "opt/app/greeting"), "hi from build\n");
  EXPECT_EQ(read_view(v, "opt/app/app.txt"), "application\n");
  EXPECT_EQ(read_view(v, "opt/app/heredoc"), "heredoc\n");
  EXPECT_EQ(read_view(v, "home/app/uid"), "1000\n1000\n");
  auto priv = v.lookup("home/app/private.txt");
  ASSERT_TRUE(priv.has_value());
  EXPECT_EQ(priv->st.st_uid, 1000u);
  EXPECT_EQ(priv->st.st_mode & 07777, 0600u);
  EXPECT_TRUE(view("busybox").lookup("bin/ls").has_value());
  EXPECT_FALSE(v.lookup("bin/ls").has_value()) << "a file removed by RUN is still there (whiteout lost)";
  EXPECT_TRUE(v.lookup("bin/sh").has_value());
  EXPECT_FALSE(v.lookup("src").has_value()) << "the builder stage's files leaked";
  EXPECT_NE(read_view(v, "etc/passwd").find("app:x:1000"), std::string::npos);
}

TEST_F(BuildTest, RebuildIsAllCacheWithTheSameId) {
  write("Dockerfile", "FROM busybox\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\nRUN echo more >> /b.txt\nCMD [\"sh\"]\n");
  write("a.txt", "A\n");
  std::string first = built_id(build("-t bld-cache:1"));
  Outcome again = build("-t bld-cache:1");
  EXPECT_EQ(built_id(again), first);
  EXPECT_NE(again.err.find("3 cached, 0 run"), std::string::npos) << again.err;
  EXPECT_EQ(again.err.find("more\n"), std::string::npos) << "a RUN ran again:\n" << again.err;
  // A new mtime with the same content changes nothing: keys hash content.
  ASSERT_EQ(std::system(("touch -d '2030-01-01' " + context() + "/a.txt").c_str()), 0);
  Outcome touched = build("-t bld-cache:1");
  EXPECT_EQ(built_id(touched), first);
  EXPECT_NE(touched.err.find("3 cached, 0 run"), std::string::npos) << touched.err;
}

TEST_F(BuildTest, ChangedFileRerunsOnlyLaterSteps) {
  write("Dockerfile", "FROM busybox\nRUN echo one > /one\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\n");
  write("a.txt", "first\n");
  std::string first = built_id(build("-t bld-change:1"));
  write("a.txt", "second\n");
  Outcome r = build("-t bld-change:1");
  std::string second = built_id(r);
  EXPECT_NE(second, first);
  EXPECT_NE(r.err.find("1 cached, 2 run"), std::string::npos) << r.err;
  EXPECT_EQ(read_view(view("bld-change:1"), "b.txt"), "second\n");
  EXPECT_EQ(read_view(view("bld-change:1"), "one"), "one\n");
}

TEST_F(BuildTest, DockerignoreKeepsFilesOut) {
  write(".dockerignore", "# secrets\nsecret.txt\n*.log\n!keep.log\nsub/**/*.tmp\n");
  write("Dockerfile", "FROM busybox\nCOPY . /ctx/\n");
  write("secret.txt", "password\n");
  write("a.log", "noise\n");
  write("keep.log", "kept\n");
  write("sub/deep/x.tmp", "tmp\n");
  write("sub/deep/x.txt", "txt\n");
  built_id(build("-t bld-ignore:1"));
  RootfsView v = view("bld-ignore:1");
  EXPECT_FALSE(v.lookup("ctx/secret.txt").has_value());
  EXPECT_FALSE(v.lookup("ctx/a.log").has_value());
  EXPECT_EQ(read_view(v, "ctx/keep.log"), "kept\n");
  EXPECT_FALSE(v.lookup("ctx/sub/deep/x.tmp").has_value());
  EXPECT_EQ(read_view(v, "ctx/sub/deep/x.txt"), "txt\n");
  EXPECT_EQ(read_view(v, "ctx/Dockerfile"), "FROM busybox\nCOPY . /ctx/\n");

  write("Dockerfile", "FROM busybox\nCOPY secret.txt /s\n");
  Outcome r = build("-t bld-ignore:2");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "stack: Dockerfile:2:1: 'secret.txt' not found in the build context (or excluded by .dockerignore)\n");
  EXPECT_FALSE(find("bld-ignore:2").has_value());
}

TEST_F(BuildTest, NoCacheTwiceGivesTheSameId) {
  write("Dockerfile", "FROM busybox\nCOPY a.txt /a.txt\nRUN date > /now-but-clamped && touch /t && mkdir -p /d/e\nENV X=1\n");
  write("a.txt", "A\n");
  Outcome one = build("--no-cache -t bld-repro:1");
  Outcome two = build("--no-cache -t bld-repro:1");
  EXPECT_NE(two.err.find("0 cached, 2 run"), std::string::npos) << two.err;
  // `date` writes the time of the run: the content differs, so the ids may not; everything else is fixed.
  write("Dockerfile", "FROM busybox\nCOPY a.txt /a.txt\nRUN touch /t && mkdir -p /d/e && echo x > /d/e/f\nENV X=1\n");
  std::string a = built_id(build("--no-cache -t bld-repro:2"));
  std::string b = built_id(build("--no-cache -t bld-repro:2"));
  EXPECT_EQ(a, b);
  built_id(one);
  built_id(two);
}

TEST_F(BuildTest, FailingRunTagsNothingAndLeavesNothing) {
  write("Dockerfile", "FROM busybox\nRUN echo before\nRUN echo output-of-failure && exit 3\nRUN echo never\n");
  Outcome r = build("-t bld-fail:1");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("output-of-failure"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stack: Dockerfile:3: RUN echo output-of-failure && exit 3: exit code 3\n"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("never"), std::string::npos);
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(find("bld-fail:1").has_value());
  // tty progress shows the tail of the failed step's output instead of streaming it.
  Outcome tty = stack("image build --progress tty -t bld-fail:1 " + context());
  EXPECT_EQ(tty.code, 1);
  EXPECT_NE(tty.err.find("  | output-of-failure"), std::string::npos) << tty.err;
  EXPECT_FALSE(find("bld-fail:1").has_value());
}

TEST_F(BuildTest, NetworkNoneHasOnlyLoopback) {
  write("Dockerfile", "FROM busybox\nRUN ls /sys/class/net > /nets\nRUN --network=host ls /sys/class/net > /host-nets\n");
  built_id(build("--network none -t bld-net:1"));
  RootfsView v = view("bld-net:1");
  EXPECT_EQ(read_view(v, "nets"), "lo\n");
  EXPECT_NE(read_view(v, "host-nets"), "lo\n") << "RUN --network=host got its own namespace";
}

TEST_F(BuildTest, BadInputIsOneLineBeforeAnythingRuns) {
  struct Case {
    std::string dockerfile;
    std::string args;
    std::string error;
  };
  const Case cases[] = {
      {"FROM busybox\nRUN echo ran\nFROB x\n", "", "stack: Dockerfile:3:1: unknown instruction: FROB\n"},
      {"FROM busybox\nRUN echo ran\nCOPY ../etc/passwd /p\n", "",
       "stack: Dockerfile:3:1: source '../etc/passwd' is outside the build context\n"},
      {"FROM busybox\nRUN echo ran\nCOPY --from=bld-nothing:1 /x /x\n", "",
       "stack: Dockerfile:3:1: image 'bld-nothing:1' is not in the local store (stack image pull or load it first)\n"},
      {"FROM bld-absent\nRUN echo ran\n", "",
       "stack: Dockerfile:1:1: image 'bld-absent' is not in the local store (stack image pull or load it first)\n"},
      {"FROM busybox\nRUN echo ran\n", "--target nope", "stack: target stage 'nope' not found in Dockerfile\n"},
      {"FROM busybox\nRUN --mount=type=ssh,required echo ran\n", "",
       "stack: Dockerfile:2:1: RUN --mount=type=ssh: ssh agent 'default' is required but was not given (--ssh default[=SOCKET])\n"},
      {"FROM busybox\nRUN --mount=type=bind,source=nope,target=/c echo ran\n", "",
       "stack: Dockerfile:2:1: RUN --mount=type=bind,source=nope: 'nope' not found in the build context (or excluded by .dockerignore)\n"},
      {"FROM busybox\nRUN --mount=source=../x,target=/c echo ran\n", "",
       "stack: Dockerfile:2:1: RUN --mount=type=bind,source=../x: source '../x' is outside the build context\n"},
      {"FROM busybox\nRUN --mount=type=cache,target=/c,colour=red echo ran\n", "",
       "stack: Dockerfile:2:1: RUN --mount: unknown option 'colour'\n"},
      {"FROM busybox\nRUN echo ran\nCOPY git@example.com:x/y.git /x\n", "",
       "stack: Dockerfile:3:1: COPY: a git repository ('git@example.com:x/y.git') is not a source for COPY: use ADD\n"},
      {"FROM busybox\nRUN echo ran\nADD git@example.com:x/y.git Dockerfile /x\n", "",
       "stack: Dockerfile:3:1: ADD: a git repository ('git@example.com:x/y.git') must be ADD's only source\n"},
      {"FROM busybox\nRUN echo ran\n", "-t 'Bad:Name:x'", ""},
  };
  for (const Case& c : cases) {
    write("Dockerfile", c.dockerfile);
    Outcome r = build(c.args + " -t bld-bad:1");
    EXPECT_EQ(r.code, 1) << c.dockerfile;
    EXPECT_EQ(r.err.find("ran"), std::string::npos) << "a step ran before the error:\n" << r.err;
    if (!c.error.empty()) EXPECT_EQ(r.err, c.error);
    else EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(find("bld-bad:1").has_value());
  }
  // A network's name, as BuildKit: refused, with the reason, before anything runs (a usage error).
  write("Dockerfile", "FROM busybox\nRUN echo ran\n");
  Outcome named = build("--network backend -t bld-bad:1");
  EXPECT_EQ(named.code, 2);
  EXPECT_EQ(named.err, "stack: image build: --network 'backend': a build cannot join a network: RUN steps run on none, "
                       "default (a bridge of the build's own) or host, as with BuildKit, which refuses a network's name\n");
  Outcome missing = stack("image build -t bld-bad:1 " + root_ / "no-such-dir");
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "stack: build context '" + root_ / "no-such-dir" + "' is not a directory\n");
}

// A cache mount keeps its contents from one build to the next and is never in a layer; a tmpfs
// mount is there while the step runs. Neither mount point stays in the image.
TEST_F(BuildTest, RunMountsCacheAndTmpfs) {
  write("Dockerfile",
        "FROM busybox\n"
        "RUN --mount=type=cache,target=/cache,id=bld-count sh -c 'echo x >> /cache/count; wc -l < /cache/count > /seen'\n"
        "RUN --mount=type=tmpfs,target=/tmp/scratch,size=1m sh -c 'echo t > /tmp/scratch/f'\n"
        "WORKDIR /work\n"
        "RUN --mount=type=cache,target=rel,sharing=locked sh -c 'test -d /work/rel && touch /work/rel/ok'\n");
  built_id(build("-t bld-mount:1"));
  RootfsView v = view("bld-mount:1");
  EXPECT_EQ(read_view(v, "seen"), "1\n");
  EXPECT_FALSE(v.lookup("cache").has_value()) << "the cache mount point is in the layer";
  EXPECT_FALSE(v.lookup("tmp/scratch").has_value()) << "the tmpfs mount point is in the layer";
  EXPECT_FALSE(v.lookup("work/rel").has_value()) << "a relative cache mount point is in the layer";
  EXPECT_TRUE(v.lookup("work").has_value());

  built_id(build("--no-cache -t bld-mount:1"));
  EXPECT_EQ(read_view(view("bld-mount:1"), "seen"), "2\n") << "the cache mount lost its contents";
  // Cached steps: the mount's contents are not part of the key, as with BuildKit.
  Outcome cached = build("-t bld-mount:1");
  EXPECT_EQ(cached.code, 0) << cached.err;
  EXPECT_EQ(read_view(view("bld-mount:1"), "seen"), "2\n");
}

// COPY --exclude (repeatable, variables expanded): what it names stays out of the layer, below
// the source it applies to; a changed excluded file does not invalidate the step.
TEST_F(BuildTest, CopyExcludeKeepsMatchingPathsOut) {
  write("app/main.sh", "echo main\n");
  write("app/debug.log", "noise\n");
  write("app/cache/blob", "big\n");
  write("app/lib/util.sh", "echo util\n");
  write("app/lib/trace.log", "noise\n");
  write("Dockerfile",
        "FROM scratch\n"
        "ARG SKIP=cache\n"
        "COPY --exclude=*.log --exclude=$SKIP --exclude=**/trace.log app/ /app/\n");
  std::string first = built_id(build("-t bld-exclude:1"));
  RootfsView v = view("bld-exclude:1");
  EXPECT_EQ(read_view(v, "app/main.sh"), "echo main\n");
  EXPECT_EQ(read_view(v, "app/lib/util.sh"), "echo util\n");
  for (const char* gone : {"app/debug.log", "app/cache", "app/lib/trace.log"}) {
    EXPECT_FALSE(v.lookup(gone).has_value()) << gone;
  }
  write("app/debug.log", "other noise\n");
  EXPECT_EQ(built_id(build("-t bld-exclude:1")), first) << "an excluded file is not part of the step's key";
}

// COPY --parents keeps each source's path (after a "/./" when there is one).
TEST_F(BuildTest, CopyParentsKeepsTheSourcePaths) {
  write("x/a.txt", "xa\n");
  write("y/b.txt", "yb\n");
  write("src/./app/c.txt", "c\n");
  write("Dockerfile", "FROM scratch\nCOPY --parents x/a.txt y/*.txt src/./app /out/\n");
  built_id(build("-t bld-parents:1"));
  RootfsView v = view("bld-parents:1");
  EXPECT_EQ(read_view(v, "out/x/a.txt"), "xa\n");
  EXPECT_EQ(read_view(v, "out/y/b.txt"), "yb\n");
  EXPECT_EQ(read_view(v, "out/app/c.txt"), "c\n");
  EXPECT_FALSE(v.lookup("out/a.txt").has_value());
}

TEST_F(BuildTest, AddExtractsTarballs) {
  ASSERT_EQ(std::system(("mkdir -p " + root_ / "t/d && echo inner > " + root_ / "t/d/f && tar -C " + root_ / "t" +
                         " -czf " + context() + "/bundle.tar.gz d").c_str()), 0);
  write("plain.txt", "plain\n");
  write("Dockerfile", "FROM scratch\nADD bundle.tar.gz /unpacked/\nADD plain.txt /p.txt\nCOPY bundle.tar.gz /copied.tgz\n");
  built_id(build("-t bld-add:1"));
  RootfsView v = view("bld-add:1");
  EXPECT_EQ(read_view(v, "unpacked/d/f"), "inner\n");
  EXPECT_EQ(read_view(v, "p.txt"), "plain\n");
  EXPECT_TRUE(v.lookup("copied.tgz").has_value());
  EXPECT_FALSE(v.lookup("unpacked/bundle.tar.gz").has_value());
}

}  // namespace
}  // namespace stack::build
