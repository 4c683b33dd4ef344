// NetlinkNetwork: net::Network on rtnetlink through the nl:: wrappers. Bridges in bridge.cpp,
// veth attachments in veth.cpp. Stateless: every call re-reads the kernel, so a reconcile pass
// may call it again after a crash and converge.
#pragma once

#include <vector>

#include "net/network.hpp"
#include "net/nl/link.hpp"

namespace stack::net {

class NetlinkNetwork final : public Network {
 public:
  util::Result<BridgeInfo> ensure_bridge(const NetworkSpec& spec) override;
  util::Result<bool> remove_bridge(const std::string& name) override;
  util::Result<void> attach(int netns_fd, const Attachment& attachment) override;
  util::Result<bool> detach(const std::string& host_veth) override;
  util::Result<bool> is_attached(const std::string& host_veth, const std::string& bridge) override;
};

// The links of the calling thread's netns whose names say stack made them (bridges, host veths
// and peers left on the host by an interrupted attach): what recovery and `down` look at.
util::Result<std::vector<nl::LinkInfo>> list_owned_links();

}  // namespace stack::net
