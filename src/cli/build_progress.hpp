// What `stack image build`, `stack build` and `stack up` share about builds: the progress as
// `docker build` prints it (step N/M, CACHED, the time of each step, RUN output streamed; with tty
// progress RUN output is held back and only its tail shown when the step fails), the summary of
// a built image, and the KEY=VALUE options (--build-arg, --label) and SOURCE_DATE_EPOCH.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>

#include "build/builder.hpp"
#include "util/result.hpp"

namespace stack::cli {

class BuildProgressPrinter {
 public:
  explicit BuildProgressPrinter(bool tty) : tty_(tty) {}

  void operator()(const build::BuildEvent& e);
  // With tty progress, the output of the step that failed.
  void print_tail();

 private:
  void end_line();
  void keep_tail(std::string_view data);

  bool tty_;
  bool open_line_ = false;
  std::string partial_;
  std::deque<std::string> tail_;
};

// "plain", "tty", or "auto": tty when standard error is a terminal.
bool progress_is_tty(const std::string& mode);

// "naming to app:1" per tag and "built sha256:6f1a2b3c4d5e: 6 steps, 1 cached, 2 run", to stderr.
void print_built(const build::BuildResult& built);

// KEY=VALUE into out; `KEY` alone takes the environment's value (or nothing) when from_env.
// False when the text is neither.
bool split_pair(const std::string& text, std::map<std::string, std::string>& out, bool from_env);

// SOURCE_DATE_EPOCH from the environment; 0 when unset.
util::Result<int64_t> source_date_epoch();

}  // namespace stack::cli
