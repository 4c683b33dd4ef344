// pull(): resolve the manifest (index -> this platform's manifest), fetch the config, then the layers
// on a few threads, each with its own connection; record the image. ensure_image() applies the
// pull policy.
#include "image/pull.hpp"

#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>

#include "image/manifest.hpp"
#include "image/reference.hpp"
#include "image/registry/blob_fetch.hpp"
#include "image/registry/client.hpp"

namespace stack::image {

using registry::Client;
using registry::Http;
using util::Errc;
using util::fail;

namespace {

std::string platform_name(const Platform& p) {
  return p.os + "/" + p.architecture + (p.variant.empty() ? "" : "/" + p.variant);
}

// Serialises progress calls and accumulates the statistics of every thread.
class Reporter {
 public:
  Reporter(const PullOptions& options, std::string ref) : options_(options), ref_(std::move(ref)) {}

  void emit(PullEvent::Kind kind, const Descriptor* blob = nullptr, bool is_config = false,
            uint64_t current = 0) {
    if (!options_.progress) return;
    PullEvent e{kind, ref_};
    if (blob != nullptr) {
      e.blob = blob->digest;
      e.total = static_cast<uint64_t>(blob->size);
    }
    e.is_config = is_config;
    e.current = current;
    std::lock_guard lock(mutex_);
    options_.progress(e);
  }
  void count(const registry::BlobFetch& f) {
    std::lock_guard lock(mutex_);
    stats_.bytes_downloaded += f.bytes;
    if (f.reused) {
      ++stats_.blobs_reused;
    } else {
      ++stats_.blobs_downloaded;
    }
  }
  void add_requests(size_t n) {
    std::lock_guard lock(mutex_);
    stats_.requests += n;
  }
  PullStats stats() const { return stats_; }

