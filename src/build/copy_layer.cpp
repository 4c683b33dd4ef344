#include "build/copy_layer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <map>

#include "build/glob.hpp"
#include "image/fs.hpp"
#include "util/fd.hpp"

namespace stack::build {

using util::Errc;
using util::Error;
using util::fail;

namespace {

std::string parent_of(const std::string& p) {
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? "" : p.substr(0, slash);
}

TarEntry entry_from(const std::string& dest, const struct stat& st, const CopyOptions& o) {
  TarEntry e;
  e.path = dest;
  e.mode = st.st_mode;
  if (o.chmod && !S_ISLNK(st.st_mode)) e.mode = (st.st_mode & S_IFMT) | *o.chmod;
  e.uid = o.chown ? o.chown->first : 0;
  e.gid = o.chown ? o.chown->second : 0;
  e.mtime = st.st_mtime;
  e.size = st.st_size;
  e.rdev = st.st_rdev;
  return e;
}

// Existing directories keep what they have; new ones are 0755, owned by the --chown user.
TarEntry parent_entry(const std::string& path, const RootfsView& view, const CopyOptions& o) {
  TarEntry e;
  e.path = path;
  if (auto found = view.lookup(path); found && S_ISDIR(found->st.st_mode)) {
    e.mode = found->st.st_mode;
    e.uid = found->st.st_uid;
    e.gid = found->st.st_gid;
    e.mtime = found->st.st_mtime;
    return e;
  }
  e.mode = S_IFDIR | 0755;
  e.uid = o.chown ? o.chown->first : 0;
  e.gid = o.chown ? o.chown->second : 0;
  e.mtime = o.epoch;
  return e;
}

Result<void> add_item(LayerTar& tar, const CopyItem& item, const CopyOptions& o) {
  TarEntry e = entry_from(item.dest, item.source.st, o);
  if (S_ISLNK(e.mode)) {
    std::vector<char> buf(4096);
    ssize_t n = ::readlink(item.source.host_path.c_str(), buf.data(), buf.size());
    if (n < 0) return Error::from_errno("readlink '" + item.source.host_path + "'");
    e.link.assign(buf.data(), static_cast<size_t>(n));
    return tar.add(std::move(e));
  }
  if (!S_ISREG(e.mode)) return tar.add(std::move(e));
  STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open(item.source.host_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error::from_errno("stat '" + item.source.host_path + "'");
  e.size = st.st_size;
  return tar.add(std::move(e), fd.get());
}

// ADD of a tar archive: its entries below dest, names checked as the layer unpacker checks them.
Result<void> extract_into(LayerTar& tar, const CopyItem& item, const CopyOptions& o) {
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  const std::string& src = item.source.host_path;
  if (archive_read_open_filename(a.get(), src.c_str(), 128 * 1024) != ARCHIVE_OK) {
    return fail(Errc::parse, "ADD '" + src + "': " + archive_error_string(a.get()));
  }
  std::string tmp = "/tmp/.stack-add-" + image::random_suffix();
  for (;;) {
    archive_entry* x = nullptr;
    int rc = archive_read_next_header(a.get(), &x);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) return fail(Errc::parse, "ADD '" + src + "': " + archive_error_string(a.get()));
    std::string name = archive_entry_pathname(x) ? archive_entry_pathname(x) : "";
    std::string clean = clean_path(name);
    if (name.starts_with("/") || clean == ".." || clean.starts_with("../")) {
      return fail(Errc::invalid_argument, "ADD '" + src + "': entry '" + name + "' leaves its destination");
    }
    if (clean.empty()) continue;
    TarEntry e;
    e.path = item.dest.empty() ? clean : item.dest + "/" + clean;
    e.mode = archive_entry_mode(x);
    e.uid = o.chown ? o.chown->first : static_cast<uid_t>(archive_entry_uid(x));
    e.gid = o.chown ? o.chown->second : static_cast<gid_t>(archive_entry_gid(x));
    e.mtime = archive_entry_mtime(x);
    e.rdev = archive_entry_rdev(x);
    if (const char* h = archive_entry_hardlink(x)) {
      std::string target = clean_path(h);
      if (target.starts_with("..") || std::string(h).starts_with("/")) {
        return fail(Errc::invalid_argument, "ADD '" + src + "': hard link '" + name + "' leaves its destination");
      }
      e.hardlink = true;
      e.link = item.dest.empty() ? target : item.dest + "/" + target;
      STACK_TRY(tar.add(std::move(e)));
      continue;
    }
    if (const char* s = archive_entry_symlink(x)) e.link = s;
    if (!S_ISREG(e.mode)) {
      STACK_TRY(tar.add(std::move(e)));
      continue;
    }
    // The data goes through an unlinked temporary file: LayerTar reads content from a descriptor.
    STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    ::unlink(tmp.c_str());
    la_int64_t size = 0;
    const void* buf = nullptr;
    size_t len = 0;
    la_int64_t off = 0;
    while ((rc = archive_read_data_block(a.get(), &buf, &len, &off)) == ARCHIVE_OK) {
      if (::pwrite(fd.get(), buf, len, off) != static_cast<ssize_t>(len)) return Error::from_errno("ADD: write temporary");
      size = std::max<la_int64_t>(size, off + static_cast<la_int64_t>(len));
    }
    if (rc != ARCHIVE_EOF) return fail(Errc::parse, "ADD '" + src + "': " + archive_error_string(a.get()));
    size = std::max<la_int64_t>(size, archive_entry_size(x));
    if (::ftruncate(fd.get(), size) != 0 || ::lseek(fd.get(), 0, SEEK_SET) != 0) return Error::from_errno("ADD: temporary");
    e.size = size;
    STACK_TRY(tar.add(std::move(e), fd.get()));
  }
  return util::ok();
}

}  // namespace

Result<mode_t> parse_chmod(const std::string& text) {
  if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos) {
    return fail(Errc::invalid_argument, "--chmod='" + text + "': expected an octal mode such as 0755");
  }
  return static_cast<mode_t>(std::stoul(text, nullptr, 8));
}

Result<image::LayerInfo> write_copy_layer(const image::BlobStore& blobs, const CopySelection& sel,
                                          const RootfsView& view, const CopyOptions& o) {
  STACK_ASSIGN_OR_RETURN(LayerTar tar, LayerTar::create(blobs, o.epoch, o.repeats));
  std::map<std::string, const CopyItem*> items;
  std::map<std::string, bool> parents;
  for (const CopyItem& it : sel.items) {
    if (!it.extract) items[it.dest] = &it;
    std::string p = it.extract ? it.dest : parent_of(it.dest);
    for (; !p.empty(); p = parent_of(p)) parents[p] = true;
  }
  std::map<std::string, int> order;  // every path once, sorted: parents first
  for (const auto& [p, _] : parents) order[p] = 0;
  for (const auto& [p, _] : items) order[p] = 1;
  for (const auto& [p, kind] : order) {
    if (kind == 1) {
      STACK_TRY(add_item(tar, *items.at(p), o));
    } else {
      STACK_TRY(tar.add(parent_entry(p, view, o)));
    }
  }
  for (const CopyItem& it : sel.items) {
    if (it.extract) STACK_TRY(extract_into(tar, it, o));
  }
  return tar.finish();
}

}  // namespace stack::build
