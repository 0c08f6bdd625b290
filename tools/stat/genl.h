// SPDX-License-Identifier: GPL-2.0
/*
 * The client side of the module's generic netlink family "atcp", on
 * libnl-genl-3: resolve the family, dump sockets, read the counters, follow
 * the events group.  Replies go through parse.h.
 */
#pragma once

#include "record.h"
#include "result.h"

#include <linux/netlink.h>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

struct nl_sock;

namespace atcp_tools {

// ATCP_CMD_SOCK_GET's filters; what is unset matches every socket.
struct SockFilter {
    std::optional<uint32_t> states; // (1 << enum atcp_state) bits
    std::optional<uint16_t> local_port, remote_port;
    bool listeners = false;
    bool info = false; // the connection figures too (ATCP_A_WANT_INFO)
};

class AtcpNetlink {
  public:
    // A socket with the family resolved.  Error::Kind::not_loaded when the
    // family is not registered: the module is not loaded, or predates it.
    static Result<AtcpNetlink> connect();

    // One call per socket the dump returns, in the module's order.
    Status dump(const SockFilter& filter, const std::function<void(SockRecord&&)>& each);
    Result<std::vector<SockRecord>> sockets(const SockFilter& filter);
    Result<Counters> counters();

    // Join the events group; then watch() calls each for every event until
    // it returns false.  A record the parser refuses is reported through
    // warn, and so are events lost to a full socket buffer; neither ends it.
    Status subscribe_events();
    Status watch(const std::function<bool(const Event&)>& each,
                 const std::function<void(const std::string&)>& warn);

  private:
    struct SockDeleter {
        void operator()(nl_sock* sk) const;
    };
    AtcpNetlink(std::unique_ptr<nl_sock, SockDeleter> sk, int family)
        : sk_(std::move(sk)), family_(family)
    {
    }
    // Send a request and feed each reply to on_reply until the ACK, the
    // end of the dump, or an error (with the kernel's extack message).
    Status exchange(uint8_t cmd, int flags, const SockFilter* filter,
                    const std::function<Status(nlmsghdr*)>& on_reply);
    // Feed on_reply the messages with this sequence number (0: events)
    // while more() holds, until the ACK, NLMSG_DONE or an error.
    Status receive(uint32_t seq, const std::function<Status(nlmsghdr*)>& on_reply,
                   const std::function<bool()>& more);

    std::unique_ptr<nl_sock, SockDeleter> sk_;
    int family_ = 0;
};

} // namespace atcp_tools
