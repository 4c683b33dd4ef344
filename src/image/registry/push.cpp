// push_image(): the local manifest names the config and layer blobs; each is checked with HEAD
// and uploaded when missing, then the manifest is put under the tag. Blobs are read from the store
// while an ingest holds its shared lock, so a concurrent prune cannot remove them mid-upload.
#include "image/push.hpp"

#include "image/manifest.hpp"
#include "image/reference.hpp"
#include "image/registry/client.hpp"

namespace stack::image {

using registry::Client;
using registry::Http;
using util::Errc;
using util::fail;

namespace {

Result<bool> push_blob(Client& client, Http& http, const BlobStore& blobs, const Descriptor& d, bool is_config,
                       const PushOptions& options) {
  auto emit = [&](PushEvent::Kind kind) {
    if (options.progress) options.progress(PushEvent{kind, d.digest, is_config, static_cast<uint64_t>(d.size)});
  };
  STACK_ASSIGN_OR_RETURN(bool present, client.has_blob(http, d.digest));
  if (present) {
    emit(PushEvent::Kind::exists);
    return false;
  }
  auto local = blobs.size(d.digest);
  if (!local) return fail(Errc::not_found, "blob " + d.digest.short_str() + " is not in the local store");
  emit(PushEvent::Kind::pushing);
  STACK_TRY(client.upload_blob(http, d.digest, blobs.path(d.digest)));
  emit(PushEvent::Kind::pushed);
  return true;
}

Result<PushResult> push_resolved(Store& store, const Reference& ref, const PushOptions& options) {
  if (ref.digest()) return fail(Errc::unsupported, "pushing by digest is not supported: name a tag");
  STACK_ASSIGN_OR_RETURN(std::optional<Image> image, store.find(ref.str()));
  if (!image) return fail(Errc::not_found, "no such image in the store");
  STACK_ASSIGN_OR_RETURN(std::unique_ptr<Ingest> ingest, store.begin_ingest());
  STACK_ASSIGN_OR_RETURN(std::string body, ingest->blobs().read(image->digest));
  return push_manifest(ingest->blobs(), ref, body, options);
}

}  // namespace

Result<PushResult> push_manifest(const BlobStore& blobs, const Reference& ref, const std::string& body,
                                 const PushOptions& options) {
  if (!ref.tag()) return fail(Errc::unsupported, "pushing by digest is not supported: name a tag");
  STACK_ASSIGN_OR_RETURN(DocumentKind kind, document_kind(body));
  if (kind != DocumentKind::manifest) {
    return fail(Errc::unsupported, "the stored manifest is an index: pushing indexes is not supported");
  }
  STACK_ASSIGN_OR_RETURN(Manifest manifest, parse_manifest(body));
  registry::ClientOptions client_options{registry::insecure_from_env(), options.credentials, true};
  client_options.insecure.insert(client_options.insecure.end(), options.insecure.begin(), options.insecure.end());
  STACK_ASSIGN_OR_RETURN(Client client, Client::create(ref, client_options));
  Http http;
  PushResult result;
  auto count = [&result](bool pushed) { ++(pushed ? result.blobs_pushed : result.blobs_existing); };
  for (const Descriptor& layer : manifest.layers) {
    STACK_ASSIGN_OR_RETURN(bool pushed, push_blob(client, http, blobs, layer, false, options));
    count(pushed);
  }
  STACK_ASSIGN_OR_RETURN(bool pushed, push_blob(client, http, blobs, manifest.config, true, options));
  count(pushed);
  STACK_TRY(client.put_manifest(http, *ref.tag(), manifest.media_type, body));
  result.tag = *ref.tag();
  result.digest = Digest::of(body);
  result.size = body.size();
  return result;
}

Result<PushResult> push_image(Store& store, std::string_view text, const PushOptions& options) {
  auto ref = Reference::parse(text);
  if (!ref) return std::move(ref).error().context("push '" + std::string(text) + "'");
  return push_resolved(store, *ref, options).context("push " + ref->familiar());
}

}  // namespace stack::image
