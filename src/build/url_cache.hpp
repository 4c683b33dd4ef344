// ADD's downloads kept between builds, one file per URL, and revalidated as BuildKit revalidates
// them: a URL fetched before is asked for again with its ETag (If-None-Match) and Last-Modified
// (If-Modified-Since), and a 304 keeps the file as it is (same path, same inode), so the step's
// layer memo (layer_memo.hpp) still holds and the step is a cache hit with no download. A server
// that sends neither validator is downloaded in full every time (the layer's digest still makes
// the same key for the same bytes). ADD --checksum does not come here: its key is the checksum.
//
//   UrlCache urls(root + "/build-cache/urls");
//   STACK_ASSIGN_OR_RETURN(Download d, urls.fetch(url, kUrlLimits));  // d.path: the kept file
#pragma once

#include <string>
#include <utility>

#include "build/url_source.hpp"

namespace stack::build {

class UrlCache {
 public:
  explicit UrlCache(std::string dir) : dir_(std::move(dir)) {}

  // The URL's file, downloaded now or kept (Download::not_modified); errors as download_url's.
  // revalidate false (--no-cache): downloaded whatever is kept.
  Result<Download> fetch(const std::string& url, const UrlLimits& limits, bool revalidate = true) const;

  // Where a URL's file and its record are kept (pure; for tests).
  std::string data_path(const std::string& url) const;

 private:
  std::string dir_;
};

}  // namespace stack::build
