// The error report a container process sends its parent over the close-on-exec error pipe when a
// setup step or the exec fails: {step, errno, detail}. End of file without a report means exec
// succeeded (the pipe closed by O_CLOEXEC). The encoding is small and length-prefixed so that a
// report fits in one atomic pipe write.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::runtime {

using util::Result;

struct StepError {
  std::string step;    // name from the steps table ("rootfs", "exec"), or the error's subject within it
  int error_number = 0;  // errno, 0 for a refusal that is not a failed system call
  util::Errc code = util::Errc::io;
  std::string detail;  // the whole message, e.g. `exec "/nope": No such file or directory`

  static StepError from(std::string_view step, const util::Error& error);
  util::Error to_error() const;
  bool operator==(const StepError&) const = default;
};

inline constexpr std::size_t kMaxReportSize = 4000;  // below PIPE_BUF: one atomic write

std::string encode_report(const StepError& report);
// nullopt for empty input (no report); an error for a malformed one.
Result<std::optional<StepError>> decode_report(std::string_view bytes);

// Adds context to a result by value. STACK_TRY(f().context("x")) would bind a reference to the
// temporary that context() returns (it dangles), so code here writes STACK_TRY(in_context(f(), "x")).
template <class T>
Result<T> in_context(Result<T> result, std::string_view what) {
  result.context(what);
  return result;
}

// Child side: best effort, the process exits right after.
void write_report(int fd, const StepError& report);
// Parent side: reads the pipe to end of file and decodes.
Result<std::optional<StepError>> read_report(int fd);

}  // namespace stack::runtime
