#include "image/registry/blob_fetch.hpp"

namespace stack::image::registry {

using util::Errc;
using util::fail;

namespace {

constexpr uint64_t kProgressStep = 256u << 10;

struct Attempt {
  bool retryable = false;  // a transfer error: the partial file stays and the next try resumes
  uint64_t bytes = 0;
};

// One request; on success the writer holds the whole blob.
Result<void> transfer(Client& client, Http& http, BlobWriter& writer, const Descriptor& blob,
                      const BlobProgress& progress, const std::atomic<bool>* cancelled, Attempt& attempt) {
  uint64_t total = static_cast<uint64_t>(blob.size);
  uint64_t from = writer.offset();
  uint64_t last_report = from;
  bool first = true;
  BodySink sink = [&](long status, std::string_view chunk) -> Result<void> {
    if (cancelled != nullptr && cancelled->load()) return fail(Errc::conflict, "cancelled");
    if (first && status == 200 && writer.offset() > 0) STACK_TRY(writer.restart());  // range ignored
    first = false;
    STACK_TRY(writer.write(chunk));
    attempt.bytes += chunk.size();
    if (progress && writer.offset() - last_report >= kProgressStep) {
      last_report = writer.offset();
      progress(writer.offset(), total);
    }
    return util::ok();
  };
  std::optional<uint64_t> range = from > 0 ? std::optional<uint64_t>(from) : std::nullopt;
  auto response = client.blob(http, blob.digest, range, sink);
  if (!response) {
    // The writer refuses data past the expected size or after a failure: nothing to resume then.
    attempt.retryable = response.error().code() == Errc::io;
    return std::move(response).error();
  }
  if (response->status == 416) {
    attempt.retryable = true;
    STACK_TRY(writer.restart());
    return fail(Errc::io, "416 range not satisfiable");
  }
  if (response->status != 200 && response->status != 206) {
    attempt.retryable = response->status >= 500;
    return fail(Errc::conflict, status_message(*response));
  }
  if (progress) progress(writer.offset(), total);
  return util::ok();
}

}  // namespace

Result<BlobFetch> fetch_blob(Client& client, Http& http, const BlobStore& blobs, const Descriptor& blob,
                             int retries, const BlobProgress& progress, const std::atomic<bool>* cancelled) {
  BlobFetch out;
  std::string label = "blob " + blob.digest.short_str();
  if (blobs.contains(blob.digest)) {
    out.reused = true;
    return out;
  }
  if (blob.size <= 0) return fail(Errc::parse, label + ": descriptor has no size");
  for (int attempt_no = 0;; ++attempt_no) {
    auto writer = blobs.writer({.digest = blob.digest, .size = static_cast<uint64_t>(blob.size), .resume = true});
    if (!writer) return std::move(writer).error().context(label);
    if (writer->offset() > static_cast<uint64_t>(blob.size)) {
      if (auto r = writer->restart(); !r) return std::move(r).error().context(label);
    }
    Attempt attempt;
    Result<void> sent = util::ok();
    if (writer->offset() < static_cast<uint64_t>(blob.size)) {
      sent = transfer(client, http, *writer, blob, progress, cancelled, attempt);
    }
    out.bytes += attempt.bytes;
    if (sent) {
      auto committed = writer->commit();
      if (!committed) return std::move(committed).error().context(label);
      return out;
    }
    if (!attempt.retryable || attempt_no >= retries) return std::move(sent).error().context(label);
  }
}

}  // namespace stack::image::registry
