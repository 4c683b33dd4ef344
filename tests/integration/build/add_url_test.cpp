// ADD of http:// URLs (served by busybox httpd on 127.0.0.1, started and stopped by each test) and
// heredocs as COPY sources, through the real binary.
#include <gtest/gtest.h>

#include "build/url_cache.hpp"
#include "build/url_source.hpp"
#include "build_fixture.hpp"
#include "loopback_server.hpp"
#include "util/bytes.hpp"
#include "util/fd.hpp"
#include "util/sha256.hpp"

namespace stack::build {
namespace {

namespace fs = std::filesystem;

class AddUrlTest : public BuildTest {
 protected:
  void SetUp() override {
    BuildTest::SetUp();
    fs::create_directories(served_);
    start_server();
  }

  void start_server() {
    for (int attempt = 0; attempt < 5 && !serving(); ++attempt) start_httpd();
    ASSERT_TRUE(serving()) << "busybox httpd did not start on 127.0.0.1";
  }

  void TearDown() override {
    stop_httpd();
    BuildTest::TearDown();
  }

  bool serving() const { return pid_ > 0; }

  void start_httpd() {
    port_ = free_loopback_port();
    pid_ = spawn_loopback_server({"busybox", "httpd", "-f", "-p", "127.0.0.1:" + std::to_string(port_), "-h", served_},
                                 port_, false);
  }

  void stop_httpd() { stop_loopback_server(pid_); }

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + "/" + path; }

  void serve(const std::string& rel, const std::string& text) {
    fs::create_directories(fs::path(served_ + "/" + rel).parent_path());
    ASSERT_TRUE(test::write_text(served_ + "/" + rel, text));
  }

  Outcome build_env(const std::string& args, const std::string& env) const {
    return stack("image build --progress plain " + args + " " + context(), env);
  }

  std::string served_ = root_ / "served";
  int port_ = 0;
  pid_t pid_ = 0;
};

TEST_F(AddUrlTest, UrlLandsWithItsNameModeAndContent) {
  serve("files/tool.sh", "echo tool\n");
  serve("moved/index.html", "index\n");  // httpd redirects "/moved" to "/moved/"
  ASSERT_EQ(std::system(("touch -d '2001-02-03 04:05:06 UTC' " + served_ + "/files/tool.sh").c_str()), 0);
  ASSERT_EQ(std::system(("tar -cf " + served_ + "/app.tar -C " + served_ + " files").c_str()), 0);
  write("Dockerfile",
        "FROM busybox\n"
        "ADD " + url("files/tool.sh") + " /opt/\n"
        "ADD " + url("app.tar") + " /opt/\n"
        "ADD --chmod=0755 " + url("files/tool.sh?v=1") + " /bin/renamed\n"
        "ADD --chown=1000:1000 " + url("files/tool.sh") + " " + url("app.tar") + " /srv/x\n"
        "ADD " + url("moved") + " /opt/\n");
  built_id(build_env("-t bld-url:1", "SOURCE_DATE_EPOCH=2000000000"));
  RootfsView v = view("bld-url:1");
  EXPECT_EQ(read_view(v, "opt/tool.sh"), "echo tool\n");
  auto tool = v.lookup("opt/tool.sh");
  ASSERT_TRUE(tool);
  EXPECT_EQ(tool->st.st_mode, S_IFREG | 0600);  // BuildKit's mode for a download
  EXPECT_EQ(tool->st.st_mtime, 981173106);      // Last-Modified, under SOURCE_DATE_EPOCH
  auto archive = v.lookup("opt/app.tar");       // a downloaded archive is never unpacked
  ASSERT_TRUE(archive);
  EXPECT_TRUE(S_ISREG(archive->st.st_mode));
  EXPECT_FALSE(v.lookup("opt/files").has_value());
  auto renamed = v.lookup("bin/renamed");
  ASSERT_TRUE(renamed);
  EXPECT_EQ(renamed->st.st_mode, S_IFREG | 0755);
  auto owned = v.lookup("srv/x/tool.sh");
  ASSERT_TRUE(owned);
  EXPECT_EQ(owned->st.st_uid, 1000u);
  EXPECT_TRUE(v.lookup("srv/x/app.tar").has_value());
  // Redirects are followed; the name is the URL's as written, as BuildKit names it.
  EXPECT_EQ(read_view(v, "opt/moved"), "index\n");
}

TEST_F(AddUrlTest, ChecksumMatchBuildsAndMismatchFailsTaggingNothing) {
  serve("data.bin", "payload\n");
  const std::string good = util::sha256_hex("payload\n");
  const std::string bad = util::sha256_hex("other\n");
  write("Dockerfile", "FROM busybox\nADD --checksum=sha256:" + good + " " + url("data.bin") + " /data.bin\n");
  std::string id = built_id(build("-t bld-sum:1"));
  EXPECT_EQ(read_view(view("bld-sum:1"), "data.bin"), "payload\n");
  // Keyed by the checksum, the cached step needs no download: the server is not asked again.
  stop_httpd();
  Outcome cached = build("-t bld-sum:1");
  EXPECT_EQ(built_id(cached), id);
  EXPECT_NE(cached.err.find("1 cached, 0 run"), std::string::npos) << cached.err;

  start_server();  // again, on a new port
  write("Dockerfile", "FROM busybox\nADD --checksum=sha256:" + bad + " " + url("data.bin") + " /data.bin\n");
  Outcome r = build("-t bld-sum:2");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.substr(r.err.find("stack: ")), "stack: Dockerfile:2:1: ADD: " + url("data.bin") +
                                                    ": checksum mismatch: expected sha256:" + bad + ", got sha256:" +
                                                    good + "\n");
  EXPECT_FALSE(find("bld-sum:2").has_value());
}

