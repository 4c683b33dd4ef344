// The pure parts of a push: the URL that completes a blob upload from the registry's Location
// (absolute or relative, with or without a query) and the bearer token scope.
#include <gtest/gtest.h>

#include "image/registry/client.hpp"

namespace stack::image::registry {
namespace {

const Digest kPushedBlob = Digest::of("layer");

TEST(UploadUrl, RelativeLocationIsResolvedOnTheBase) {
  EXPECT_EQ(upload_url("http://127.0.0.1:5000", "/v2/a/b/blobs/uploads/u1", kPushedBlob),
            "http://127.0.0.1:5000/v2/a/b/blobs/uploads/u1?digest=sha256%3A" + kPushedBlob.hex());
  EXPECT_EQ(upload_url("https://r.example", "v2/a/blobs/uploads/u1", kPushedBlob),
            "https://r.example/v2/a/blobs/uploads/u1?digest=sha256%3A" + kPushedBlob.hex());
}

TEST(UploadUrl, AbsoluteLocationKeepsItsHostAndQuery) {
  EXPECT_EQ(upload_url("http://127.0.0.1:5000", "https://blobs.example/up/u1?_state=abc", kPushedBlob),
            "https://blobs.example/up/u1?_state=abc&digest=sha256%3A" + kPushedBlob.hex());
  EXPECT_EQ(upload_url("http://127.0.0.1:5000", "http://127.0.0.1:5000/v2/x/blobs/uploads/u1?", kPushedBlob),
            "http://127.0.0.1:5000/v2/x/blobs/uploads/u1?digest=sha256%3A" + kPushedBlob.hex());
}

TEST(UploadUrl, FragmentIsDropped) {
  EXPECT_EQ(upload_url("http://h", "/up/u1#frag", kPushedBlob), "http://h/up/u1?digest=sha256%3A" + kPushedBlob.hex());
}

TEST(TokenScope, PushAsksForPullAndPush) {
  EXPECT_EQ(token_scope("library/busybox", false), "repository:library/busybox:pull");
  EXPECT_EQ(token_scope("test/app", true), "repository:test/app:pull,push");
}

}  // namespace
}  // namespace stack::image::registry