 private:
  const PullOptions& options_;
  std::string ref_;
  std::mutex mutex_;
  PullStats stats_;
};

Result<void> fetch_one(Client& client, Http& http, const BlobStore& blobs, const Descriptor& d, bool is_config,
                       const PullOptions& options, Reporter& reporter, const std::atomic<bool>* cancelled) {
  auto progress = [&](uint64_t current, uint64_t) {
    reporter.emit(PullEvent::Kind::downloading, &d, is_config, current);
  };
  auto fetched = registry::fetch_blob(client, http, blobs, d, options.retries, progress, cancelled);
  if (!fetched) {
    reporter.emit(PullEvent::Kind::failed, &d, is_config);
    return std::move(fetched).error();
  }
  reporter.count(*fetched);
  reporter.emit(fetched->reused ? PullEvent::Kind::exists : PullEvent::Kind::done, &d, is_config,
                static_cast<uint64_t>(d.size));
  return util::ok();
}

// Layers on up to max_concurrent_downloads threads; the first error cancels the others.
Result<void> fetch_layers(const Client& client, const BlobStore& blobs, const std::vector<Descriptor>& layers,
                          const PullOptions& options, Reporter& reporter) {
  for (const auto& d : layers) reporter.emit(PullEvent::Kind::waiting, &d);
  std::atomic<size_t> next{0};
  std::atomic<bool> cancelled{false};
  std::mutex error_mutex;
  std::optional<util::Error> first_error;
  auto worker = [&] {
    Client own = client;  // shares the authorisation state
    Http http;
    for (size_t i = next++; i < layers.size() && !cancelled; i = next++) {
      auto r = fetch_one(own, http, blobs, layers[i], false, options, reporter, &cancelled);
      if (!r) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = std::move(r).error();
        cancelled = true;
      }
    }
    reporter.add_requests(http.requests());
  };
  size_t n = std::min<size_t>(layers.size(), static_cast<size_t>(std::max(1, options.max_concurrent_downloads)));
  std::vector<std::thread> threads;
  try {
    for (size_t i = 1; i < n; ++i) threads.emplace_back(worker);
  } catch (const std::system_error&) {
    // Fewer threads is still a pull: the calling thread works through the queue too.
  }
  worker();
  for (auto& t : threads) t.join();
  if (first_error) return std::move(*first_error);
  return util::ok();
}

// The manifest for this platform: the document itself, or the index entry for this machine.
Result<registry::FetchedManifest> resolve_manifest(Client& client, Http& http, const Reference& ref) {
  std::string wanted = ref.digest() ? ref.digest()->str() : *ref.tag();
  STACK_ASSIGN_OR_RETURN(auto fetched, client.manifest(http, wanted));
  STACK_ASSIGN_OR_RETURN(DocumentKind kind, document_kind(fetched.body));
  if (kind == DocumentKind::manifest) return fetched;
  STACK_ASSIGN_OR_RETURN(Index index, parse_index(fetched.body));
  Platform host = host_platform();
  std::optional<Descriptor> chosen = select_platform(index, host);
  if (!chosen) {
    std::string offered;
    for (const auto& d : index.manifests) {
      if (d.platform) offered += (offered.empty() ? "" : ", ") + platform_name(*d.platform);
    }
    return fail(Errc::not_found, "no manifest for " + platform_name(host) + " (the index offers " +
                                     (offered.empty() ? "none" : offered) + ")");
  }
  STACK_ASSIGN_OR_RETURN(auto platform_manifest, client.manifest(http, chosen->digest.str()));
  STACK_ASSIGN_OR_RETURN(DocumentKind inner, document_kind(platform_manifest.body));
  if (inner != DocumentKind::manifest) return fail(Errc::parse, "index entry " + chosen->digest.str() + " is an index");
  return platform_manifest;
}

Result<PullResult> pull_resolved(Store& store, const Reference& ref, const PullOptions& options) {
  registry::ClientOptions client_options{registry::insecure_from_env(), options.credentials};
  client_options.insecure.insert(client_options.insecure.end(), options.insecure.begin(), options.insecure.end());
  STACK_ASSIGN_OR_RETURN(Client client, Client::create(ref, client_options));
  Reporter reporter(options, ref.str());
  Http http;
  reporter.emit(PullEvent::Kind::resolving);
  auto fetched = resolve_manifest(client, http, ref);
  reporter.add_requests(http.requests());
  if (!fetched) return std::move(fetched).error();
  STACK_ASSIGN_OR_RETURN(Manifest manifest, parse_manifest(fetched->body));
  STACK_ASSIGN_OR_RETURN(std::unique_ptr<Ingest> ingest, store.begin_ingest());
  const BlobStore& blobs = ingest->blobs();
  size_t before = http.requests();
  auto config = fetch_one(client, http, blobs, manifest.config, true, options, reporter, nullptr);
  reporter.add_requests(http.requests() - before);
  if (!config) return std::move(config).error();
  STACK_TRY(fetch_layers(client, blobs, manifest.layers, options, reporter));
  STACK_TRY(blobs.write(fetched->body, fetched->digest));
  std::vector<std::string> tags;
  if (ref.tag_key()) tags.push_back(*ref.tag_key());
  STACK_ASSIGN_OR_RETURN(ImageRef added, ingest->commit(fetched->digest, tags));
  ingest.reset();  // releases the store lock
  STACK_ASSIGN_OR_RETURN(std::optional<Image> image, store.find(added.digest.str()));
  if (!image) return fail(Errc::internal, "pulled image " + added.digest.short_str() + " is not in the store");
  return PullResult{std::move(*image), reporter.stats()};
}

}  // namespace

Result<PullPolicy> parse_pull_policy(std::string_view text) {
  if (text == "always") return PullPolicy::always;
  if (text == "missing" || text == "if_not_present") return PullPolicy::missing;
  if (text == "never") return PullPolicy::never;
  return fail(Errc::invalid_argument, "invalid pull policy '" + std::string(text) +
                                          "' (always, missing, if_not_present or never)");
}

Result<PullResult> pull_image(Store& store, std::string_view text, const PullOptions& options) {
  auto ref = Reference::parse(text);
  if (!ref) return std::move(ref).error().context("pull '" + std::string(text) + "'");
  return pull_resolved(store, *ref, options).context("pull " + ref->str());
}

Result<Image> pull(Store& store, std::string_view ref, const PullOptions& options) {
  STACK_ASSIGN_OR_RETURN(PullResult result, pull_image(store, ref, options));
  return std::move(result.image);
}

Result<Image> ensure_image(Store& store, std::string_view ref, PullPolicy policy, const PullOptions& options) {
  if (policy != PullPolicy::always) {
    STACK_ASSIGN_OR_RETURN(std::optional<Image> found, store.find(ref));
    if (found) return std::move(*found);
    if (policy == PullPolicy::never) {
      return fail(Errc::not_found, "image '" + std::string(ref) + "' is not in the store and pull_policy is never");
    }
  }
  return pull(store, ref, options);
}

}  // namespace stack::image
