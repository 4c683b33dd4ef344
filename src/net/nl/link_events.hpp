// Link events from the kernel: a NETLINK_ROUTE socket subscribed to RTNLGRP_LINK, for the daemon
// to learn at once that a bridge or veth it made was deleted from outside (no polling). The socket
// listens in the netns of the thread that opened it.
#pragma once

#include <string>
#include <vector>

#include "net/nl/socket.hpp"
#include "util/result.hpp"

namespace stack::net::nl {

struct LinkEvent {
  std::string name;
  bool deleted = false;  // RTM_DELLINK; otherwise a new link or a change (RTM_NEWLINK)
};

class LinkEvents {
 public:
  static util::Result<LinkEvents> open();

  int fd() const;
  // The events waiting on the socket (non-blocking; empty when none). After an overrun (ENOBUFS:
  // the kernel dropped events) it returns overrun = true: the caller must re-read everything.
  struct Batch {
    std::vector<LinkEvent> events;
    bool overrun = false;
  };
  Batch read();

 private:
  explicit LinkEvents(SockPtr sock) : sock_(std::move(sock)) {}
  SockPtr sock_;
};

}  // namespace stack::net::nl
