#include "daemon/work_queue.hpp"

#include <algorithm>
#include <cmath>

namespace stack::daemon {

WorkQueue::WorkQueue(BackoffPolicy policy, std::uint32_t seed) : policy_(policy), random_(seed) {}

void WorkQueue::add(const std::string& key, Clock::time_point now, Clock::duration delay) {
  const Clock::time_point at = now + delay;
  auto& slots = processing_.count(key) ? dirty_ : waiting_;
  auto it = slots.find(key);
  if (it == slots.end()) slots.emplace(key, at);
  else it->second = std::min(it->second, at);
}

std::optional<std::string> WorkQueue::take(Clock::time_point now) {
  auto first = std::min_element(waiting_.begin(), waiting_.end(),
                                [](const auto& a, const auto& b) { return a.second < b.second; });
  if (first == waiting_.end() || first->second > now) return std::nullopt;
  std::string key = first->first;
  waiting_.erase(first);
  processing_.insert(key);
  return key;
}

Clock::duration WorkQueue::backoff(int failures) {
  const double base = static_cast<double>(policy_.base.count());
  const double cap = static_cast<double>(policy_.cap.count());
  double ms = std::min(cap, base * std::pow(2.0, std::max(0, failures - 1)));
  std::uniform_real_distribution<double> spread(1.0 - policy_.jitter, 1.0 + policy_.jitter);
  ms *= spread(random_);
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

std::optional<Clock::time_point> WorkQueue::done(const std::string& key, bool success, Clock::time_point now) {
  processing_.erase(key);
  std::optional<Clock::time_point> retry;
  if (success) {
    failures_.erase(key);
  } else {
    int n = ++failures_[key];
    retry = now + backoff(n);
  }
  auto dirty = dirty_.find(key);
  if (dirty != dirty_.end()) {
    // An event during the pass: the world changed, so the next pass is due then, not after the
    // backoff (a failed pass retried sooner is harmless: it is level-triggered).
    Clock::time_point at = retry ? std::min(*retry, dirty->second) : dirty->second;
    dirty_.erase(dirty);
    waiting_[key] = at;
    return at;
  }
  if (retry) waiting_[key] = *retry;
  return retry;
}

std::optional<Clock::time_point> WorkQueue::next_ready() const {
  std::optional<Clock::time_point> out;
  for (const auto& [key, at] : waiting_) {
    if (!out || at < *out) out = at;
  }
  return out;
}

int WorkQueue::failures(const std::string& key) const {
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

std::optional<Clock::time_point> WorkQueue::waiting_until(const std::string& key) const {
  auto it = waiting_.find(key);
  if (it == waiting_.end()) return std::nullopt;
  return it->second;
}

}  // namespace stack::daemon
