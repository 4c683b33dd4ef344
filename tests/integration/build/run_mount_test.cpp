// RUN --mount=type=bind and type=secret through the binary: what the step sees, what the layer
// keeps (nothing of either), and what the cache key follows.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <thread>

#include "build_fixture.hpp"

extern char** environ;

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

// RUN --mount=type=ssh with --ssh default=SOCKET: Debian's ssh-agent (started by the test, stopped
// by its pid) holding a key the test made; Debian's ssh-add, copied into the image with its
// libraries, lists that key from inside the step through SSH_AUTH_SOCK. Nothing of it is in the
// layer; without --ssh the mount is skipped, and a required one fails before any step runs.
TEST_F(BuildTest, SshMountForwardsTheAgent) {
  const std::string sock = root_ / "agent.sock", key = root_ / "key";
  pid_t agent = 0;
  {
    std::vector<std::string> args{"ssh-agent", "-D", "-a", sock};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(::posix_spawnp(&agent, "ssh-agent", nullptr, nullptr, argv.data(), environ), 0);
  }
  struct AgentGuard {
    pid_t pid;
    ~AgentGuard() {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  } guard{agent};
  for (int i = 0; i < 300 && !std::filesystem::exists(sock); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(std::system(("ssh-keygen -q -t ed25519 -N '' -C bld-ssh-key -f " + key + " && SSH_AUTH_SOCK=" + sock +
                         " ssh-add " + key + " 2>/dev/null").c_str()), 0);
  // ssh-add and the libraries it loads, at their own paths.
  ASSERT_EQ(std::system(("for f in /usr/bin/ssh-add $(ldd /usr/bin/ssh-add | grep -o '/[^ ]*'); do mkdir -p " + context() +
                         "/root$(dirname $f) && cp -L $f " + context() + "/root$f || exit 1; done").c_str()), 0);
  write("Dockerfile",
        "FROM busybox\n"
        "COPY root/ /\n"
        "RUN --mount=type=ssh sh -c 'echo $SSH_AUTH_SOCK > /sock; ssh-add -l > /keys'\n");
  built_id(build("--network none --ssh default=" + sock + " -t bld-ssh:1"));
  RootfsView v = view("bld-ssh:1");
  EXPECT_EQ(read_view(v, "sock"), "/run/buildkit/ssh_agent.0\n");
  EXPECT_NE(read_view(v, "keys").find("bld-ssh-key (ED25519)"), std::string::npos) << read_view(v, "keys");
  EXPECT_FALSE(v.lookup("run/buildkit").has_value()) << "the socket's mount point is in the layer";
  // Without --ssh: not mounted (BuildKit's default), so ssh-add finds no agent.
  write("Dockerfile", "FROM busybox\nCOPY root/ /\nRUN --mount=type=ssh sh -c 'ssh-add -l > /keys 2>&1; echo $? > /code'\n");
  built_id(build("--network none -t bld-ssh:2"));
  EXPECT_EQ(read_view(view("bld-ssh:2"), "code"), "2\n");  // ssh-add: "Could not open a connection"
  // A socket that is not one, and a key file, are refused before anything runs.
  Outcome keyfile = build("--ssh default=" + key + " -t bld-ssh:3");
  EXPECT_EQ(keyfile.code, 2);
  EXPECT_NE(keyfile.err.find("is not a socket (key files are not supported"), std::string::npos) << keyfile.err;
}

}  // namespace
}  // namespace stack::build
