#include "net/nl/link_events.hpp"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <cerrno>

namespace stack::net::nl {

using util::Result;

namespace {

int on_message(nl_msg* msg, void* arg) {
  auto* batch = static_cast<LinkEvents::Batch*>(arg);
  nlmsghdr* hdr = nlmsg_hdr(msg);
  if (hdr->nlmsg_type != RTM_NEWLINK && hdr->nlmsg_type != RTM_DELLINK) return NL_OK;
  nlattr* attrs[IFLA_MAX + 1] = {};
  if (nlmsg_parse(hdr, sizeof(ifinfomsg), attrs, IFLA_MAX, nullptr) < 0 || attrs[IFLA_IFNAME] == nullptr) {
    return NL_OK;
  }
  batch->events.push_back({nla_get_string(attrs[IFLA_IFNAME]), hdr->nlmsg_type == RTM_DELLINK});
  return NL_OK;
}

}  // namespace

Result<LinkEvents> LinkEvents::open() {
  SockPtr sock(nl_socket_alloc());
  if (!sock) return util::fail(util::Errc::io, "netlink: cannot allocate socket", ENOMEM);
  nl_socket_disable_seq_check(sock.get());  // events are not answers to requests
  if (int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0) return error(err).context("link events");
  if (int err = nl_socket_add_membership(sock.get(), RTNLGRP_LINK); err < 0) {
    return error(err).context("link events: subscribing");
  }
  if (int err = nl_socket_set_nonblocking(sock.get()); err < 0) return error(err).context("link events");
  return LinkEvents(std::move(sock));
}

int LinkEvents::fd() const { return nl_socket_get_fd(sock_.get()); }

LinkEvents::Batch LinkEvents::read() {
  Batch batch;
  nl_socket_modify_cb(sock_.get(), NL_CB_VALID, NL_CB_CUSTOM, on_message, &batch);
  for (;;) {
    int err = nl_recvmsgs_default(sock_.get());
    if (err >= 0) continue;
    if (to_errno(err) == ENOBUFS || err == -NLE_NOMEM) batch.overrun = true;
    break;  // NLE_AGAIN: drained
  }
  return batch;
}

}  // namespace stack::net::nl
