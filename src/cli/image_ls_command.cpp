// `stack images` and `stack image ls`: one row per tag (untagged images as <none>), as docker
// prints them; --format json for scripts, -q for the ids only.
#include <CLI/CLI.hpp>

#include <iomanip>
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/global_options.hpp"
#include "cli/image_verbs.hpp"
#include "cli/output.hpp"
#include "util/bytes.hpp"
#include <sstream>

namespace stack::cli {
namespace {

struct Row {
  std::string repository;
  std::string tag;
  const image::Image* image;
};

// "busybox:latest" -> {"busybox", "latest"}; the tag is after the last ':' past the last '/'.
std::pair<std::string, std::string> split_tag(const std::string& familiar) {
  size_t slash = familiar.rfind('/');
  size_t colon = familiar.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return {familiar, "<none>"};
  return {familiar.substr(0, colon), familiar.substr(colon + 1)};
}

std::string human_size(int64_t bytes) { return util::human_bytes(static_cast<uint64_t>(bytes), false); }

class ImageListCommand final : public Command {
 public:
  explicit ImageListCommand(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string summary() const override { return "List images"; }

  void setup(CLI::App& app) override {
    app.add_option("--format", format_, "Output format")->check(CLI::IsMember({"table", "json"}))->capture_default_str();
    app.add_flag("-q,--quiet", quiet_, "Only print image ids");
  }

  int run(const GlobalOptions& global) override {
    auto store = open_image_store(global.root, std::cerr);
    if (!store) return kExitFailure;
    auto images = store->list();
    if (!images) {
      std::cerr << "stack: " << images.error().message() << "\n";
      return kExitFailure;
    }
    std::vector<Row> rows;
    for (const auto& image : *images) {
      if (image.tags.empty()) rows.push_back({"<none>", "<none>", &image});
      for (const auto& tag : image.tags) {
        auto [repo, t] = split_tag(familiar_name(tag));
        rows.push_back({repo, t, &image});
      }
    }
    if (quiet_) {
      std::set<std::string> seen;
      for (const auto& row : rows) {
        if (seen.insert(short_id(*row.image)).second) std::cout << short_id(*row.image) << "\n";
      }
    } else if (format_ == "json") {
      print_json(rows);
    } else {
      print_table(rows);
    }
    return kExitOk;
  }

 private:
  static void print_json(const std::vector<Row>& rows) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : rows) {
      out.push_back({{"Repository", row.repository}, {"Tag", row.tag}, {"ID", row.image->id.str()},
                     {"Digest", row.image->digest.str()}, {"Created", row.image->config.created},
                     {"Size", row.image->size}});
    }
    std::cout << to_json_text(out);
  }

  static void print_table(const std::vector<Row>& rows) {
    size_t repo_w = 10, tag_w = 3;
    for (const auto& row : rows) {
      repo_w = std::max(repo_w, row.repository.size());
      tag_w = std::max(tag_w, row.tag.size());
    }
    auto line = [&](const std::string& repo, const std::string& tag, const std::string& id,
                    const std::string& created, const std::string& size) {
      std::cout << std::left << std::setw(static_cast<int>(repo_w) + 3) << repo << std::setw(static_cast<int>(tag_w) + 3)
                << tag << std::setw(15) << id << std::setw(23) << created << size << "\n";
    };
    line("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
    for (const auto& row : rows) {
      std::string created = row.image->config.created.substr(0, 19);
      line(row.repository, row.tag, short_id(*row.image), created.empty() ? "-" : created,
           human_size(row.image->size));
    }
  }

  std::string name_;
  std::string format_ = "table";
  bool quiet_ = false;
};

[[maybe_unused]] const bool kImages = register_command(
    []() -> std::unique_ptr<Command> { return std::make_unique<ImageListCommand>("images"); });
[[maybe_unused]] const bool kLs = register_image_verb(
    []() -> std::unique_ptr<Command> { return std::make_unique<ImageListCommand>("ls"); });

}  // namespace
}  // namespace stack::cli
