// A fixture for tests that need a peer behind a bridge: a bridge in a free test subnet with the
// gateway address .1 on the host, and one network namespace (held by a child) attached at .2.
// TearDown removes the veth and the bridge by exact name and checks that they are gone.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <optional>

#include "net/naming.hpp"
#include "net/netns.hpp"
#include "net/network.hpp"
#include "net/nl/link.hpp"
#include "net_test_support.hpp"
#include "test_tag.hpp"

namespace stack::net::testing {

class BridgedNetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "integration tests run as root";
    tag_ = unique_test_tag("bt-");
    auto picked = pick_test_subnet(tag_);
    ASSERT_TRUE(picked) << picked.error().message();
    subnet_ = *picked;
    network_ = tag_ + "_net";
    gateway_ = host(subnet_, 1);
    peer_ = host(subnet_, 2);
    spec_ = {network_, bridge_name(network_), {gateway_, 24}, 0};
    auto bridge = network_impl_->ensure_bridge(spec_);
    ASSERT_TRUE(bridge) << bridge.error().message();
    auto holder = NetnsHolder::spawn();
    ASSERT_TRUE(holder) << holder.error().message();
    holder_.emplace(std::move(*holder));
    Attachment a;
    a.bridge = spec_.bridge;
    a.host_veth = host_veth_name(tag_, network_);
    a.address = {peer_, 24};
    a.gateway = gateway_;
    host_veth_ = a.host_veth;
    auto attached = network_impl_->attach_pid(holder_->pid(), a);
    ASSERT_TRUE(attached) << attached.error().message();
    auto ns = Netns::of_pid(holder_->pid());
    ASSERT_TRUE(ns) << ns.error().message();
    netns_.emplace(std::move(*ns));
  }

  void TearDown() override {
    netns_.reset();
    if (holder_) holder_->release();
    (void)network_impl_->detach(host_veth_);
    (void)network_impl_->remove_bridge(spec_.bridge);
    for (const std::string& name : {spec_.bridge, host_veth_, peer_of_host_veth(host_veth_)}) {
      auto link = nl::find_link(name);
      ASSERT_TRUE(link);
      EXPECT_FALSE(link->has_value()) << "left behind: link " << name;
    }
  }

  int netns_fd() const { return netns_->fd(); }

  std::string tag_, network_, host_veth_;
  Subnet subnet_;
  Ipv4 gateway_, peer_;
  NetworkSpec spec_;
  std::unique_ptr<Network> network_impl_ = make_netlink_network();
  std::optional<NetnsHolder> holder_;
  std::optional<Netns> netns_;
};

}  // namespace stack::net::testing
