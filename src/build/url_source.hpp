// ADD's remote sources: `ADD [--checksum=sha256:HEX] http(s)://... DEST`. The builder process
// downloads the file itself (libcurl through the registry's HTTP client, so proxies and TLS settings
// are the same as for pulls) into a step's scratch directory; the file is then copied like a local
// one. As BuildKit's Dockerfile frontend does it: the name is the URL path's last component
// (`__unnamed__` when it has none), the mode 0600, the time the Last-Modified header's, and an
// archive is never unpacked.
//
//   STACK_ASSIGN_OR_RETURN(Download d, download_url(url, scratch + "/url-0", kUrlLimits));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace stack::build {

using util::Result;

// http:// or https:// (as BuildKit tells an HTTP source from a path), but not a git repository
// (https://host/repo.git, git_source.hpp).
bool is_url_source(std::string_view source);

// "sha256:<64 hex>" -> the hex digest, lower-case; anything else is an error naming what is expected.
// (A git repository's --checksum is a commit id: parse_git_checksum, git_source.hpp.)
Result<std::string> parse_add_checksum(std::string_view value);
// What ADD --checksum takes a checksum of, for the error when it is given anything else.
inline constexpr char kChecksumSources[] =
    "--checksum needs exactly one source, an http:// or https:// URL or a git repository";

// The file name a URL's download gets in a directory destination: the last component of the
// URL's path, percent-decoded; "__unnamed__" when there is none ("http://host/", "http://host").
std::string url_file_name(std::string_view url);

// An HTTP date (RFC 7231's IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT") as Unix seconds.
std::optional<int64_t> parse_http_date(std::string_view text);

struct UrlLimits {
  uint64_t max_bytes = 0;
  long timeout_seconds = 0;  // the whole transfer
};
// 4 GiB and an hour: a download that is larger or slower is stopped with an error saying so.
inline constexpr UrlLimits kUrlLimits{4ull << 30, 3600};

struct Download {
  std::string path;    // the file, mode 0600, mtime from Last-Modified when the server sent one
  std::string sha256;  // hex
  std::string etag, last_modified;  // the response's validators, "" when it sent none
  bool not_modified = false;  // a 304 to a conditional request: nothing written, no file at path
};

// GET with redirects followed; a non-2xx status, a transfer error or a limit is one error naming
// the URL ("GET http://127.0.0.1:8080/x: HTTP 404"). headers: "Name: value", such as the
// validators of a conditional request (url_cache.hpp), to which a 304 is an answer.
Result<Download> download_url(const std::string& url, const std::string& path, const UrlLimits& limits,
                              const std::vector<std::string>& headers = {});

}  // namespace stack::build
