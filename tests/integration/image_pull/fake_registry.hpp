// A fake registry over TestServer for what a real one will not do on demand: serve a corrupt blob,
// drop a connection midway, ignore ranges, demand a Bearer token from its own token endpoint
// (/token), serve a manifest that does not match its digest. Holds one small image whose layer
// is ~300 KB of incompressible data, so that a transfer can be cut in the middle.
#pragma once

#include <atomic>
#include <random>

#include "http_server.hpp"
#include "image/registry/credentials.hpp"
#include "../image/image_fixture.hpp"

namespace stack::image::testing_support {

struct FakeImage {
  std::string manifest;
  Digest digest;
  Digest config;
  Digest layer;
  std::map<std::string, std::string> blobs;  // "sha256:..." -> bytes
};

inline FakeImage make_fake_image() {
  std::mt19937 rng(42);
  std::string noise(300000, '\0');
  for (char& c : noise) c = static_cast<char>(rng() & 0xff);
  std::string tar = tar_bytes({dir("bin"), file("bin/noise", noise)});
  std::string layer = compress(tar, Compression::gzip);
  std::string config = nlohmann::json{{"architecture", "amd64"}, {"os", "linux"}, {"config", {{"Cmd", {"sh"}}}},
                                      {"rootfs", {{"type", "layers"}, {"diff_ids", {Digest::of(tar).str()}}}}}
                           .dump();
  FakeImage img;
  img.layer = Digest::of(layer);
  img.config = Digest::of(config);
  img.manifest = nlohmann::json{{"schemaVersion", 2},
                                {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                                            {"digest", img.config.str()}, {"size", config.size()}}},
                                {"layers", {{{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                                             {"digest", img.layer.str()}, {"size", layer.size()}}}}}
                     .dump();
  img.digest = Digest::of(img.manifest);
  img.blobs[img.layer.str()] = layer;
  img.blobs[img.config.str()] = config;
  return img;
}

struct FakeBehaviour {
  bool bearer = false;               // demand "Bearer good-token", issued by /token
  std::optional<registry::Credentials> token_user;  // /token then demands Basic with these
  bool corrupt_layer = false;        // flip one byte of the layer
  std::atomic<int> cut_layer_times{0};  // cut this many layer transfers halfway
  bool ignore_range = false;         // answer ranged requests with the whole blob
  bool lie_manifest = false;         // serve another body under the manifest's digest
};

class FakeRegistry {
 public:
  FakeRegistry() : image_(make_fake_image()), server_([this](const TestRequest& r) { return handle(r); }) {}

  FakeBehaviour& behaviour() { return b_; }
  const FakeImage& image() const { return image_; }
  std::string domain() const { return server_.authority(); }
  std::vector<TestRequest> requests() const { return server_.requests(); }
  size_t count(const std::string& path_part) const {
    size_t n = 0;
    for (const auto& r : server_.requests()) n += r.path().find(path_part) != std::string::npos;
    return n;
  }

 private:
  TestResponse unauthorized() const {
    return {401,
            {{"WWW-Authenticate", "Bearer realm=\"http://" + server_.authority() +
                                      "/token\",service=\"fake-registry\",scope=\"repository:test/fake:pull\""},
             {"Content-Type", "application/json"}},
            R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})"};
  }

  TestResponse token(const TestRequest& r) const {
    if (b_.token_user &&
        r.header("authorization") != "Basic " + registry::base64_encode(b_.token_user->username + ":" +
                                                                         b_.token_user->password)) {
      return {401, {}, R"({"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]})"};
    }
    return {200, {{"Content-Type", "application/json"}}, R"({"token":"good-token","expires_in":300})"};
  }

  TestResponse handle(const TestRequest& r) {
    std::string path = r.path();
    if (path == "/token") return token(r);
    if (b_.bearer && r.header("authorization") != "Bearer good-token") return unauthorized();
    if (path == "/v2/") return {200, {}, "{}"};
    const std::string manifests = "/v2/test/fake/manifests/";
    const std::string blobs = "/v2/test/fake/blobs/";
    if (path.starts_with(manifests)) {
      std::string ref = path.substr(manifests.size());
      if (ref != "latest" && ref != image_.digest.str()) return {404, {}, R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})"};
      std::string body = b_.lie_manifest ? image_.manifest + " " : image_.manifest;
      return {200, {{"Content-Type", "application/vnd.oci.image.manifest.v1+json"}}, body};
    }
    if (path.starts_with(blobs)) {
      auto it = image_.blobs.find(path.substr(blobs.size()));
      if (it == image_.blobs.end()) return {404, {}, R"({"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]})"};
      std::string body = it->second;
      bool is_layer = it->first == image_.layer.str();
      if (is_layer && b_.corrupt_layer) body[body.size() / 2] ^= 0x55;
      TestResponse resp{200, {{"Content-Type", "application/octet-stream"}}, body};
      std::string range = r.header("range");
      if (!range.empty() && !b_.ignore_range) {
        size_t from = std::stoul(range.substr(6));  // "bytes=N-"
        resp.status = 206;
        resp.body = body.substr(from);
        resp.headers.push_back({"Content-Range", "bytes " + std::to_string(from) + "-" +
                                                     std::to_string(body.size() - 1) + "/" + std::to_string(body.size())});
      }
      if (is_layer && b_.cut_layer_times > 0) {
        --b_.cut_layer_times;
        resp.cut_after = resp.body.size() / 2;
      }
      return resp;
    }
    return {404, {}, "{}"};
  }

  FakeImage image_;
  FakeBehaviour b_;
  TestServer server_;
};

}  // namespace stack::image::testing_support
