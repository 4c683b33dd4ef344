// Which images a set of mounted layer directories keeps in use (image/layer_usage.hpp).
#include "image/layer_usage.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace stack::image {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Image image_with(std::string_view name, std::vector<std::string_view> layers) {
  Image image;
  image.digest = Digest::of(name);
  for (auto layer : layers) image.layers.push_back({Digest::of(std::string(layer) + "-blob"), Digest::of(layer), "", 0});
  return image;
}

TEST(ImagesUsingLayers, AnImageIsInUseWhenAnyOfItsLayersIsMounted) {
  const std::string layers = "/var/lib/stack/images/layers";
  Image base = image_with("base", {"l1"});
  Image app = image_with("app", {"l1", "l2"});  // shares its bottom layer with base
  Image other = image_with("other", {"l3"});
  std::vector<Image> all{base, app, other};

  // A container of app mounts l2 and l1: both images are in use, other is not.
  auto used = images_using_layers(all, layers, {layers + "/" + Digest::of("l2").hex(), layers + "/" + Digest::of("l1").hex()});
  EXPECT_EQ(used, (std::set<Digest>{base.digest, app.digest}));

  // Only app's top layer: app alone.
  EXPECT_THAT(images_using_layers(all, layers, {layers + "/" + Digest::of("l2").hex()}), ElementsAre(app.digest));
}

TEST(ImagesUsingLayers, PathsAreComparedNormalised) {
  const std::string layers = "/root/images/layers";
  Image other = image_with("other", {"l3"});
  const std::string hex = Digest::of("l3").hex();
  EXPECT_THAT(images_using_layers({other}, layers + "/", {"/root/images/./layers/" + hex + "/"}),
              ElementsAre(other.digest));
}

TEST(ImagesUsingLayers, DirectoriesOutsideTheLayerStoreAreNotLayers) {
  const std::string layers = "/root/images/layers";
  Image other = image_with("other", {"l3"});
  const std::string hex = Digest::of("l3").hex();
  // The init layer, a build's scratch root and a deeper path are not the store's layers.
  EXPECT_THAT(images_using_layers({other}, layers, {"/root/images/init/" + hex, "/elsewhere/layers/" + hex,
                                                    layers + "/" + hex + "/sub"}),
              IsEmpty());
  EXPECT_THAT(images_using_layers({other}, layers, {}), IsEmpty());
}

}  // namespace
}  // namespace stack::image
