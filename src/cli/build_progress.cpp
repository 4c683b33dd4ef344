#include "cli/build_progress.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iomanip>
#include <iostream>

#include "cli/image_verbs.hpp"

namespace stack::cli {

namespace {
constexpr size_t kTailLines = 20;
}  // namespace

void BuildProgressPrinter::operator()(const build::BuildEvent& e) {
  using T = build::BuildEvent::Type;
  switch (e.type) {
    case T::step:
      end_line();
      tail_.clear();
      std::cerr << "Step " << e.step << "/" << e.total << " " << e.text << "\n";
      break;
    case T::cached:
      std::cerr << " ---> CACHED\n";
      break;
    case T::output:
      if (!tty_) {
        std::cerr << e.data;
        open_line_ = !e.data.empty() && e.data.back() != '\n';
      }
      keep_tail(e.data);
      break;
    case T::step_done:
      end_line();
      std::cerr << " ---> done in " << std::fixed << std::setprecision(2) << e.elapsed.count() << "s\n";
      break;
    case T::warning:
      end_line();
      std::cerr << "warning: " << e.text << "\n";
      break;
  }
}

void BuildProgressPrinter::print_tail() {
  if (!tty_ || tail_.empty()) return;
  for (const auto& l : tail_) std::cerr << "  | " << l << "\n";
}

void BuildProgressPrinter::end_line() {
  if (open_line_) std::cerr << "\n";
  open_line_ = false;
}

void BuildProgressPrinter::keep_tail(std::string_view data) {
  for (char c : data) {
    if (c != '\n') {
      partial_ += c;
      continue;
    }
    tail_.push_back(std::move(partial_));
    partial_.clear();
    if (tail_.size() > kTailLines) tail_.pop_front();
  }
}

bool progress_is_tty(const std::string& mode) {
  return mode == "tty" || (mode == "auto" && ::isatty(STDERR_FILENO) != 0);
}

void print_built(const build::BuildResult& built) {
  for (const auto& t : built.image.tags) std::cerr << "naming to " << familiar_name(t) << "\n";
  std::cerr << "built " << built.image.id.short_str() << ": " << built.steps << " steps, " << built.cached
            << " cached, " << built.executed << " run\n";
}

bool split_pair(const std::string& text, std::map<std::string, std::string>& out, bool from_env) {
  size_t eq = text.find('=');
  if (eq == 0 || text.empty()) return false;
  if (eq == std::string::npos) {
    if (!from_env) return false;
    if (const char* v = std::getenv(text.c_str())) out[text] = v;
    return true;
  }
  out[text.substr(0, eq)] = text.substr(eq + 1);
  return true;
}

util::Result<int64_t> source_date_epoch() {
  const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
  if (!epoch || !*epoch) return int64_t{0};
  char* end = nullptr;
  long long v = std::strtoll(epoch, &end, 10);
  if (*end != '\0' || v < 0) {
    return util::fail(util::Errc::invalid_argument,
                      std::string("SOURCE_DATE_EPOCH='") + epoch + "': expected seconds since 1970");
  }
  return static_cast<int64_t>(v);
}

}  // namespace stack::cli
