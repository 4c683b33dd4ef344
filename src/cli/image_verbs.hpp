// `stack image <verb>`: the image verbs register here as the top-level verbs do with
// register_command(), each from its own file (image_ls_command.cpp, image_rm_command.cpp, ...);
// image_command.cpp makes them subcommands of `stack image`. Also the helpers they share.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "image/store.hpp"
#include "util/result.hpp"

namespace stack::cli {

bool register_image_verb(CommandFactory factory);
std::vector<std::unique_ptr<Command>> make_image_verbs();

// Opens <root>/images; on failure prints "stack: ..." and returns null.
std::unique_ptr<image::Store> open_image_store(const std::string& root, std::ostream& err);

// "docker.io/library/busybox:latest" -> "busybox:latest", as docker prints references.
std::string familiar_name(const std::string& tag_key);
// The first 12 hex digits of the image id, as docker prints it.
std::string short_id(const image::Image& image);

}  // namespace stack::cli
