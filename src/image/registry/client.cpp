#include "image/registry/client.hpp"

#include <nlohmann/json.hpp>

#include "image/manifest.hpp"
#include "image/registry/auth_challenge.hpp"

namespace stack::image::registry {

using nlohmann::json;
using util::Errc;
using util::fail;

namespace {

constexpr size_t kMaxManifest = 4u << 20;

const char* reason(long status) {
  switch (status) {
    case 400: return "bad request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not found";
    case 416: return "range not satisfiable";
    case 429: return "too many requests";
    case 500: return "internal server error";
    case 502: return "bad gateway";
    case 503: return "service unavailable";
    default: return "unexpected status";
  }
}

std::string lower_words(std::string code) {
  for (char& c : code) c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return code;
}

std::string accept_header() {
  return "Accept: " + std::string(media::kOciIndex) + ", " + std::string(media::kOciManifest) + ", " +
         std::string(media::kDockerList) + ", " + std::string(media::kDockerManifest);
}

// "application/json; charset=utf-8" -> "application/json"
std::string bare_media_type(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

}  // namespace

std::string token_scope(const std::string& repository, bool push) {
  return "repository:" + repository + (push ? ":pull,push" : ":pull");
}

std::string upload_url(const std::string& base, const std::string& location, const Digest& digest) {
  std::string url = location;
  if (location.find("://") == std::string::npos) {
    url = base + (location.starts_with("/") ? "" : "/") + location;
  }
  size_t fragment = url.find('#');
  if (fragment != std::string::npos) url.erase(fragment);
  char joiner = url.find('?') == std::string::npos ? '?' : '&';
  if (url.back() == '?' || url.back() == '&') joiner = 0;
  return url + (joiner ? std::string(1, joiner) : std::string()) + "digest=" + url_escape(digest.str());
}

std::string status_message(const HttpResponse& response) {
  std::string head = std::to_string(response.status) + " ";
  json body = json::parse(response.body, nullptr, false);
  if (!body.is_discarded() && body.is_object() && body.contains("errors") && body["errors"].is_array() &&
      !body["errors"].empty() && body["errors"][0].is_object()) {
    const json& e = body["errors"][0];
    std::string code = e.value("code", std::string());
    std::string message = e.value("message", std::string());
    if (!code.empty()) return head + lower_words(code) + (message.empty() ? "" : ": " + message);
  }
  return head + reason(response.status);
}

Result<Client> Client::create(const Reference& ref, const ClientOptions& options) {
  Client c;
  c.insecure_ = options.insecure;
  c.endpoint_ = endpoint_for(ref.domain(), c.insecure_);
  c.repository_ = ref.path();
  c.push_ = options.push;
  if (options.credentials) {
    c.credentials_ = options.credentials;
  } else {
    STACK_ASSIGN_OR_RETURN(c.credentials_, load_credentials(ref.domain()));
  }
  return c;
}

Result<HttpResponse> Client::send(Http& http, HttpRequest request, const BodySink* sink) {
  request.allow_http_redirects = endpoint_.plain_http;
  std::vector<std::string> base_headers = request.headers;
  for (int attempt = 0;; ++attempt) {
    std::string used;
    {
      std::lock_guard lock(*mutex_);
      used = *authorization_;
    }
    request.headers = base_headers;
    if (!used.empty()) request.headers.push_back("Authorization: " + used);
    Result<HttpResponse> response = sink ? http.stream(request, *sink) : http.fetch(request, kMaxManifest);
    if (!response || response->status != 401 || attempt > 0) return response;
    STACK_TRY(authenticate(http, *response, used));
  }
}

Result<void> Client::authenticate(Http& http, const HttpResponse& unauthorized, const std::string& used) {
  std::lock_guard lock(*mutex_);
  if (*authorization_ != used) return util::ok();  // another thread already did
  std::string header = unauthorized.header("www-authenticate");
  if (header.empty()) return fail(Errc::conflict, status_message(unauthorized));
  STACK_ASSIGN_OR_RETURN(Challenge challenge, parse_challenge(header));
  if (challenge.scheme == "basic") {
    if (!credentials_) return fail(Errc::conflict, status_message(unauthorized) + " (no credentials for '" +
                                                       endpoint_.domain + "')");
    *authorization_ = "Basic " + base64_encode(credentials_->username + ":" + credentials_->password);
    return util::ok();
  }
  if (challenge.scheme != "bearer") {
    return fail(Errc::unsupported, "unsupported authentication scheme '" + challenge.scheme + "'");
  }
  // A push asks for both actions up front: a token from a HEAD's challenge would only allow pull.
  std::string scope = push_ ? token_scope(repository_, true) : challenge.param("scope");
  if (scope.empty()) scope = token_scope(repository_, false);
  STACK_ASSIGN_OR_RETURN(std::string token,
                         bearer_token(http, challenge.param("realm"), challenge.param("service"), scope));
  *authorization_ = "Bearer " + token;
  return util::ok();
}

Result<std::string> Client::bearer_token(Http& http, const std::string& realm, const std::string& service,
                                         const std::string& scope) {
  if (realm.empty()) return fail(Errc::parse, "bearer challenge without a realm");
  bool https = realm.starts_with("https://");
  if (!https && !(realm.starts_with("http://") && is_insecure(url_authority(realm), insecure_))) {
    return fail(Errc::conflict, "token realm '" + realm + "' is not https");
  }
  HttpRequest request;
  request.url = realm + (realm.find('?') == std::string::npos ? "?" : "&") + "scope=" + url_escape(scope);
  if (!service.empty()) request.url += "&service=" + url_escape(service);
  if (credentials_) {
    request.headers.push_back("Authorization: Basic " +
                              base64_encode(credentials_->username + ":" + credentials_->password));
  }
  STACK_ASSIGN_OR_RETURN(HttpResponse response, http.fetch(request, 1u << 20));
  if (response.status != 200) return fail(Errc::conflict, "token: " + status_message(response));
  json body = json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return fail(Errc::parse, "token: response is not JSON");
  for (const char* key : {"token", "access_token"}) {
    if (body.contains(key) && body[key].is_string() && !body[key].get<std::string>().empty()) {
      return body[key].get<std::string>();
    }
  }
  return fail(Errc::parse, "token: response has no token");
}

Result<FetchedManifest> Client::manifest(Http& http, const std::string& tag_or_digest) {
  HttpRequest request;
  request.url = endpoint_.base + "/v2/" + repository_ + "/manifests/" + tag_or_digest;
  request.headers.push_back(accept_header());
  STACK_ASSIGN_OR_RETURN(HttpResponse response, send(http, std::move(request), nullptr));
  if (response.status == 404) {
    return fail(Errc::not_found, "manifest '" + tag_or_digest + "': " + status_message(response));
  }
  if (response.status != 200) return fail(Errc::conflict, "manifest '" + tag_or_digest + "': " + status_message(response));
  FetchedManifest m;
  m.digest = Digest::of(response.body);
  if (tag_or_digest.starts_with("sha256:") && m.digest.str() != tag_or_digest) {
    return fail(Errc::parse, "manifest digest mismatch: asked for " + tag_or_digest + ", got " + m.digest.str());
  }
  std::string advertised = response.header("docker-content-digest");
  if (!advertised.empty() && advertised != m.digest.str()) {
    return fail(Errc::parse, "manifest '" + tag_or_digest + "': body hashes to " + m.digest.str() +
                                 ", registry says " + advertised);
  }
  m.media_type = bare_media_type(response.header("content-type"));
  m.body = std::move(response.body);
  return m;
}

Result<HttpResponse> Client::blob(Http& http, const Digest& digest, std::optional<uint64_t> range_from,
                                  const BodySink& sink) {
  HttpRequest request;
  request.url = endpoint_.base + "/v2/" + repository_ + "/blobs/" + digest.str();
  request.range_from = range_from;
  return send(http, std::move(request), &sink);
}

Result<bool> Client::has_blob(Http& http, const Digest& digest) {
  HttpRequest request;
  request.method = "HEAD";
  request.url = endpoint_.base + "/v2/" + repository_ + "/blobs/" + digest.str();
  STACK_ASSIGN_OR_RETURN(HttpResponse response, send(http, std::move(request), nullptr));
  if (response.status == 200) return true;
  if (response.status == 404) return false;
  return fail(Errc::conflict, "blob " + digest.short_str() + ": " + status_message(response));
}

Result<void> Client::upload_blob(Http& http, const Digest& digest, const std::string& path) {
  HttpRequest start;
  start.method = "POST";
  start.url = endpoint_.base + "/v2/" + repository_ + "/blobs/uploads/";
  STACK_ASSIGN_OR_RETURN(HttpResponse started, send(http, std::move(start), nullptr));
  std::string location = started.header("location");
  if (started.status != 202 || location.empty()) {
    return fail(Errc::conflict, "starting the upload of " + digest.short_str() + ": " +
                                    (started.status == 202 ? "no Location in the response" : status_message(started)));
  }
  HttpRequest put;
  put.method = "PUT";
  put.url = upload_url(endpoint_.base, location, digest);
  put.headers.push_back("Content-Type: application/octet-stream");
  put.body_file = path;
  STACK_ASSIGN_OR_RETURN(HttpResponse done, send(http, std::move(put), nullptr));
  if (done.status != 201) return fail(Errc::conflict, "uploading " + digest.short_str() + ": " + status_message(done));
  return util::ok();
}

Result<void> Client::put_manifest(Http& http, const std::string& tag, const std::string& media_type,
                                  const std::string& body) {
  HttpRequest request;
  request.method = "PUT";
  request.url = endpoint_.base + "/v2/" + repository_ + "/manifests/" + tag;
  request.headers.push_back("Content-Type: " + media_type);
  request.body = body;
  STACK_ASSIGN_OR_RETURN(HttpResponse response, send(http, std::move(request), nullptr));
  if (response.status != 201) return fail(Errc::conflict, "manifest '" + tag + "': " + status_message(response));
  std::string advertised = response.header("docker-content-digest");
  Digest sent = Digest::of(body);
  if (!advertised.empty() && advertised != sent.str()) {
    return fail(Errc::parse, "manifest '" + tag + "': registry stored it as " + advertised + ", not " + sent.str());
  }
  return util::ok();
}

}  // namespace stack::image::registry
