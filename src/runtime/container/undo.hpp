// Undo: actions that reverse what was made so far, run in reverse order unless the whole
// operation succeeded (cancel()). A scope guard with rollback, as in abseil's Cleanup.
#pragma once

#include <functional>
#include <utility>
#include <vector>

namespace stack::runtime {

class Undo {
 public:
  Undo() = default;
  Undo(const Undo&) = delete;
  Undo& operator=(const Undo&) = delete;
  ~Undo() { run(); }

  void add(std::function<void()> action) { actions_.push_back(std::move(action)); }
  void cancel() { actions_.clear(); }
  void run() {
    for (auto it = actions_.rbegin(); it != actions_.rend(); ++it) (*it)();
    actions_.clear();
  }

 private:
  std::vector<std::function<void()>> actions_;
};

}  // namespace stack::runtime
