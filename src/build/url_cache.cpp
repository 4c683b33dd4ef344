#include "build/url_cache.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "build/content_memo.hpp"
#include "image/fs.hpp"
#include "util/atomic_file.hpp"
#include "util/fd.hpp"
#include "util/sha256.hpp"

namespace stack::build {

namespace {

// A string field of a record, "" when absent or of another type (a record is never trusted).
std::string text_of(const nlohmann::json& record, const char* key) {
  auto it = record.is_object() ? record.find(key) : record.end();
  return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The kept file's identity, so that a record is used only with the file it was written for (a
// crash between the file's rename and the record's write leaves them apart).
nlohmann::json identity_of(const struct stat& st) {
  return {{"ino", st.st_ino}, {"size", st.st_size}, {"ctime", ContentMemo::nanoseconds(st.st_ctim)}};
}

}  // namespace

std::string UrlCache::data_path(const std::string& url) const { return dir_ + "/" + util::sha256_hex(url); }

Result<Download> UrlCache::fetch(const std::string& url, const UrlLimits& limits, bool revalidate) const {
  const std::string data = data_path(url);
  const std::string record_path = data + ".json";
  std::vector<std::string> validators;
  nlohmann::json record;
  struct stat st {};
  if (auto text = util::read_file(record_path, 64 * 1024); revalidate && text && ::stat(data.c_str(), &st) == 0) {
    record = nlohmann::json::parse(*text, nullptr, false);
    const bool ours = record.is_object() && text_of(record, "url") == url &&
                      record.value("identity", nlohmann::json()) == identity_of(st) &&
                      text_of(record, "sha256").size() == 64;
    if (ours && !text_of(record, "etag").empty()) validators.push_back("If-None-Match: " + text_of(record, "etag"));
    if (ours && !text_of(record, "last_modified").empty()) {
      validators.push_back("If-Modified-Since: " + text_of(record, "last_modified"));
    }
  }
  STACK_TRY(image::make_dirs(dir_, 0700));
  const std::string tmp = data + ".tmp-" + image::random_suffix();
  auto got = download_url(url, tmp, limits, validators);
  if (!got) {
    ::unlink(tmp.c_str());
    return got;
  }
  if (got->not_modified) {
    got->path = data;
    got->sha256 = text_of(record, "sha256");
    return got;
  }
  if (::rename(tmp.c_str(), data.c_str()) != 0) {
    auto err = util::Error::from_errno("keeping the download of " + url);
    ::unlink(tmp.c_str());
    return err;
  }
  got->path = data;
  // A record that cannot be written costs a full download next time, nothing else.
  if (::stat(data.c_str(), &st) == 0) {
    nlohmann::json kept = {{"url", url}, {"etag", got->etag}, {"last_modified", got->last_modified},
                           {"sha256", got->sha256}, {"identity", identity_of(st)}};
    (void)util::write_file_atomic(record_path, kept.dump(), util::Durability::process_crash);
  }
  return got;
}

}  // namespace stack::build
