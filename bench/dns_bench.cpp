// DNS load client (bench/dns_bench.sh runs it as root): queries per second and latency of the DNS
// server of a network, against a baseline in the same run: a trivial UDP responder that this
// process binds to the same gateway address (another port) and that answers each query by echoing
// it with the response bit set, so the ratio is the server's cost over the kernel's UDP round
// trip on that bridge. Two loads, each run alternately against the server and the responder:
//   - throughput: WINDOW queries kept in flight for SECONDS; queries/s;
//   - latency: one query at a time for SECONDS; p50 and p99 of the round trip.
// Every query asks for NAME (type A), a name that the network's server answers itself; a reply
// that is not NOERROR with an answer counts as an error. Packets go only to SERVER, which must be
// an address of a bridge that the caller made.
//   dns_bench SERVER NAME [seconds = 2] [runs = 5] [window = 32]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Load {
  double qps = 0;
  double p50_us = 0;
  double p99_us = 0;
  long errors = 0;
  long lost = 0;
};

// A standard query: header (id, RD), one question NAME IN A.
std::string make_query(const std::string& name) {
  std::string q = {0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    if (dot > start) {
      q.push_back(static_cast<char>(dot - start));
      q.append(name, start, dot - start);
    }
    start = dot + 1;
  }
  q.append({0, 0, 1, 0, 1});
  return q;
}

void set_id(std::string& q, std::uint16_t id) {
  q[0] = static_cast<char>(id >> 8);
  q[1] = static_cast<char>(id & 0xff);
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

int udp_socket_to(const sockaddr_in& to) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
    std::perror("dns_bench: socket");
    std::exit(1);
  }
  return fd;
}

// Keeps window queries in flight for seconds; a query unanswered for 1 s is counted lost and
// replaced. check_answer: the reply must be NOERROR with at least one answer record.
Load run_load(const sockaddr_in& to, const std::string& name, double seconds, int window, bool check_answer) {
  int fd = udp_socket_to(to);
  std::string query = make_query(name);
  std::vector<Clock::time_point> sent(65536);
  std::vector<bool> pending(65536, false);
  std::vector<double> latencies;
  latencies.reserve(1 << 20);
  Load out;
  std::uint16_t next_id = 1;
  int in_flight = 0;
  long answered = 0;
  auto send_one = [&] {
    while (pending[next_id]) ++next_id;
    set_id(query, next_id);
    sent[next_id] = Clock::now();
    pending[next_id] = true;
    ++next_id;
    if (::send(fd, query.data(), query.size(), 0) < 0) return false;
    ++in_flight;
    return true;
  };
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (int i = 0; i < window; ++i) send_one();
  char buf[1500];
  while (Clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 1000);
    if (r == 0) {  // nothing for 1 s: the in-flight queries are lost
      out.lost += in_flight;
      std::fill(pending.begin(), pending.end(), false);
      in_flight = 0;
      for (int i = 0; i < window; ++i) send_one();
      continue;
    }
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    const auto now = Clock::now();
    if (n < 12) {
      ++out.errors;
      continue;
    }
    const std::uint16_t id = static_cast<std::uint16_t>((static_cast<unsigned char>(buf[0]) << 8) |
                                                        static_cast<unsigned char>(buf[1]));
    if (!pending[id]) continue;  // a late answer to a query counted lost
    pending[id] = false;
    --in_flight;
    const int rcode = buf[3] & 0x0f;
    const int answers = (static_cast<unsigned char>(buf[6]) << 8) | static_cast<unsigned char>(buf[7]);
    if ((buf[2] & 0x80) == 0 || (check_answer && (rcode != 0 || answers < 1))) ++out.errors;
    latencies.push_back(std::chrono::duration<double, std::micro>(now - sent[id]).count());
    ++answered;
    send_one();
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  ::close(fd);
  out.qps = static_cast<double>(answered) / elapsed;
  out.p50_us = percentile(latencies, 0.50);
  out.p99_us = percentile(latencies, 0.99);
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: dns_bench SERVER NAME [seconds] [runs] [window]\n");
    return 2;
  }
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(53);
  if (::inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
    std::fprintf(stderr, "dns_bench: '%s' is not an IPv4 address\n", argv[1]);
    return 2;
  }
  const std::string name = argv[2];
  const double seconds = argc > 3 ? std::atof(argv[3]) : 2.0;
  const int runs = argc > 4 ? std::max(1, std::atoi(argv[4])) : 5;
  const int window = argc > 5 ? std::max(1, std::atoi(argv[5])) : 32;

  // The baseline responder: same address, a port the kernel picks.
  int echo = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in echo_addr = server;
  echo_addr.sin_port = 0;
  socklen_t len = sizeof echo_addr;
  if (echo < 0 || ::bind(echo, reinterpret_cast<sockaddr*>(&echo_addr), sizeof echo_addr) != 0 ||
      ::getsockname(echo, reinterpret_cast<sockaddr*>(&echo_addr), &len) != 0) {
    std::perror("dns_bench: baseline responder");
    return 1;
  }
  std::atomic<bool> stop{false};
  std::thread responder([&] {
    char buf[1500];
    while (!stop) {
      pollfd p{echo, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      sockaddr_in from{};
      socklen_t from_len = sizeof from;
      ssize_t n = ::recvfrom(echo, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n < 12) continue;
      buf[2] = static_cast<char>(buf[2] | 0x80);
      (void)::sendto(echo, buf, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), from_len);
    }
  });

  std::vector<double> qps, base_qps, p50, p99, base_p50, base_p99;
  long errors = 0, lost = 0;
  for (int r = 0; r < runs; ++r) {
    Load a = run_load(server, name, seconds, window, true);
    Load b = run_load(echo_addr, name, seconds, window, false);
    Load c = run_load(server, name, seconds, 1, true);
    Load d = run_load(echo_addr, name, seconds, 1, false);
    qps.push_back(a.qps);
    base_qps.push_back(b.qps);
    p50.push_back(c.p50_us);
    p99.push_back(c.p99_us);
    base_p50.push_back(d.p50_us);
    base_p99.push_back(d.p99_us);
    errors += a.errors + c.errors;
    lost += a.lost + c.lost;
  }
  stop = true;
  responder.join();
  ::close(echo);
  const double q = median(qps), bq = median(base_qps);
  std::printf("throughput (%d in flight, %.1f s, median of %d): server %.0f queries/s, UDP echo %.0f/s, ratio %.2f\n",
              window, seconds, runs, q, bq, bq > 0 ? q / bq : 0);
  std::printf("latency (one at a time, median of %d): server p50 %.0f us p99 %.0f us, UDP echo p50 %.0f us p99 %.0f us\n",
              runs, median(p50), median(p99), median(base_p50), median(base_p99));
  std::printf("errors %ld, lost %ld\n", errors, lost);
  std::printf("result qps=%.1f base_qps=%.1f p50_us=%.1f p99_us=%.1f base_p50_us=%.1f base_p99_us=%.1f errors=%ld lost=%ld\n",
              q, bq, median(p50), median(p99), median(base_p50), median(base_p99), errors, lost);
  return errors > 0 ? 1 : 0;
}