TEST_F(AddUrlTest, HttpErrorsAreOneLineNamingTheUrl) {
  write("Dockerfile", "FROM busybox\nRUN echo ran\nADD " + url("missing.txt") + " /m\n");
  Outcome r = build("-t bld-404:1");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.substr(r.err.find("stack: ")), "stack: Dockerfile:3:1: ADD: GET " + url("missing.txt") + ": HTTP 404\n");
  EXPECT_FALSE(find("bld-404:1").has_value());

  const std::string refused = "http://127.0.0.1:" + std::to_string(port_) + "/x";
  stop_httpd();  // nothing listens there now
  write("Dockerfile", "FROM busybox\nADD " + refused + " /x\n");
  Outcome down = build("-t bld-404:1");
  EXPECT_EQ(down.code, 1);
  std::string line = down.err.substr(down.err.find("stack: "));
  EXPECT_TRUE(line.starts_with("stack: Dockerfile:2:1: ADD: GET " + refused + ": ")) << line;
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;

  start_server();
  for (const auto& [dockerfile, error] : std::vector<std::pair<std::string, std::string>>{
           {"ADD --checksum=sha256:abc " + url("x") + " /x\n", "ADD: --checksum='sha256:abc': expected sha256:<64 hex digits>"},
           {"ADD --checksum=sha256:" + std::string(64, 'a') + " a.txt /x\n",
            "ADD --checksum needs exactly one source, an http:// or https:// URL or a git repository"},
           {"COPY " + url("x") + " /x\n", "COPY: a URL ('" + url("x") + "') is not a source for COPY: use ADD"},
       }) {
    write("a.txt", "a");
    write("Dockerfile", "FROM busybox\nRUN echo ran\n" + dockerfile);
    Outcome bad = build("-t bld-404:1");
    EXPECT_EQ(bad.code, 1);
    EXPECT_EQ(bad.err, "stack: Dockerfile:3:1: " + error + "\n");
  }
}

// The limits of a download (4 GiB and an hour for ADD) stop it with an error that says so.
TEST_F(AddUrlTest, DownloadStopsAtItsSizeLimit) {
  serve("big.bin", std::string(64 << 10, 'x'));
  auto r = download_url(url("big.bin"), root_ / "big.bin", UrlLimits{1000, 60});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "GET " + url("big.bin") + ": larger than " + util::human_bytes(1000, true) +
                                     ", the limit of a download");
  auto ok = download_url(url("big.bin"), root_ / "ok.bin", UrlLimits{64 << 10, 60});
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->sha256, util::sha256_hex(std::string(64 << 10, 'x')));
  struct stat st {};
  ASSERT_EQ(::stat(ok->path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode, S_IFREG | 0600);
  EXPECT_EQ(st.st_size, 64 << 10);
}

TEST_F(AddUrlTest, UnchangedFileIsCachedAndAChangedOneRerunsTheStep) {
  serve("v.txt", "one\n");
  write("Dockerfile", "FROM busybox\nADD " + url("v.txt") + " /v.txt\nRUN cat /v.txt > /copy\n");
  std::string first = built_id(build("-t bld-urlcache:1"));
  Outcome again = build("-t bld-urlcache:1");
  EXPECT_EQ(built_id(again), first);
  EXPECT_NE(again.err.find("2 cached, 0 run"), std::string::npos) << again.err;
  // Another size: httpd's ETag (the file's mtime in seconds and its size) changes even within
  // the second (below, the same ETag is "not modified").
  serve("v.txt", "three\n");
  Outcome changed = build("-t bld-urlcache:1");
  EXPECT_NE(built_id(changed), first);
  EXPECT_NE(changed.err.find("0 cached, 2 run"), std::string::npos) << changed.err;
  EXPECT_EQ(read_view(view("bld-urlcache:1"), "copy"), "three\n");
}

