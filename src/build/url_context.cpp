#include "build/url_context.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "build/url_source.hpp"
#include "image/layer_unpack.hpp"
#include "util/fd.hpp"

namespace stack::build {

using util::Errc;
using util::Error;
using util::fail;

bool looks_like_archive(std::string_view head) {
  constexpr std::array<std::string_view, 4> kMagic = {
      std::string_view("\x1f\x8b", 2),                  // gzip
      std::string_view("BZh", 3),                       // bzip2
      std::string_view("\xfd" "7zXZ\x00", 6),           // xz
      std::string_view("\x28\xb5\x2f\xfd", 4),          // zstd
  };
  for (std::string_view m : kMagic) {
    if (head.starts_with(m)) return true;
  }
  return head.size() >= 262 && head.substr(257, 5) == "ustar";
}

namespace {

Result<std::string> read_head(const std::string& path) {
  STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open(path, O_RDONLY | O_CLOEXEC));
  std::string head(512, '\0');
  size_t got = 0;
  while (got < head.size()) {
    ssize_t n = ::read(fd.get(), head.data() + got, head.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read '" + path + "'");
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  head.resize(got);
  return head;
}

}  // namespace

Result<UrlContext> fetch_url_context(const std::string& url, const std::string& scratch, const std::string& leaf) {
  const std::string base = scratch + "/" + leaf;
  STACK_ASSIGN_OR_RETURN(Download d, download_url(url, base + ".download", kUrlLimits));
  UrlContext out{base, ""};
  if (::mkdir(out.dir.c_str(), 0755) != 0) return Error::from_errno("mkdir '" + out.dir + "'");
  STACK_ASSIGN_OR_RETURN(std::string head, read_head(d.path));
  if (!looks_like_archive(head)) {
    // docker's rule: a file that is no archive is the Dockerfile, and the context is empty.
    out.dockerfile = base + ".Dockerfile";
    if (::rename(d.path.c_str(), out.dockerfile.c_str()) != 0) return Error::from_errno("rename '" + d.path + "'");
    return out;
  }
  STACK_ASSIGN_OR_RETURN(util::UniqueFd dir, util::UniqueFd::open(out.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (auto unpacked = image::unpack_layer(d.path, dir.get(), url); !unpacked) return std::move(unpacked).error();
  ::unlink(d.path.c_str());
  return out;
}

}  // namespace stack::build
