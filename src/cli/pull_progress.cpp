#include "cli/pull_progress.hpp"

#include <chrono>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace stack::cli {

namespace {

using Clock = std::chrono::steady_clock;

std::string mb(uint64_t bytes) {
  std::ostringstream s;
  s.precision(1);
  s << std::fixed << static_cast<double>(bytes) / 1e6 << "MB";
  return s.str();
}

std::string bar(uint64_t current, uint64_t total) {
  constexpr int kWidth = 30;
  int filled = total == 0 ? kWidth : static_cast<int>(static_cast<double>(current) / static_cast<double>(total) * kWidth);
  filled = std::min(filled, kWidth);
  std::string b = "[" + std::string(static_cast<size_t>(filled), '=');
  if (filled < kWidth) b += ">" + std::string(static_cast<size_t>(kWidth - filled - 1), ' ');
  return b + "] " + mb(current) + "/" + mb(total);
}

class View {
 public:
  View(std::ostream& out, bool tty) : out_(out), tty_(tty) {}

  void on(const image::PullEvent& e) {
    using Kind = image::PullEvent::Kind;
    if (e.kind == Kind::resolving) {
      out_ << "Pulling " << e.ref << "\n";
      return;
    }
    if (e.is_config && e.kind != Kind::failed) return;
    std::string id = e.blob.hex().substr(0, 12);
    std::string text;
    switch (e.kind) {
      case Kind::waiting: text = "Waiting"; break;
      case Kind::downloading: text = "Downloading " + bar(e.current, e.total); break;
      case Kind::exists: text = "Already exists"; break;
      case Kind::done: text = "Pull complete (" + mb(e.total) + ")"; break;
      case Kind::failed: text = "Failed"; break;
      case Kind::resolving: break;
    }
    if (!tty_) {
      if (e.kind == Kind::exists || e.kind == Kind::done || e.kind == Kind::failed) out_ << id << ": " << text << "\n";
      return;
    }
    set_row(id, text);
    auto now = Clock::now();
    if (e.kind == Kind::downloading && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    redraw();
  }

 private:
  void set_row(const std::string& id, const std::string& text) {
    for (auto& row : rows_) {
      if (row.first == id) {
        row.second = text;
        return;
      }
    }
    rows_.emplace_back(id, text);
  }

  void redraw() {
    if (drawn_ > 0) out_ << "\x1b[" << drawn_ << "A";
    for (const auto& [id, text] : rows_) out_ << "\r\x1b[2K" << id << ": " << text << "\n";
    drawn_ = rows_.size();
    out_.flush();
  }

  std::ostream& out_;
  bool tty_;
  std::vector<std::pair<std::string, std::string>> rows_;
  size_t drawn_ = 0;
  Clock::time_point last_draw_{};
};

}  // namespace

image::PullProgress make_pull_progress(std::ostream& out, bool tty) {
  auto view = std::make_shared<View>(out, tty);
  return [view](const image::PullEvent& e) { view->on(e); };
}

util::Result<image::Image> pull_with_progress(image::Store& store, std::string_view ref,
                                              const image::PullOptions& base, std::ostream& out, bool tty) {
  image::PullOptions options = base;
  options.progress = make_pull_progress(out, tty);
  STACK_ASSIGN_OR_RETURN(image::PullResult result, image::pull_image(store, ref, options));
  const auto& s = result.stats;
  out << "Digest: " << result.image.digest.str() << "\n"
      << "Downloaded " << s.blobs_downloaded << " blobs (" << s.bytes_downloaded << " bytes), reused "
      << s.blobs_reused << ", " << s.requests << " requests\n";
  return std::move(result.image);
}

}  // namespace stack::cli