// A URL fetched before is asked for again with its ETag and Last-Modified, as BuildKit does, and
// a 304 keeps the file downloaded then: no download, and once the kept file has settled, no layer
// made either. httpd's ETag is the file's mtime and size, so bytes rewritten with the same size
// and time are "not modified" to it: the build keeps the old bytes, which proves the conditional
// request. A change the server shows is downloaded.
TEST_F(AddUrlTest, AUrlFetchedBeforeIsRevalidatedAndNotDownloadedWhileUnchanged) {
  auto serve_at_fixed_time = [&](const std::string& text) {
    serve("data.txt", text);
    ASSERT_EQ(std::system(("touch -d '2001-02-03 04:05:06 UTC' " + served_ + "/data.txt").c_str()), 0);
  };
  serve_at_fixed_time("version-1\n");
  write("Dockerfile", "FROM busybox\nADD " + url("data.txt") + " /data.txt\n");
  Outcome first = build("-t bld-url:etag");
  std::string id = built_id(first);
  EXPECT_NE(first.err.find("0 cached, 1 run"), std::string::npos) << first.err;
  const std::string kept = UrlCache(root_ / "build-cache/urls").data_path(url("data.txt"));
  auto text = util::read_file(kept);
  EXPECT_EQ(text.value_or(""), "version-1\n");
  struct stat before {};
  ASSERT_EQ(::stat(kept.c_str(), &before), 0);

  ::sleep(3);  // the kept file settles: the layer's digest is remembered by the next build
  EXPECT_EQ(built_id(build("-t bld-url:etag")), id);
  serve_at_fixed_time("version-2\n");  // same size, same time: the same ETag
  Outcome revalidated = build("-t bld-url:etag");
  EXPECT_EQ(built_id(revalidated), id);
  EXPECT_NE(revalidated.err.find("1 cached, 0 run"), std::string::npos) << revalidated.err;
  struct stat after {};
  ASSERT_EQ(::stat(kept.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // the file kept, not downloaded again
  EXPECT_EQ(read_view(view("bld-url:etag"), "data.txt"), "version-1\n");
  Outcome fresh = build("--no-cache -t bld-url:etag2");  // downloaded in full: the new bytes
  EXPECT_EQ(read_view(view("bld-url:etag2"), "data.txt"), "version-2\n");

  serve("data.txt", "version-three\n");
  Outcome changed = build("-t bld-url:etag");
  EXPECT_NE(built_id(changed), id);
  EXPECT_NE(changed.err.find("0 cached, 1 run"), std::string::npos) << changed.err;
  EXPECT_EQ(read_view(view("bld-url:etag"), "data.txt"), "version-three\n");
  // A record that is not what stack writes is not trusted: the URL is downloaded in full (the
  // server's ETag is the same as before, so a conditional request would have kept the old bytes).
  ASSERT_TRUE(test::write_text(kept + ".json", R"({"url": 5, "etag": [], "identity": "x"})"));
  ASSERT_EQ(std::system(("cp -p " + served_ + "/data.txt " + served_ + "/time-ref").c_str()), 0);
  serve("data.txt", "version-THREE\n");
  ASSERT_EQ(std::system(("touch -r " + served_ + "/time-ref " + served_ + "/data.txt").c_str()), 0);
  Outcome distrusted = build("-t bld-url:etag");
  EXPECT_EQ(distrusted.code, 0) << distrusted.err;
  EXPECT_EQ(read_view(view("bld-url:etag"), "data.txt"), "version-THREE\n");
}

TEST_F(AddUrlTest, HeredocSources) {
  write("Dockerfile",
        "FROM busybox\n"
        "ARG NAME=world\n"
        "COPY <<EOF /etc/greeting\n"
        "hello $NAME \"quoted\" \\$NAME\n"
        "EOF\n"
        "COPY <<-'A' <<B /conf/\n"
        "\traw $NAME\n"
        "\tA\n"
        "b ${NAME}\n"
        "B\n"
        "COPY --chmod=0755 <<EOF /run.sh\n"
        "#!/bin/sh\n"
        "EOF\n"
        "ADD <<EOF /added\n"
        "EOF\n"
        "RUN cat /etc/greeting /conf/A /conf/B > /all\n");
  std::string id = built_id(build("-t bld-heredoc:1"));
  RootfsView v = view("bld-heredoc:1");
  EXPECT_EQ(read_view(v, "all"), "hello world \"quoted\" $NAME\nraw $NAME\nb world\n");
  for (const char* file : {"etc/greeting", "conf/A", "conf/B", "added"}) {
    auto e = v.lookup(file);
    ASSERT_TRUE(e) << file;
    EXPECT_EQ(e->st.st_mode, S_IFREG | 0644) << file;
  }
  EXPECT_EQ(read_view(v, "added"), "");
  auto script = v.lookup("run.sh");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->st.st_mode, S_IFREG | 0755);
  Outcome again = build("-t bld-heredoc:1");
  EXPECT_EQ(built_id(again), id);
  EXPECT_NE(again.err.find("5 cached, 0 run"), std::string::npos) << again.err;
  Outcome other = build("--build-arg NAME=you -t bld-heredoc:1");
  EXPECT_NE(built_id(other), id);
  EXPECT_EQ(read_view(view("bld-heredoc:1"), "all"), "hello you \"quoted\" $NAME\nraw $NAME\nb you\n");
}

// An http(s) URL as the build context, as `docker build URL`: a tarball is the context (its
// .dockerignore applies, a relative -f is inside it); any other file is the Dockerfile.
TEST_F(AddUrlTest, AnHttpUrlIsTheBuildContext) {
  const std::string src = root_ / "tarsrc";
  fs::create_directories(src);
  ASSERT_TRUE(test::write_text(src + "/Dockerfile", "FROM busybox\nCOPY . /ctx\n"));
  ASSERT_TRUE(test::write_text(src + "/other.Dockerfile", "FROM busybox\nCOPY page.txt /other.txt\n"));
  ASSERT_TRUE(test::write_text(src + "/page.txt", "page\n"));
  ASSERT_TRUE(test::write_text(src + "/skip.txt", "secret\n"));
  ASSERT_TRUE(test::write_text(src + "/.dockerignore", "skip.txt\n"));
  ASSERT_EQ(std::system(("tar -czf " + served_ + "/ctx.tar.gz -C " + src + " .").c_str()), 0);
  Outcome built = stack("image build --progress plain -t bld-urlctx:1 " + url("ctx.tar.gz"));
  ASSERT_EQ(built.code, 0) << built.err;
  RootfsView v = view("bld-urlctx:1");
  EXPECT_EQ(read_view(v, "ctx/page.txt"), "page\n");
  EXPECT_FALSE(v.lookup("ctx/skip.txt").has_value()) << "the archive's .dockerignore applies";
  Outcome other = stack("image build --progress plain -t bld-urlctx:2 -f other.Dockerfile " + url("ctx.tar.gz"));
  ASSERT_EQ(other.code, 0) << other.err;
  EXPECT_EQ(read_view(view("bld-urlctx:2"), "other.txt"), "page\n");

  // A file that is no archive is the Dockerfile, with an empty context.
  serve("Dockerfile.remote", "FROM busybox\nCOPY <<EOF /hello\nhi\nEOF\n");
  Outcome text = stack("image build --progress plain -t bld-urlctx:3 " + url("Dockerfile.remote"));
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_EQ(read_view(view("bld-urlctx:3"), "hello"), "hi\n");
  Outcome with_f = stack("image build -t bld-urlctx:4 -f x " + url("Dockerfile.remote"));
  EXPECT_EQ(with_f.code, 1);
  EXPECT_EQ(with_f.err, "stack: build context '" + url("Dockerfile.remote") +
                            "' is a Dockerfile, not an archive: -f (dockerfile) does not apply to it\n");

  // Compose: build.context with the URL, the dockerfile inside the archive.
  write("compose.yaml", "services:\n  web:\n    image: bld-urlctx:5\n    build:\n      context: " +
                            url("ctx.tar.gz") + "\n      dockerfile: other.Dockerfile\n");
  Outcome composed = stack("-p urlctx -f " + context() + "/compose.yaml build web");
  ASSERT_EQ(composed.code, 0) << composed.err;
  EXPECT_EQ(read_view(view("bld-urlctx:5"), "other.txt"), "page\n");

  // A tarball as a named context; a file that is no archive is no directory.
  write("Dockerfile", "FROM busybox\nCOPY --from=extra page.txt /named.txt\n");
  Outcome named = build_env("-t bld-urlctx:7 --build-context extra=" + url("ctx.tar.gz"), "");
  ASSERT_EQ(named.code, 0) << named.err;
  EXPECT_EQ(read_view(view("bld-urlctx:7"), "named.txt"), "page\n");
  Outcome lone = build_env("-t bld-urlctx:8 --build-context extra=" + url("Dockerfile.remote"), "");
  EXPECT_EQ(lone.code, 1);
  EXPECT_EQ(lone.err, "stack: build context 'extra' ('" + url("Dockerfile.remote") + "'): not a tar archive\n");

  Outcome missing = stack("image build -t bld-urlctx:6 " + url("nope.tar.gz"));
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "stack: build context '" + url("nope.tar.gz") + "': GET " + url("nope.tar.gz") + ": HTTP 404\n");
  for (const char* tag : {"bld-urlctx:4", "bld-urlctx:6", "bld-urlctx:8"}) EXPECT_FALSE(find(tag).has_value()) << tag;
}

}  // namespace
}  // namespace stack::build
