#include "image/registry/http.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "image/registry/libcurl.hpp"

namespace stack::image::registry {

using util::Errc;
using util::Error;
using util::fail;

namespace {

std::string trim_space(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

struct Http::State {
  const LibCurl* api = nullptr;
  std::optional<Error> load_error;  // libcurl could not be loaded: every request fails with it
  CURL* curl = nullptr;
  ~State() {
    if (curl) api->easy_cleanup(curl);
  }
};

// What the curl callbacks share during one transfer.
struct Transfer {
  HttpResponse* response = nullptr;
  const BodySink* sink = nullptr;
  size_t max_body = 0;
  long status = 0;  // of the response being received (a redirect chain has several)
  std::optional<Error> error;
};

namespace {

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear();
    size_t sp = line.find(' ');
    t->status = sp == std::string_view::npos ? 0 : std::atol(std::string(line.substr(sp + 1, 3)).c_str());
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    t->response->headers[name] = trim_space(line.substr(colon + 1));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (t->status >= 300 && t->status < 400) return n;  // a redirect's body
  bool to_sink = t->sink != nullptr && t->status >= 200 && t->status < 300;
  if (to_sink) {
    if (auto r = (*t->sink)(t->status, std::string_view(data, n)); !r) {
      t->error = std::move(r).error();
      return 0;  // aborts with CURLE_WRITE_ERROR
    }
    return n;
  }
  if (t->response->body.size() + n > t->max_body) {
    t->error = Error(Errc::parse, "response larger than " + std::to_string(t->max_body) + " bytes");
    return 0;
  }
  t->response->body.append(data, n);
  return n;
}

bool sends_request_body(const std::string& method) {
  return method == "PUT" || method == "POST" || method == "PATCH";
}

// The request body: from a file, or from memory.
struct UploadSource {
  std::FILE* file = nullptr;
  std::string_view memory;
  ~UploadSource() {
    if (file != nullptr) std::fclose(file);
  }
};

size_t on_upload_read(char* buffer, size_t size, size_t count, void* user) {
  auto* src = static_cast<UploadSource*>(user);
  size_t room = size * count;
  if (src->file != nullptr) {
    size_t n = std::fread(buffer, 1, room, src->file);
    return n == 0 && std::ferror(src->file) ? CURL_READFUNC_ABORT : n;
  }
  size_t n = std::min(room, src->memory.size());
  std::memcpy(buffer, src->memory.data(), n);
  src->memory.remove_prefix(n);
  return n;
}

}  // namespace

Http::Http() : state_(std::make_unique<State>()) {
  auto api = libcurl();
  if (!api) {
    state_->load_error = std::move(api).error();
    return;
  }
  state_->api = *api;
  state_->curl = state_->api->easy_init();
}
Http::~Http() = default;
Http::Http(Http&&) noexcept = default;
Http& Http::operator=(Http&&) noexcept = default;

Result<HttpResponse> Http::fetch(const HttpRequest& request, size_t max_body) {
  return perform(request, nullptr, max_body);
}

Result<HttpResponse> Http::stream(const HttpRequest& request, const BodySink& sink) {
  return perform(request, &sink, 64u << 10);
}

Result<HttpResponse> Http::perform(const HttpRequest& request, const BodySink* sink, size_t max_body) {
  if (state_->load_error) return *state_->load_error;
  const LibCurl& curl = *state_->api;
  CURL* c = state_->curl;
  if (c == nullptr) return fail(Errc::internal, "curl_easy_init failed");
  curl.easy_reset(c);
  ++requests_;
  HttpResponse response;
  Transfer t{&response, sink, max_body};
  auto free_list = [&curl](curl_slist* l) { curl.slist_free_all(l); };
  std::unique_ptr<curl_slist, decltype(free_list)> headers(nullptr, free_list);
  std::vector<std::string> header_lines = request.headers;
  // No "Expect: 100-continue" before a body (docker's client sends none either): a server that
  // does not answer it would cost a second per upload.
  if (sends_request_body(request.method)) header_lines.push_back("Expect:");
  for (const auto& h : header_lines) {
    curl_slist* next = curl.slist_append(headers.get(), h.c_str());
    if (next == nullptr) return fail(Errc::internal, "curl_slist_append failed");
    (void)headers.release();
    headers.reset(next);
  }
  char errbuf[CURL_ERROR_SIZE] = {};
  std::string range = request.range_from ? std::to_string(*request.range_from) + "-" : "";
  curl.easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, request.allow_http_redirects ? "http,https" : "https");
  curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl.easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  curl.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl.easy_setopt(c, CURLOPT_USERAGENT, "stack/0.1");
  if (request.timeout_seconds > 0) curl.easy_setopt(c, CURLOPT_TIMEOUT, request.timeout_seconds);
  curl.easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (!range.empty()) curl.easy_setopt(c, CURLOPT_RANGE, range.c_str());
  UploadSource upload;
  if (sends_request_body(request.method)) {
    curl_off_t size = static_cast<curl_off_t>(request.body.size());
    if (!request.body_file.empty()) {
      upload.file = std::fopen(request.body_file.c_str(), "rbe");
      if (upload.file == nullptr) return util::Error::from_errno("open '" + request.body_file + "'");
      if (std::fseek(upload.file, 0, SEEK_END) != 0) return util::Error::from_errno("seek '" + request.body_file + "'");
      size = static_cast<curl_off_t>(std::ftell(upload.file));
      std::rewind(upload.file);
    } else {
      upload.memory = request.body;
    }
    // UPLOAD makes curl send a PUT with a known length; CUSTOMREQUEST below names the real method.
    curl.easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl.easy_setopt(c, CURLOPT_INFILESIZE_LARGE, size);
    curl.easy_setopt(c, CURLOPT_READFUNCTION, on_upload_read);
    curl.easy_setopt(c, CURLOPT_READDATA, &upload);
  }
  if (request.method == "HEAD") {
    curl.easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET" && request.method != "PUT") {
    curl.easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl.easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl.easy_setopt(c, CURLOPT_WRITEDATA, &t);
  CURLcode rc = curl.easy_perform(c);
  std::string what = request.method + " " + request.url;
  if (t.error) return std::move(*t.error).context(what);
  if (rc != CURLE_OK) {
    return fail(Errc::io, what + ": " + (errbuf[0] != 0 ? std::string(errbuf) : curl.easy_strerror(rc)));
  }
  curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

std::string url_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

}  // namespace stack::image::registry
