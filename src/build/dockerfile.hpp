// The Dockerfile as parsed: directives, the ARGs before the first FROM, and the stages with their
// instructions. Parsing is syntax only (no ARG or ENV is expanded: that needs the build's values);
// the builder expands each instruction when it gets to it.
//
//   auto df = parse_dockerfile(text, "Dockerfile");   // errors read "Dockerfile:3:1: ..."
//
// Handled: `# syntax=` / `# escape=` / `# check=` directives, comments, line continuations (with
// the escape character), heredocs (`<<EOF`, `<<-EOF`, quoted markers), flags (`--from=x`), JSON
// exec form, and every instruction of the Dockerfile reference.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace stack::build {

using util::Result;

enum class Kind {
  from, run, cmd, entrypoint, env, arg, copy, add, workdir, user, expose, volume, label,
  healthcheck, shell, stopsignal, onbuild, maintainer,
};

// "RUN" for Kind::run.
const char* kind_name(Kind kind);

struct Heredoc {
  std::string marker;   // "EOF"
  std::string body;     // the lines between, each ending in "\n"
  bool expand = true;   // false when the marker was quoted
};

struct Instruction {
  Kind kind = Kind::run;
  int line = 0;     // 1-based, of the keyword
  int column = 0;   // 1-based, of the keyword
  std::string original;                      // the logical line as written (continuations joined)
  std::map<std::string, std::string> flags;  // "--from=x" -> {"from": "x"}; a bare "--link" -> "true"
  std::vector<std::string> mounts;           // RUN --mount values, in order (repeatable)
  std::vector<std::string> excludes;         // COPY/ADD --exclude patterns, in order (repeatable)
  std::string args;                          // after keyword and flags, trimmed
  bool exec_form = false;                    // args was a JSON array of strings
  std::vector<std::string> exec;             // the array, when exec_form
  std::vector<Heredoc> heredocs;
  std::optional<std::string> onbuild;        // ONBUILD: the trigger instruction's text
  bool triggered = false;                    // a base image's ONBUILD trigger, run after FROM
};

struct Stage {
  int index = 0;
  std::string name;  // lower-case AS name, "" when unnamed
  std::string base;  // FROM image text, unexpanded
  std::string platform;
  Instruction from;
  std::vector<Instruction> body;  // after FROM
};

struct Dockerfile {
  std::string path;  // for messages: "Dockerfile"
  char escape = '\\';
  std::string syntax;
  std::vector<Instruction> meta_args;  // ARG instructions before the first FROM
  std::vector<Stage> stages;
};

// Syntax errors carry "<path>:<line>:<col>: ..." and Errc::parse.
Result<Dockerfile> parse_dockerfile(const std::string& text, const std::string& path);

// "Dockerfile:12:1" for an instruction.
std::string where(const Dockerfile& df, const Instruction& ins);

}  // namespace stack::build
