// secrets and configs, extends and include, links, volumes_from, tty, stdin_open, post_start and
// pre_stop, through the real binary: `up`, then what the container sees, what the host keeps, and
// that `down` leaves nothing. Projects are named "cov<pid>x<n>", subnets 10.232.<16+n>.0/24 (no
// other suite uses 10.232/16).
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "integration/orchestrator/e2e_fixture.hpp"

namespace stack::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ComposeCoverage : public StackTest {
 protected:
  void begin(int n) {
    start(n);
    project_ = "cov" + std::to_string(::getpid()) + "x" + std::to_string(n);
    prefix_ = "10.232." + std::to_string(16 + n) + ".";
    subnet_ = prefix_ + "0/24";
  }

  std::string files_dir(const std::string& service) const {
    return root_.path() + "/projects/" + project_ + "/etc/" + container(service) + "/files";
  }
};

TEST_F(ComposeCoverage, SecretsAndConfigsAreReadOnlyFilesNeverWorldReadableOnTheHost) {
  begin(0);
  ASSERT_TRUE(test::write_text(root_ / "db_password.txt", "from-a-file\n"));
  ::setenv("COV_API_KEY", "k3y-from-env", 1);
  write_stack(
      "  app:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "    user: \"1000\"\n"
      "    secrets:\n"
      "      - db_password\n"
      "      - {source: api_key, target: api, uid: '1000', mode: 0400}\n"
      "    configs:\n"
      "      - {source: app_conf, target: /etc/app.conf}\n",
      "secrets:\n  db_password: {file: ./db_password.txt}\n  api_key: {environment: COV_API_KEY}\n"
      "configs:\n  app_conf: {content: \"level=debug\\n\"}\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err << up.out;
  EXPECT_THAT(up.out + up.err, Not(HasSubstr("k3y-from-env")));

  Outcome read = stack("exec -T app sh -c 'cat /run/secrets/db_password /run/secrets/api /etc/app.conf'");
  EXPECT_EQ(read.code, 0) << read.err;
  // A secret from a variable holds its value exactly, with no newline added (as compose writes it).
  EXPECT_EQ(read.out, "from-a-file\nk3y-from-envlevel=debug\n");
  Outcome modes = stack("exec -T app stat -c '%a %u %n' /run/secrets/db_password /run/secrets/api /etc/app.conf");
  EXPECT_EQ(modes.out, "444 0 /run/secrets/db_password\n400 1000 /run/secrets/api\n444 0 /etc/app.conf\n")
      << modes.err;
  Outcome write = stack("exec -T app sh -c 'echo x > /run/secrets/api'");
  EXPECT_NE(write.code, 0) << "a secret is writable";

  // On the host: in a directory only root can enter.
  struct stat st {};
  ASSERT_EQ(::stat(files_dir("app").c_str(), &st), 0) << files_dir("app");
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  Outcome config = stack("config");
  EXPECT_EQ(config.code, 0) << config.err;
  EXPECT_THAT(config.out, HasSubstr("environment: COV_API_KEY"));
  EXPECT_THAT(config.out, Not(HasSubstr("k3y-from-env")));
  Outcome logs = stack("logs --no-color");
  EXPECT_THAT(logs.out + logs.err, Not(HasSubstr("k3y-from-env")));

  Outcome down = stack("down -t 0");
  ASSERT_EQ(down.code, 0) << down.err;
  EXPECT_FALSE(std::filesystem::exists(files_dir("app")));
  // COV_API_KEY stays set: the fixture's teardown loads the file again (each test is a process).
}

TEST_F(ComposeCoverage, AMissingSecretFileFailsThatContainerWithOneLine) {
  begin(1);
  write_stack(
      "  app:\n    image: busybox\n    command: [\"sleep\", \"600\"]\n    secrets: [gone]\n",
      "secrets:\n  gone: {file: ./not-there.txt}\n");
  Outcome up = stack("up -d");
  EXPECT_NE(up.code, 0);
  EXPECT_THAT(up.err, HasSubstr("secret 'gone': cannot read '" + root_.path() +
                                "/not-there.txt': No such file or directory"));
}

TEST_F(ComposeCoverage, ExtendsAcrossDirectoriesComesUp) {
  begin(2);
  std::filesystem::create_directories(root_ / "common");
  ASSERT_TRUE(test::write_text(root_ / "common/base.yaml",
                               "services:\n"
                               "  base:\n"
                               "    image: busybox\n"
                               "    init: true\n"
                               "    command: [\"sleep\", \"600\"]\n"
                               "    env_file: base.env\n"
                               "    environment: {LEVEL: base}\n"));
  ASSERT_TRUE(test::write_text(root_ / "common/base.env", "FROM_BASE_DIR=yes\n"));
  write_stack(
      "  web:\n"
      "    extends: {file: common/base.yaml, service: base}\n"
      "    environment: {LEVEL: web}\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err << up.out;
  Outcome env = stack("exec -T web sh -c 'echo $LEVEL $FROM_BASE_DIR'");
  EXPECT_EQ(env.out, "web yes\n") << env.err;
}

// links: the alias reaches the linked service (the linker's /etc/hosts, the network's DNS), and
// the link starts the linked service first (its implied depends_on).
TEST_F(ComposeCoverage, ALinkAliasReachesTheLinkedService) {
  begin(4);
  write_stack(
      "  web:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    links: [\"db:database\"]\n"
      "  db:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"while true; do echo pong | nc -l -p 7000; done\"]\n"
      "  other:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err << up.out;
  Outcome hosts = stack("exec -T web cat /etc/hosts");
  // db's own line ("ADDRESS\tdb <container>"), and the alias on a line of its own beside it.
  const size_t db_line = hosts.out.find("\tdb " + container("db") + "\n");
  ASSERT_NE(db_line, std::string::npos) << hosts.out;
  const size_t line_start = hosts.out.rfind('\n', db_line) + 1;
  const std::string db_address = hosts.out.substr(line_start, db_line - line_start);
  EXPECT_THAT(db_address, ::testing::StartsWith(prefix_));
  EXPECT_THAT(hosts.out, HasSubstr("\n" + db_address + "\tdatabase\n")) << hosts.out;
  // A name lookup (busybox asks DNS first: no nsswitch.conf), then traffic to the linked port.
  Outcome reply = stack("exec -T web sh -c 'echo ping | nc -w 5 database 7000'");
  EXPECT_EQ(reply.out, "pong\n") << reply.err;
  Outcome elsewhere = stack("exec -T other cat /etc/hosts");
  EXPECT_THAT(elsewhere.out, Not(HasSubstr("database")));
  Outcome config = stack("config");
  EXPECT_THAT(config.out, HasSubstr("db:database")) << config.out;
}

// volumes_from: the data container pattern. The source's anonymous and named volumes and its
// binds, read-only when asked; its tmpfs is not copied, and a path of the service's own wins.
TEST_F(ComposeCoverage, VolumesFromMountsTheSourcesVolumesAndBinds) {
  begin(5);
  std::filesystem::create_directories(root_ / "host");
  std::filesystem::create_directories(root_ / "own");
  ASSERT_TRUE(test::write_text(root_ / "host/f", "bound\n"));
  ASSERT_TRUE(test::write_text(root_ / "own/marker", "mine\n"));
  write_stack(
      "  data:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    volumes: [/anon, \"shared:/shared\", \"./host:/host\", /own]\n"
      "    tmpfs: [/scratch]\n"
      "  reader:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    volumes_from: [\"data:ro\"]\n"
      "    volumes: [\"./own:/own\"]\n",
      "volumes:\n"
      "  shared:\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err << up.out;
  Outcome wrote = stack("exec -T data sh -c 'echo anon > /anon/f && echo named > /shared/f'");
  ASSERT_EQ(wrote.code, 0) << wrote.err;
  Outcome read = stack("exec -T reader cat /anon/f /shared/f /host/f");
  EXPECT_EQ(read.out, "anon\nnamed\nbound\n") << read.err;
  Outcome write = stack("exec -T reader sh -c 'echo x > /anon/g'");
  EXPECT_NE(write.code, 0);
  EXPECT_THAT(write.err, HasSubstr("Read-only file system"));
  Outcome scratch = stack("exec -T reader sh -c 'grep -c \" /scratch \" /proc/mounts || true'");
  EXPECT_EQ(scratch.out, "0\n");
  Outcome own = stack("exec -T reader test -f /own/marker");
  EXPECT_EQ(own.code, 0) << "the service's own bind at /own wins over the source's volume";
}

// volumes_from: container:NAME, a container of another project in the same root: its volumes and
// binds, read-only as asked, but not the secret that stack wrote for it; its project's `down -v`
// keeps a volume that is in use. A name that no container has fails `up` with one line.
TEST_F(ComposeCoverage, VolumesFromAContainerOfAnotherProject) {
  begin(9);
  const std::string other = project_ + "o";
  const std::string other_file = root_ / "other.yaml";
  std::filesystem::create_directories(root_ / "kept");
  ASSERT_TRUE(test::write_text(root_ / "kept/f", "kept\n"));
  ASSERT_TRUE(test::write_text(root_ / "token.txt", "s3cret\n"));
  ASSERT_TRUE(test::write_text(other_file,
                               "services:\n"
                               "  keeper:\n"
                               "    image: busybox\n"
                               "    command: [\"sleep\", \"600\"]\n"
                               "    network_mode: none\n"
                               "    volumes: [/anon, \"./kept:/kept\"]\n"
                               "    secrets: [token]\n"
                               "secrets:\n"
                               "  token:\n"
                               "    file: ./token.txt\n"));
  auto in_other = [&](const std::string& args) {
    return sh(std::string(STACK_BINARY) + " --root " + root_.path() + " -p " + other + " -f " + other_file + " " +
              args + " >/dev/null 2>&1; echo $?");
  };
  ASSERT_EQ(in_other("up -d"), "0\n");
  ASSERT_EQ(in_other("exec -T keeper sh -c 'echo anon > /anon/f'"), "0\n");
  write_stack(
      "  reader:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    volumes_from: [\"container:" + other + "-keeper-1:ro\"]\n");
  Outcome up = stack("up -d");
  EXPECT_EQ(up.code, 0) << up.err << up.out;
  Outcome read = stack("exec -T reader cat /anon/f /kept/f");
  EXPECT_EQ(read.out, "anon\nkept\n") << read.err;
  Outcome write = stack("exec -T reader sh -c 'echo x > /anon/g'");
  EXPECT_THAT(write.err, HasSubstr("Read-only file system"));
  Outcome secret = stack("exec -T reader test -e /run/secrets/token");
  EXPECT_NE(secret.code, 0) << "the other container's secret is its own";
  Outcome config = stack("config");
  EXPECT_THAT(config.out, HasSubstr("container:" + other + "-keeper-1:ro")) << config.out;
  // `down -v` of the other project keeps the volume that reader mounts, as docker keeps a volume
  // in use; a later `down -v` (below, once reader is gone) removes it.
  const std::string kept = sh(std::string(STACK_BINARY) + " --root " + root_.path() + " -p " + other + " -f " +
                              other_file + " down -v -t 0 2>&1");
  EXPECT_THAT(kept, HasSubstr("Kept: in use by container " + container("reader"))) << kept;
  EXPECT_EQ(stack("exec -T reader cat /anon/f").out, "anon\n");

  ASSERT_EQ(stack("down -t 0").code, 0);
  write_stack(
      "  reader:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    volumes_from: [\"container:nope\"]\n");
  Outcome lost = stack("up -d");
  EXPECT_NE(lost.code, 0);
  EXPECT_THAT(lost.err, HasSubstr("services.reader.volumes_from: no container 'nope'")) << lost.err;
  ASSERT_EQ(stack("down -v -t 0").code, 0);  // its network first: the check below looks for prefix_
  EXPECT_EQ(in_other("down -v -t 0"), "0\n");
  expect_no_residue(other, prefix_);
}

// tmpfs mount options as docker takes them: noexec by default (with nosuid and nodev), `exec`
// undoes it, uid= owns the root of the file system.
TEST_F(ComposeCoverage, TmpfsMountOptionsReachTheMount) {
  begin(10);
  write_stack(
      "  app:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    tmpfs: [/scratch, \"/run/app:exec,uid=1000,size=1m\"]\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err << up.out;
  auto options_of = [&](const std::string& path) {
    Outcome r = stack("exec -T app sh -c \"grep ' " + path + " ' /proc/mounts | cut -d' ' -f4\"");
    return r.out;
  };
  const std::string scratch = options_of("/scratch"), run = options_of("/run/app");
  EXPECT_THAT(scratch, HasSubstr("nosuid,nodev,noexec")) << scratch;
  EXPECT_THAT(run, HasSubstr("nosuid,nodev")) << run;
  EXPECT_THAT(run, Not(HasSubstr("noexec"))) << run;
  EXPECT_THAT(run, HasSubstr("uid=1000")) << run;
  Outcome run_script = stack("exec -T app sh -c 'printf \"#!/bin/sh\\necho ran\\n\" > /run/app/s && chmod +x /run/app/s && /run/app/s'");
  EXPECT_EQ(run_script.out, "ran\n") << run_script.err;
  Outcome blocked = stack("exec -T app sh -c 'cp /run/app/s /scratch/s && /scratch/s'");
  EXPECT_NE(blocked.code, 0);
  EXPECT_THAT(blocked.err, HasSubstr("Permission denied"));
}

// tty: PID 1 runs on a terminal of its own and its output is logged from it; stdin_open keeps
// stdin open, so that a read waits (an interactive shell keeps running) instead of ending at once.
TEST_F(ComposeCoverage, TtyAndStdinOpenKeepAShellWaiting) {
  begin(6);
  write_stack(
      "  term:\n"
      "    image: busybox\n"
      "    tty: true\n"
      "    command: [\"sh\", \"-c\", \"tty; [ -t 1 ] && echo on-terminal; sleep 600\"]\n"
      "  shell:\n"
      "    image: busybox\n"
      "    tty: true\n"
      "    stdin_open: true\n"
      "    command: [\"sh\"]\n"
      "  reader:\n"
      "    image: busybox\n"
      "    stdin_open: true\n"
      "    command: [\"sh\", \"-c\", \"read line; echo read-returned\"]\n"
      "  closed:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"read line; echo read-returned\"]\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err << up.out;
  // Without stdin_open, stdin is /dev/null: the read ends at once.
  EXPECT_TRUE(wait_until(container("closed"), [](const nlohmann::json& c) { return c["State"] == "exited"; }));
  EXPECT_THAT(stack("logs --no-color closed").out, HasSubstr("read-returned"));
  std::string logs;
  for (int i = 0; i < 50 && logs.find("on-terminal") == std::string::npos; ++i) {
    logs = stack("logs --no-color term").out;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(logs, HasSubstr("/dev/pts/0"));
  EXPECT_THAT(logs, HasSubstr("on-terminal"));
  auto all = ps();
  EXPECT_EQ(all[container("shell")]["State"], "running") << stack("logs shell").out;
  EXPECT_EQ(all[container("reader")]["State"], "running") << stack("logs reader").out;
  EXPECT_THAT(stack("logs --no-color reader").out, Not(HasSubstr("read-returned")));
  Outcome exec = stack("exec -T shell sh -c 'ls -l /proc/1/fd/0'");
  EXPECT_THAT(exec.out, HasSubstr("/dev/pts/0")) << exec.err;
}

// post_start after each start by stack, pre_stop before each stop, in the container with the
// hook's environment; a failing post_start fails `up` with its last line.
TEST_F(ComposeCoverage, LifecycleHooksRunInTheContainer) {
  begin(7);
  std::filesystem::create_directories(root_ / "out");
  std::filesystem::permissions(root_ / "out", std::filesystem::perms::all);  // the hook runs as nobody
  const std::string web =
      "  web:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    volumes: [\"./out:/out\"]\n"
      "    post_start:\n"
      "      - command: [\"sh\", \"-c\", \"echo started-$$MODE-$$(id -u) >> /out/log\"]\n"
      "        environment: {MODE: hook}\n"
      "        user: nobody\n"
      "    pre_stop:\n"
      "      - command: [\"sh\", \"-c\", \"echo stopping >> /out/log\"]\n";
  write_stack(web);
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err << up.out;
  EXPECT_EQ(test::read_text(root_ / "out/log"), "started-hook-65534\n");
  ASSERT_EQ(stack("stop -t 1").code, 0);
  ASSERT_EQ(stack("start").code, 0);
  EXPECT_EQ(test::read_text(root_ / "out/log"), "started-hook-65534\nstopping\nstarted-hook-65534\n");

  write_stack(web +
              "  bad:\n"
              "    image: busybox\n"
              "    command: [\"sleep\", \"600\"]\n"
              "    post_start:\n"
              "      - command: [\"sh\", \"-c\", \"echo warming; echo no cache >&2; exit 4\"]\n");
  Outcome failed = stack("up -d");
  EXPECT_EQ(failed.code, 1);
  EXPECT_THAT(failed.err, HasSubstr("services.bad.post_start[0]: exited with code 4: no cache")) << failed.err;
  EXPECT_EQ(ps()[container("bad")]["State"], "running");  // as compose leaves it
}

// volume.subpath mounts a directory inside a named volume; it must exist there, as in docker.
TEST_F(ComposeCoverage, AVolumeSubpathMountsADirectoryOfTheVolume) {
  begin(8);
  auto services = [](const std::string& subpath) {
    return "  seed:\n"
           "    image: busybox\n"
           "    command: [\"sh\", \"-c\", \"mkdir -p /data/sub && echo inside > /data/sub/f\"]\n"
           "    volumes: [\"data:/data\"]\n"
           "  user:\n"
           "    image: busybox\n"
           "    command: [\"sleep\", \"600\"]\n"
           "    depends_on: {seed: {condition: service_completed_successfully}}\n"
           "    volumes:\n"
           "      - {type: volume, source: data, target: /mnt, volume: {subpath: " + subpath + "}}\n";
  };
  write_stack(services("sub"), "volumes:\n  data:\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err << up.out;
  Outcome read = stack("exec -T user cat /mnt/f");
  EXPECT_EQ(read.out, "inside\n") << read.err;
  Outcome config = stack("config");
  EXPECT_THAT(config.out, HasSubstr("subpath: sub"));

  write_stack(services("nowhere"), "volumes:\n  data:\n");
  Outcome missing = stack("up -d");
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("services.user.volumes[0].volume.subpath: 'nowhere' does not exist in volume '"))
      << missing.err;
}

// type image mounts an image's files read-only, as docker does: one layer is bound, several are
// joined as the image's merged tree (a file deleted by a later layer stays deleted), subpath too;
// the image cannot be removed while a container mounts it.
TEST_F(ComposeCoverage, AnImageMountShowsTheImagesMergedFilesReadOnly) {
  begin(11);
  std::filesystem::create_directories(root_ / "ctx/data");
  ASSERT_TRUE(test::write_text(root_ / "ctx/data/kept", "kept\n"));
  ASSERT_TRUE(test::write_text(root_ / "ctx/data/gone", "gone\n"));
  ASSERT_TRUE(test::write_text(root_ / "ctx/Dockerfile",
                               "FROM busybox\n"
                               "COPY data /data/\n"
                               "RUN rm /data/gone && mkdir /data/sub && echo deep > /data/sub/f\n"));
  Outcome built = stack("image build --network none -t layered:1 " + (root_ / "ctx"));
  ASSERT_EQ(built.code, 0) << built.err;
  write_stack(
      "  app:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    volumes:\n"
      "      - {type: image, source: busybox, target: /one, image: {subpath: bin}}\n"
      "      - {type: image, source: \"layered:1\", target: /all}\n"
      "      - {type: image, source: \"layered:1\", target: /data, image: {subpath: data}}\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err << up.out;
  EXPECT_EQ(stack("exec -T app sh -c 'test -x /one/busybox && echo bound'").out, "bound\n");
  EXPECT_EQ(stack("exec -T app ls /all/data").out, "kept\nsub\n") << "the RUN layer's deletion hides 'gone'";
  EXPECT_EQ(stack("exec -T app cat /data/kept /data/sub/f").out, "kept\ndeep\n");
  Outcome write = stack("exec -T app touch /all/x");
  EXPECT_NE(write.code, 0);
  EXPECT_THAT(write.err, HasSubstr("Read-only file system"));
  Outcome removal = stack("image rm layered:1");
  EXPECT_NE(removal.code, 0);
  EXPECT_THAT(removal.err, HasSubstr("is used by a container"));
  EXPECT_THAT(stack("config").out, HasSubstr("type: image"));

  write_stack(
      "  app:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    volumes:\n"
      "      - {type: image, source: \"layered:1\", target: /data, image: {subpath: nowhere}}\n");
  Outcome missing = stack("up -d");
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("mount image '/data': subpath 'nowhere' is not in the image")) << missing.err;
}

TEST_F(ComposeCoverage, IncludedProjectComesUpWithTheIncludingOne) {
  begin(3);
  std::filesystem::create_directories(root_ / "db");
  ASSERT_TRUE(test::write_text(root_ / "db/compose.yaml",
                               "services:\n"
                               "  db:\n"
                               "    image: busybox\n"
                               "    command: [\"nc\", \"-ll\", \"-p\", \"7000\", \"-e\", \"echo\", \"${ANSWER}\"]\n"));
  ASSERT_TRUE(test::write_text(root_ / "db/.env", "ANSWER=from-db-env\n"));
  write_stack(
      "  web:\n"
      "    image: busybox\n"
      "    init: true\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    depends_on: [db]\n",
      "include:\n  - db/compose.yaml\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err << up.out;
  auto all = ps();
  EXPECT_EQ(all.size(), 2u);
  EXPECT_EQ(all[container("db")]["State"], "running");
  Outcome talk = stack("exec -T web sh -c 'nc -w 2 db 7000 </dev/null'");
  EXPECT_EQ(talk.out, "from-db-env\n") << talk.err;
}

}  // namespace
}  // namespace stack::e2e
