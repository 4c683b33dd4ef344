// A client for one repository of one registry (OCI distribution API v2). It owns the
// authorisation state, shared by the download threads: the first 401 is answered from its
// WWW-Authenticate challenge (Basic with the user's credentials, or a Bearer token from the realm,
// anonymous or with credentials) and the request is sent again. Each thread passes its own Http.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "image/digest.hpp"
#include "image/reference.hpp"
#include "image/registry/credentials.hpp"
#include "image/registry/endpoint.hpp"
#include "image/registry/http.hpp"

namespace stack::image::registry {

struct ClientOptions {
  std::vector<std::string> insecure;       // registries reached over plain http (besides loopback)
  std::optional<Credentials> credentials;  // none: looked up in the docker config
  bool push = false;                       // a bearer token is asked for pull and push
};

struct FetchedManifest {
  std::string media_type;  // Content-Type, else the document's mediaType
  std::string body;
  Digest digest;           // sha256 of body
};

class Client {
 public:
  static Result<Client> create(const Reference& ref, const ClientOptions& options);

  const Endpoint& endpoint() const { return endpoint_; }
  std::string repository() const { return repository_; }

  // GET /v2/<name>/manifests/<tag or digest> with every manifest type in Accept. By digest, the
  // body must hash to it; by tag, it must match Docker-Content-Digest when the registry sends one.
  Result<FetchedManifest> manifest(Http& http, const std::string& tag_or_digest);
  // GET /v2/<name>/blobs/<digest>, a 2xx body streamed into sink (ranged from range_from).
  Result<HttpResponse> blob(Http& http, const Digest& digest, std::optional<uint64_t> range_from,
                            const BodySink& sink);

  // HEAD /v2/<name>/blobs/<digest>: whether the repository has the blob.
  Result<bool> has_blob(Http& http, const Digest& digest);
  // A monolithic upload of the file at path, which must hash to digest: POST
  // /v2/<name>/blobs/uploads/, then PUT <Location>?digest=<digest> with the whole blob.
  Result<void> upload_blob(Http& http, const Digest& digest, const std::string& path);
  // PUT /v2/<name>/manifests/<tag> with body exactly as given (its digest is the image's).
  Result<void> put_manifest(Http& http, const std::string& tag, const std::string& media_type,
                            const std::string& body);

 private:
  Client() = default;
  // Sends request with the current authorisation; on 401 authenticates once and sends it again.
  Result<HttpResponse> send(Http& http, HttpRequest request, const BodySink* sink);
  Result<void> authenticate(Http& http, const HttpResponse& unauthorized, const std::string& used);
  Result<std::string> bearer_token(Http& http, const std::string& realm, const std::string& service,
                                   const std::string& scope);

  Endpoint endpoint_;
  std::string repository_;  // "library/busybox"
  std::vector<std::string> insecure_;
  std::optional<Credentials> credentials_;
  bool push_ = false;
  std::shared_ptr<std::mutex> mutex_ = std::make_shared<std::mutex>();
  std::shared_ptr<std::string> authorization_ = std::make_shared<std::string>();  // header value
};

// The bearer token scope a client asks for: "repository:<name>:pull" or "repository:<name>:pull,push".
std::string token_scope(const std::string& repository, bool push);

// The URL that completes an upload: Location (absolute, or a path on base) with "digest=<digest>"
// added to its query. Pure.
std::string upload_url(const std::string& base, const std::string& location, const Digest& digest);

// "401 unauthorized: authentication required" from a registry error response.
std::string status_message(const HttpResponse& response);

}  // namespace stack::image::registry
