// A small HTTP client over libcurl for the registry: one blocking request at a time per Http
// object (each download thread owns one). Bodies go to a sink as they arrive, so a blob streams
// straight into the verifying blob writer; small bodies (manifests, tokens) are collected with a
// size limit. Redirects are followed (blob storage often redirects to a CDN); curl drops our
// Authorization header when a redirect leaves the host. No exceptions; errors name the URL.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace stack::image::registry {

using util::Result;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::optional<uint64_t> range_from;  // sends "Range: bytes=N-"
  bool allow_http_redirects = false;   // whether a redirect may go to plain http
  long timeout_seconds = 0;            // the whole transfer; 0: none (a stalled one still ends)
  // A request body (PUT, POST): body_file when set (streamed from disk, reopened on every send so
  // that a request retried after a 401 sends it whole again), else body.
  std::string body;
  std::string body_file;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; the last value wins
  std::string body;                            // only when no sink was given

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Receives body bytes of a successful (2xx) response with its status (200, or 206 for a range);
// returning an error aborts the transfer and becomes the request's error.
using BodySink = std::function<Result<void>(long status, std::string_view chunk)>;

class Http {
 public:
  Http();
  ~Http();
  Http(Http&&) noexcept;
  Http& operator=(Http&&) noexcept;
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  // Collects the body (any status) up to max_body bytes.
  Result<HttpResponse> fetch(const HttpRequest& request, size_t max_body = 4u << 20);
  // A 2xx body goes to sink; a non-2xx body is collected (small) for the error message.
  Result<HttpResponse> stream(const HttpRequest& request, const BodySink& sink);

  // Requests made by this object (tests and the pull report count them).
  size_t requests() const { return requests_; }

 private:
  struct State;
  Result<HttpResponse> perform(const HttpRequest& request, const BodySink* sink, size_t max_body);
  std::unique_ptr<State> state_;
  size_t requests_ = 0;
};

// Percent-encodes a query value.
std::string url_escape(std::string_view text);

}  // namespace stack::image::registry
