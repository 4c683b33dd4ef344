// A build context at an http(s) URL, as `docker build URL` takes it: a tar archive (plain, gzip,
// bzip2, xz or zstd) is downloaded and unpacked, and is the context; any other file is the
// Dockerfile itself, with an empty context. (A git repository's URL is no download:
// git_source.hpp.)
//
//   STACK_ASSIGN_OR_RETURN(UrlContext c, fetch_url_context(url, scratch_dir, "url-context"));
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::build {

using util::Result;

// Whether a file's first bytes are those of a tar archive or of a compressed stream (docker's
// test: gzip, bzip2, xz, zstd magic, or "ustar" at offset 257).
bool looks_like_archive(std::string_view head);

struct UrlContext {
  std::string dir;         // the context: the archive's files, or an empty directory
  std::string dockerfile;  // set when the download was the Dockerfile; empty for an archive
};

// Downloads url (the same client, limits and errors as ADD's URLs) into scratch/leaf and unpacks it
// there; errors are one line naming the URL.
Result<UrlContext> fetch_url_context(const std::string& url, const std::string& scratch, const std::string& leaf);

}  // namespace stack::build
