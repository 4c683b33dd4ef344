// A keyed work queue, as client-go's workqueue: events only add a key (a project); the worker
// re-reads everything for that key. A key waits at most once (adds coalesce), is never handed out
// twice at once (an add while it is processed makes it ready again when done), and a failed pass
// comes back after an exponential backoff with jitter. Time is a parameter, never read here, so
// the tests drive it with a fake clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>

namespace stack::daemon {

using Clock = std::chrono::steady_clock;

struct BackoffPolicy {
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{5 * 60 * 1000};
  double jitter = 0.2;  // the delay varies by up to ±20%, so failing keys do not move in step
};

class WorkQueue {
 public:
  explicit WorkQueue(BackoffPolicy policy = {}, std::uint32_t seed = std::random_device{}());

  // Ready at now + delay, or sooner if it already waits for an earlier time.
  void add(const std::string& key, Clock::time_point now, Clock::duration delay = {});
  // The key whose time came first, marked processing; nullopt if none is ready at now.
  std::optional<std::string> take(Clock::time_point now);
  // The end of a pass of key: success forgets its failures; failure requeues it after its
  // backoff (unless an add during the pass made it ready sooner) and returns that time.
  std::optional<Clock::time_point> done(const std::string& key, bool success, Clock::time_point now);
  // When the next waiting key becomes ready; nullopt when none waits.
  std::optional<Clock::time_point> next_ready() const;
  // The failures in a row of key (0 after a success).
  int failures(const std::string& key) const;
  // Whether key waits (and until when).
  std::optional<Clock::time_point> waiting_until(const std::string& key) const;
  bool processing(const std::string& key) const { return processing_.count(key) > 0; }
  bool idle() const { return waiting_.empty() && processing_.empty(); }

  Clock::duration backoff(int failures);

 private:
  BackoffPolicy policy_;
  std::mt19937 random_;
  std::map<std::string, Clock::time_point> waiting_;
  std::set<std::string> processing_;
  std::map<std::string, Clock::time_point> dirty_;  // added while processing: ready at this time
  std::map<std::string, int> failures_;
};

}  // namespace stack::daemon
