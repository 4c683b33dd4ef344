#include "scheduler/file_mounts.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "util/fd.hpp"

namespace stack::scheduler {

using util::Errc;
using util::Error;
using util::Result;

namespace {

// compose's default mode for both, readable by the container's users (the directory keeps the
// host's other users out).
constexpr uint32_t kDefaultMode = 0444;

Result<std::string> content_of(const spec::FileSource& src, std::string_view kind) {
  if (src.kind != spec::FileSource::Kind::file) return src.content;
  auto text = util::read_file(src.file);
  if (!text) {
    return Error(Errc::not_found, std::string(kind) + " '" + src.key + "': cannot read '" + src.file +
                                      "': " + std::strerror(text.error().sys_errno()));
  }
  return std::move(*text);
}

Result<void> write_one(const std::string& path, const std::string& content, const spec::FileMount& m) {
  ::unlink(path.c_str());  // a leftover of a crashed create
  STACK_ASSIGN_OR_RETURN(util::UniqueFd fd,
                         util::UniqueFd::open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  STACK_TRY(util::write_all(fd.get(), content));
  if (::fchown(fd.get(), m.uid.value_or(0), m.gid.value_or(0)) != 0) return Error::from_errno("chown '" + path + "'");
  if (::fchmod(fd.get(), m.mode.value_or(kDefaultMode)) != 0) return Error::from_errno("chmod '" + path + "'");
  return util::ok();
}

}  // namespace

Result<std::map<std::string, std::string>> write_file_mounts(const spec::Stack& stack,
                                                             const spec::Service& service,
                                                             const std::string& dir) {
  std::map<std::string, std::string> out;
  if (service.secrets.empty() && service.configs.empty()) return out;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error(Errc::io, "create '" + dir + "': " + ec.message());
  if (::chmod(dir.c_str(), 0700) != 0) return Error::from_errno("chmod '" + dir + "'");
  struct Kind {
    const char* name;
    const std::vector<spec::FileMount>& mounts;
    const spec::FileSource* (spec::Stack::*find)(std::string_view) const;
  };
  const Kind kinds[] = {{"secret", service.secrets, &spec::Stack::find_secret},
                        {"config", service.configs, &spec::Stack::find_config}};
  for (const Kind& kind : kinds) {
    for (size_t i = 0; i < kind.mounts.size(); ++i) {
      const spec::FileMount& m = kind.mounts[i];
      const spec::FileSource* src = (stack.*kind.find)(m.source);
      if (src == nullptr) return Error(Errc::internal, std::string(kind.name) + " '" + m.source + "' is not declared");
      STACK_ASSIGN_OR_RETURN(std::string content, content_of(*src, kind.name));
      std::string path = dir + "/" + kind.name + "-" + std::to_string(i);
      STACK_TRY(write_one(path, content, m).context(std::string(kind.name) + " '" + m.source + "'"));
      out[m.target] = path;
    }
  }
  return out;
}

}  // namespace stack::scheduler
