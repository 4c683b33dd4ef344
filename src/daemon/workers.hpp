// The daemon's bounded pool of pass runners: the main loop submits one job per free worker and
// learns of finished ones through an eventfd that it polls with its other sources.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/reconciler.hpp"
#include "util/fd.hpp"

namespace stack::daemon {

struct Job {
  std::string key;
  std::optional<StackSource> source;  // set: apply it; unset: bring `project` down
  std::string project;
  PassMode mode = PassMode::resync;
};

struct JobResult {
  Job job;
  bool ok = false;
  PassOutcome outcome;
  util::Errc error_code = util::Errc::internal;
  std::string error;  // one line (or the loader's lines), when !ok
};

class Workers {
 public:
  Workers(int count, Reconciler& reconciler);
  ~Workers();  // lets running passes finish; queued jobs are dropped
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  int wake_fd() const { return wake_.get(); }
  bool has_free_worker() const { return in_flight_ < threads_.size(); }
  std::size_t in_flight() const { return in_flight_; }
  void submit(Job job);
  // The jobs finished since the last call (clears the eventfd).
  std::vector<JobResult> finished();

 private:
  void work();
  JobResult run(const Job& job);

  Reconciler& reconciler_;
  util::UniqueFd wake_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  std::vector<JobResult> results_;
  bool stop_ = false;
  std::size_t in_flight_ = 0;  // main thread only
  std::vector<std::thread> threads_;
};

}  // namespace stack::daemon
