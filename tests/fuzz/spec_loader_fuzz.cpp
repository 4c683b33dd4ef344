// libFuzzer target for the stack file front end: bytes -> read_yaml -> interpolate_tree -> merge
// with itself, plus the .env parser and the one-string interpolator on the same bytes. When the
// build finds spec::load (run.sh defines STACK_FUZZ_HAVE_LOAD), the whole pipeline runs too:
// normalise and validate included. Built and run by tests/fuzz/run.sh.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "spec/dotenv.hpp"
#include "spec/interpolate.hpp"
#include "spec/load.hpp"
#include "spec/merge.hpp"
#include "spec/reader.hpp"

namespace {

using namespace stack::spec;  // NOLINT: a test driver, not a header

// A few variables so that ${...} takes both the set and the unset branches.
const Environment& fuzz_environment() {
  static const Environment env{{"TAG", "1.25"}, {"EMPTY", ""}, {"PORT", "8080"},
                               {"HOST", "db"}, {"COMPOSE_PROJECT_NAME", "fuzz"}};
  return env;
}

// Every diagnostic must format: it walks the marks and paths that the passes built.
void format_all(const Diagnostics& diags) {
  std::string text = diags.format();
  if (!diags.empty() && text.empty()) std::abort();
}

void fuzz_tree(std::string_view text) {
  Diagnostics diags;
  std::optional<Node> root = read_yaml(text, "fuzz.yaml", diags);
  format_all(diags);
  if (!root) return;
  interpolate_tree(*root, fuzz_environment(), diags);
  Node merged = merge_stack_files(*root, *root);
  // Merging is idempotent: doing it again must give a tree of the same shape.
  Node again = merge_stack_files(merged, *root);
  if (again.kind != merged.kind || again.entries.size() != merged.entries.size()) std::abort();
  format_all(diags);
}

void fuzz_text(std::string_view text) {
  Diagnostics diags;
  Environment env = parse_dotenv(text, "fuzz.env", fuzz_environment(), diags);
  format_all(diags);
  std::string error;
  (void)interpolate_string(text, fuzz_environment(), &error);
}

#ifdef STACK_FUZZ_HAVE_LOAD
void remove_fuzz_dir() {
  std::string dir = "/tmp/stack-fuzz-" + std::to_string(::getpid());
  ::unlink((dir + "/stack.yaml").c_str());
  ::rmdir(dir.c_str());
}

// spec::load reads files, so the input goes to a file in a private directory first. One write
// per run costs tens of microseconds, small beside the parse.
const std::string& fuzz_file() {
  static const std::string path = [] {
    std::string dir = "/tmp/stack-fuzz-" + std::to_string(::getpid());
    ::mkdir(dir.c_str(), 0700);
    std::atexit(remove_fuzz_dir);  // libFuzzer ends with exit(): leave nothing behind in /tmp
    return dir + "/stack.yaml";
  }();
  return path;
}

void fuzz_load(std::string_view text) {
  const std::string& path = fuzz_file();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written) return;
  LoadOptions options;
  options.files = {path};
  options.environment = fuzz_environment();
  LoadOutcome outcome = load(options);
  format_all(outcome.diagnostics);
}
#endif

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz_tree(text);
  fuzz_text(text);
#ifdef STACK_FUZZ_HAVE_LOAD
  fuzz_load(text);
#endif
  return 0;
}
