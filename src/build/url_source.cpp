#include "build/url_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cctype>
#include <ctime>

#include "build/git_source.hpp"
#include "image/digest.hpp"
#include "image/registry/http.hpp"
#include "util/bytes.hpp"
#include "util/fd.hpp"

namespace stack::build {

using util::Errc;
using util::fail;

namespace {

int url_hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX sequences decoded; a malformed one stays as written (Go's url.Parse would refuse the URL, and
// then BuildKit falls back to its default name: the download fails on the bad URL anyway).
std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && url_hex_value(s[i + 1]) >= 0 && url_hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(url_hex_value(s[i + 1]) * 16 + url_hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

bool is_url_source(std::string_view source) {
  // https://host/repo.git is a git repository, not a download (BuildKit's rule).
  return (source.starts_with("http://") || source.starts_with("https://")) && !is_git_source(source);
}

Result<std::string> parse_add_checksum(std::string_view value) {
  std::string_view hex = value;
  if (!hex.starts_with("sha256:")) {
    return fail(Errc::invalid_argument, "--checksum='" + std::string(value) + "': expected sha256:<64 hex digits>");
  }
  hex.remove_prefix(7);
  std::string out;
  for (char c : hex) {
    if (url_hex_value(c) < 0) break;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.size() != 64 || hex.size() != 64) {
    return fail(Errc::invalid_argument, "--checksum='" + std::string(value) + "': expected sha256:<64 hex digits>");
  }
  return out;
}

std::string url_file_name(std::string_view url) {
  size_t scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("?#"));
  size_t slash = rest.find('/');
  std::string path = slash == std::string_view::npos ? "" : percent_decode(rest.substr(slash));
  while (!path.empty() && path.back() == '/') path.pop_back();  // path.Base ignores trailing slashes
  std::string base = path.substr(path.find_last_of('/') + 1);
  if (base.empty() || base == "." || base == "..") return "__unnamed__";
  return base;
}

std::optional<int64_t> parse_http_date(std::string_view text) {
  std::string s(text);
  std::tm tm{};
  const char* end = ::strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(::timegm(&tm));
}

Result<Download> download_url(const std::string& url, const std::string& path, const UrlLimits& limits,
                              const std::vector<std::string>& headers) {
  STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  image::Sha256 hash;
  uint64_t size = 0;
  image::registry::HttpRequest request;
  request.url = url;
  request.allow_http_redirects = true;  // the Dockerfile asked for plain http itself, or may
  request.timeout_seconds = limits.timeout_seconds;
  request.headers = headers;
  auto sink = [&](long, std::string_view chunk) -> Result<void> {
    size += chunk.size();
    if (size > limits.max_bytes) {
      return fail(Errc::io, "larger than " + util::human_bytes(limits.max_bytes, true) + ", the limit of a download");
    }
    hash.update(chunk);
    return util::write_all(fd.get(), chunk);
  };
  image::registry::Http http;
  STACK_ASSIGN_OR_RETURN(image::registry::HttpResponse response, http.stream(request, sink));
  if (response.status == 304 && !headers.empty()) {
    fd.reset();
    ::unlink(path.c_str());
    Download kept;
    kept.not_modified = true;
    return kept;
  }
  if (response.status < 200 || response.status >= 300) {
    return fail(response.status == 404 ? Errc::not_found : Errc::io,
                "GET " + url + ": HTTP " + std::to_string(response.status));
  }
  // 0600 whatever the umask; the time as docker and BuildKit keep it (the layer clamps it).
  if (::fchmod(fd.get(), 0600) != 0) return fail(Errc::io, "chmod '" + path + "'", errno);
  if (auto t = parse_http_date(response.header("last-modified"))) {
    struct timespec times[2] = {{*t, 0}, {*t, 0}};
    if (::futimens(fd.get(), times) != 0) return fail(Errc::io, "setting the time of '" + path + "'", errno);
  }
  return Download{path, hash.finish().hex(), response.header("etag"), response.header("last-modified"), false};
}

}  // namespace stack::build
