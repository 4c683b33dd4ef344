// A tiny HTTP/1.1 server on 127.0.0.1 for the pull tests: one thread, one connection at a time,
// "Connection: close" after every response. The handler decides the answer; a response can be cut
// after N body bytes to simulate a dropped connection. Used as a fake registry and a token endpoint.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace stack::image::testing_support {

struct TestRequest {
  std::string method;
  std::string target;  // path and query
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // Content-Length bytes (push tests)

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  std::string path() const { return target.substr(0, target.find('?')); }
};

struct TestResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<size_t> cut_after;  // close the connection after this many body bytes
};

class TestServer {
 public:
  using Handler = std::function<TestResponse(const TestRequest&)>;

  explicit TestServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { loop(); });
  }
  ~TestServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  uint16_t port() const { return port_; }
  std::string authority() const { return "127.0.0.1:" + std::to_string(port_); }
  std::vector<TestRequest> requests() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      serve(conn);
      ::close(conn);
    }
  }

  void serve(int conn) {
    std::string data;
    char buf[4096];
    while (data.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::read(conn, buf, sizeof buf);
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
    }
    TestRequest req;
    size_t line_end = data.find("\r\n");
    std::string first = data.substr(0, line_end);
    size_t sp1 = first.find(' '), sp2 = first.rfind(' ');
    req.method = first.substr(0, sp1);
    req.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end + 2;
    while (true) {
      size_t end = data.find("\r\n", pos);
      if (end == pos || end == std::string::npos) break;
      std::string line = data.substr(pos, end - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      req.headers[name] = value;
      pos = end + 2;
    }
    size_t body_at = data.find("\r\n\r\n") + 4;
    size_t length = req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
    while (data.size() < body_at + length) {
      ssize_t n = ::read(conn, buf, sizeof buf);
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
    }
    req.body = data.substr(body_at, length);
    {
      std::lock_guard lock(mutex_);
      seen_.push_back(req);
    }
    TestResponse resp = handler_(req);
    std::string head = "HTTP/1.1 " + std::to_string(resp.status) + " X\r\nConnection: close\r\nContent-Length: " +
                       std::to_string(resp.body.size()) + "\r\n";
    for (const auto& [k, v] : resp.headers) head += k + ": " + v + "\r\n";
    head += "\r\n";
    std::string body = resp.body;
    if (resp.cut_after) body.resize(std::min(body.size(), *resp.cut_after));
    if (req.method == "HEAD") body.clear();
    write_all(conn, head + body);
  }

  static void write_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  Handler handler_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<TestRequest> seen_;
};

}  // namespace stack::image::testing_support
