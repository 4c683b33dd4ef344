#include "daemon/workers.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <exception>

namespace stack::daemon {

Workers::Workers(int count, Reconciler& reconciler)
    : reconciler_(reconciler), wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  for (int i = 0; i < count; ++i) threads_.emplace_back([this] { work(); });
}

Workers::~Workers() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    jobs_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void Workers::submit(Job job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  ++in_flight_;
  cv_.notify_one();
}

std::vector<JobResult> Workers::finished() {
  std::uint64_t count = 0;
  while (::read(wake_.get(), &count, sizeof count) > 0) {
  }
  std::vector<JobResult> out;
  {
    std::lock_guard lock(mu_);
    out.swap(results_);
  }
  in_flight_ -= out.size();
  return out;
}

void Workers::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    JobResult result = run(job);
    {
      std::lock_guard lock(mu_);
      results_.push_back(std::move(result));
    }
    const std::uint64_t one = 1;
    (void)!::write(wake_.get(), &one, sizeof one);
  }
}

JobResult Workers::run(const Job& job) {
  JobResult r;
  r.job = job;
  try {
    if (job.source) {
      auto outcome = reconciler_.apply(*job.source, job.mode);
      r.ok = outcome.has_value();
      if (r.ok) r.outcome = std::move(*outcome);
      else r.error_code = outcome.error().code(), r.error = outcome.error().message();
    } else {
      auto removed = reconciler_.remove(job.project);
      r.ok = removed.has_value();
      r.outcome.project = job.project;
      if (!r.ok) r.error_code = removed.error().code(), r.error = removed.error().message();
    }
  } catch (const std::exception& e) {
    r.ok = false;
    r.error = std::string("internal error: ") + e.what();
  }
  return r;
}

}  // namespace stack::daemon
