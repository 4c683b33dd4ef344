#include "build/dockerfile.hpp"

#include <gtest/gtest.h>

namespace stack::build {
namespace {

Dockerfile parse_ok(const std::string& text) {
  auto df = parse_dockerfile(text, "Dockerfile");
  EXPECT_TRUE(df) << df.error().message();
  return df ? *df : Dockerfile{};
}

std::string parse_error(const std::string& text) {
  auto df = parse_dockerfile(text, "Dockerfile");
  EXPECT_FALSE(df);
  return df ? "" : df.error().message();
}

TEST(DockerfileParser, EveryInstruction) {
  Dockerfile df = parse_ok(
      "ARG BASE=busybox\n"
      "FROM --platform=linux/amd64 ${BASE} AS Build\n"
      "RUN echo hi\n"
      "CMD [\"sh\", \"-c\", \"true\"]\n"
      "ENTRYPOINT /bin/app\n"
      "ENV A=1 B=\"two words\"\n"
      "ARG X\n"
      "COPY --from=other --chown=1:2 --chmod=0644 a b /dst/\n"
      "ADD f.tar /\n"
      "WORKDIR /app\n"
      "USER app\n"
      "EXPOSE 80/tcp 53/udp\n"
      "VOLUME [\"/data\"]\n"
      "LABEL a=b\n"
      "HEALTHCHECK --interval=5s --retries=2 CMD true\n"
      "SHELL [\"/bin/sh\", \"-ec\"]\n"
      "STOPSIGNAL SIGINT\n"
      "ONBUILD RUN echo later\n"
      "MAINTAINER someone\n");
  ASSERT_EQ(df.meta_args.size(), 1u);
  ASSERT_EQ(df.stages.size(), 1u);
  const Stage& s = df.stages[0];
  EXPECT_EQ(s.name, "build");
  EXPECT_EQ(s.base, "${BASE}");
  EXPECT_EQ(s.platform, "linux/amd64");
  ASSERT_EQ(s.body.size(), 17u);
  const Kind want[] = {Kind::run, Kind::cmd, Kind::entrypoint, Kind::env, Kind::arg, Kind::copy,
                       Kind::add, Kind::workdir, Kind::user, Kind::expose, Kind::volume, Kind::label,
                       Kind::healthcheck, Kind::shell, Kind::stopsignal, Kind::onbuild, Kind::maintainer};
  for (size_t i = 0; i < s.body.size(); ++i) EXPECT_EQ(s.body[i].kind, want[i]) << i;
  EXPECT_TRUE(s.body[1].exec_form);
  EXPECT_EQ(s.body[1].exec, (std::vector<std::string>{"sh", "-c", "true"}));
  EXPECT_FALSE(s.body[2].exec_form);
  const Instruction& copy = s.body[5];
  EXPECT_EQ(copy.flags.at("from"), "other");
  EXPECT_EQ(copy.flags.at("chown"), "1:2");
  EXPECT_EQ(copy.flags.at("chmod"), "0644");
  EXPECT_EQ(copy.args, "a b /dst/");
  EXPECT_EQ(copy.line, 8);
  EXPECT_EQ(s.body[12].flags.at("interval"), "5s");
  EXPECT_EQ(*s.body[15].onbuild, "RUN echo later");
}

TEST(DockerfileParser, ContinuationsCommentsAndCase) {
  Dockerfile df = parse_ok(
      "from scratch\n"
      "run echo a \\\n"
      "  # a comment inside\n"
      "\n"
      "    && echo b\n"
      "   copy x /y\n");
  const Stage& s = df.stages[0];
  ASSERT_EQ(s.body.size(), 2u);
  EXPECT_EQ(s.body[0].args, "echo a     && echo b");
  EXPECT_EQ(s.body[0].line, 2);
  EXPECT_EQ(s.body[1].line, 6);
  EXPECT_EQ(s.body[1].column, 4);
}

TEST(DockerfileParser, EscapeDirectiveAndSyntax) {
  Dockerfile df = parse_ok(
      "# syntax=docker/dockerfile:1\n"
      "# escape=`\n"
      "FROM scratch\n"
      "RUN dir c:\\ `\n"
      "  && echo done\n");
  EXPECT_EQ(df.escape, '`');
  EXPECT_EQ(df.syntax, "docker/dockerfile:1");
  EXPECT_EQ(df.stages[0].body[0].args, "dir c:\\   && echo done");
}

TEST(DockerfileParser, DirectivesOnlyAtTheTop) {
  Dockerfile df = parse_ok("FROM scratch\n# escape=`\nRUN a \\\n b\n");
  EXPECT_EQ(df.escape, '\\');
  EXPECT_EQ(df.stages[0].body[0].args, "a  b");
}

TEST(DockerfileParser, Heredocs) {
  Dockerfile df = parse_ok(
      "FROM scratch\n"
      "RUN <<EOF\n"
      "echo one\n"
      "echo two\n"
      "EOF\n"
      "RUN <<-\"END\" cat > /x\n"
      "\tindented $HOME\n"
      "\tEND\n"
      "CMD [\"x\"]\n");
  const auto& body = df.stages[0].body;
  ASSERT_EQ(body.size(), 3u);
  ASSERT_EQ(body[0].heredocs.size(), 1u);
  EXPECT_EQ(body[0].heredocs[0].marker, "EOF");
  EXPECT_EQ(body[0].heredocs[0].body, "echo one\necho two\n");
  EXPECT_TRUE(body[0].heredocs[0].expand);
  ASSERT_EQ(body[1].heredocs.size(), 1u);
  EXPECT_EQ(body[1].heredocs[0].body, "indented $HOME\n");
  EXPECT_FALSE(body[1].heredocs[0].expand);
  EXPECT_EQ(body[2].kind, Kind::cmd);
}

TEST(DockerfileParser, HeredocsAsCopySources) {
  Dockerfile df = parse_ok(
      "FROM scratch\n"
      "COPY <<A <<-'B' /dir/\n"
      "a $X\n"
      "A\n"
      "\tb $X\n"
      "\tB\n"
      "ADD <<EOF /f\n"
      "EOF\n");
  const auto& body = df.stages[0].body;
  ASSERT_EQ(body.size(), 2u);
  ASSERT_EQ(body[0].heredocs.size(), 2u);
  EXPECT_EQ(body[0].args, "<<A <<-'B' /dir/");
  EXPECT_EQ(body[0].heredocs[0].marker, "A");
  EXPECT_EQ(body[0].heredocs[0].body, "a $X\n");
  EXPECT_TRUE(body[0].heredocs[0].expand);
  EXPECT_EQ(body[0].heredocs[1].marker, "B");
  EXPECT_EQ(body[0].heredocs[1].body, "b $X\n");
  EXPECT_FALSE(body[0].heredocs[1].expand);
  ASSERT_EQ(body[1].heredocs.size(), 1u);
  EXPECT_EQ(body[1].heredocs[0].body, "");
}

TEST(DockerfileParser, ExecFormFallsBackToShellForm) {
  Dockerfile df = parse_ok("FROM scratch\nRUN [not json]\nCMD [\"a\", 1]\n");
  EXPECT_FALSE(df.stages[0].body[0].exec_form);
  EXPECT_FALSE(df.stages[0].body[1].exec_form);
}

TEST(DockerfileParser, MultiStage) {
  Dockerfile df = parse_ok("FROM busybox AS a\nRUN x\nFROM a\nFROM scratch as C\nCOPY --from=a /x /y\n");
  ASSERT_EQ(df.stages.size(), 3u);
  EXPECT_EQ(df.stages[0].name, "a");
  EXPECT_EQ(df.stages[1].name, "");
  EXPECT_EQ(df.stages[2].name, "c");
  EXPECT_EQ(df.stages[2].index, 2);
}

TEST(DockerfileParser, RunMounts) {
  Dockerfile df = parse_ok("FROM scratch\nRUN --mount=type=cache,target=/c --mount=type=tmpfs,target=/t --network=none make\n");
  const Instruction& r = df.stages[0].body[0];
  EXPECT_EQ(r.mounts.size(), 2u);
  EXPECT_EQ(r.flags.at("network"), "none");
  EXPECT_EQ(r.args, "make");
}

TEST(DockerfileParser, CopyExcludesAreRepeatable) {
  Dockerfile df = parse_ok("FROM scratch\nCOPY --exclude=*.log --chown=1:1 --exclude=tmp/ . /app/\n");
  const Instruction& c = df.stages[0].body[0];
  EXPECT_EQ(c.excludes, (std::vector<std::string>{"*.log", "tmp/"}));
  EXPECT_EQ(c.flags.at("chown"), "1:1");
  EXPECT_EQ(c.args, ". /app/");
}

TEST(DockerfileParser, ErrorsCarryPositions) {
  EXPECT_EQ(parse_error("FROM scratch\n  FOO bar\n"), "Dockerfile:2:3: unknown instruction: FOO");
  EXPECT_EQ(parse_error("RUN x\n"), "Dockerfile:1:1: RUN before the first FROM (only ARG may come first)");
  EXPECT_EQ(parse_error("# just a comment\n"), "Dockerfile: no FROM instruction: nothing to build");
  EXPECT_EQ(parse_error("FROM scratch\nRUN\n"), "Dockerfile:2:1: RUN requires at least one argument");
  EXPECT_EQ(parse_error("FROM scratch\nCOPY --form=a x y\n"), "Dockerfile:2:6: unknown flag --form for COPY");
  EXPECT_EQ(parse_error("FROM scratch\nSHELL sh -c\n"), "Dockerfile:2:1: SHELL requires the arguments as a JSON array");
  EXPECT_EQ(parse_error("FROM a AS x\nFROM b AS X\n"), "Dockerfile:2:1: duplicate stage name 'x' (first at line 1)");
  EXPECT_EQ(parse_error("FROM a AS 1x\n"), "Dockerfile:1:1: invalid stage name '1x'");
  EXPECT_EQ(parse_error("FROM a b c d\n"), "Dockerfile:1:1: FROM takes IMAGE [AS NAME]");
  EXPECT_EQ(parse_error("FROM scratch\nRUN <<EOF\nnever closed\n"), "Dockerfile:2:1: heredoc 'EOF' is not terminated");
  EXPECT_EQ(parse_error("FROM scratch\nONBUILD FROM x\n"), "Dockerfile:2:1: FROM is not allowed as an ONBUILD trigger");
  EXPECT_EQ(parse_error("# escape=x\nFROM scratch\n"), "Dockerfile:1:1: invalid escape character 'x': use '\\' or '`'");
  EXPECT_EQ(parse_error("FROM scratch\nCOPY --from=a --from=b x y\n"), "Dockerfile:2:6: flag --from given twice");
}

TEST(DockerfileParser, CrlfLines) {
  Dockerfile df = parse_ok("FROM scratch\r\nRUN a \\\r\n  b\r\n");
  EXPECT_EQ(df.stages[0].body[0].args, "a   b");
}

}  // namespace
}  // namespace stack::build
