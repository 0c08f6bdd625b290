// SPDX-License-Identifier: GPL-2.0
#include "genl.h"

#include "parse.h"

#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace atcp_tools {

namespace {

// Room for a burst of events while the terminal is slow; the kernel caps
// it at net.core.rmem_max for users without CAP_NET_ADMIN.
constexpr int receive_buffer = 4 << 20;
constexpr size_t receive_size = 64 << 10;

std::string nl_text(int nlerr)
{
    return nl_geterror(nlerr);
}

bool module_present()
{
    struct stat st;
    return stat("/sys/module/atcp", &st) == 0;
}

// The kernel's errno, with its extended ack message when it sent one.
Error kernel_error(nlmsghdr* hdr, const nlmsgerr* err)
{
    std::string text = strerror(-err->error);
    if (hdr->nlmsg_flags & NLM_F_ACK_TLVS) {
        // The TLVs follow the error and, unless capped, the echoed request.
        int payload = sizeof(*err);
        if (!(hdr->nlmsg_flags & NLM_F_CAPPED))
            payload += err->msg.nlmsg_len - NLMSG_HDRLEN;
        std::array<nlattr*, NLMSGERR_ATTR_MAX + 1> tb{};
        std::array<nla_policy, NLMSGERR_ATTR_MAX + 1> policy{};
        policy[NLMSGERR_ATTR_MSG].type = NLA_STRING;
        if (nlmsg_datalen(hdr) >= payload &&
            nlmsg_parse(hdr, payload, tb.data(), NLMSGERR_ATTR_MAX, policy.data()) == 0 &&
            tb[NLMSGERR_ATTR_MSG])
            text += " (" + std::string(nla_get_string(tb[NLMSGERR_ATTR_MSG])) + ")";
    }
    return failure("the module refused the request: " + text, -err->error);
}

struct BufferFree {
    void operator()(unsigned char* p) const { std::free(p); }
};

} // namespace

void AtcpNetlink::SockDeleter::operator()(nl_sock* sk) const
{
    nl_socket_free(sk);
}

Result<AtcpNetlink> AtcpNetlink::connect()
{
    std::unique_ptr<nl_sock, SockDeleter> sk(nl_socket_alloc());
    if (!sk)
        return failure("cannot allocate a netlink socket", ENOMEM);
    if (int err = genl_connect(sk.get()); err < 0)
        return failure("generic netlink: " + nl_text(err));
    // A dump's datagrams are at most 32 KiB (netlink_dump's largest skb):
    // one buffer that holds any of them saves nl_recv a peek per datagram.
    nl_socket_disable_msg_peek(sk.get());
    nl_socket_set_msg_buf_size(sk.get(), receive_size);
    nl_socket_set_buffer_size(sk.get(), receive_buffer, 0);
    // Requests ask for their ACK themselves (see exchange()).
    nl_socket_disable_auto_ack(sk.get());
    // The kernel's reason for an EINVAL, and no copy of the request with it.
    int one = 1;
    int fd = nl_socket_get_fd(sk.get());
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

    int family = genl_ctrl_resolve(sk.get(), ATCP_GENL_NAME);
    if (family == -NLE_OBJ_NOTFOUND) {
        Error e{Error::Kind::not_loaded, "", ENOENT};
        e.message = module_present()
                        ? "the loaded atcp module has no generic netlink family \"" ATCP_GENL_NAME
                          "\" (is it an older atcp.ko?)"
                        : "the atcp module is not loaded; load it first: modprobe atcp"
                          " (or, from a build tree, insmod build/kmod/$(uname -r)/atcp.ko)";
        return e;
    }
    if (family < 0)
        return failure("resolving the generic netlink family \"" ATCP_GENL_NAME "\": " +
                       nl_text(family));
    return AtcpNetlink(std::move(sk), family);
}

/*
 * Each datagram from nl_recv is walked with nlmsg_ok/nlmsg_next and each
 * message handled in place.  nl_recvmsgs would copy every message into an
 * nl_msg of its own first: under the guest's emulation that was 23 ms of a
 * 10,000-socket dump, which has 100 ms in all.
 */
Status AtcpNetlink::receive(uint32_t seq, const std::function<Status(nlmsghdr*)>& on_reply,
                            const std::function<bool()>& more)
{
    while (more()) {
        unsigned char* raw = nullptr;
        sockaddr_nl from{};
        int n = nl_recv(sk_.get(), &from, &raw, nullptr);
        std::unique_ptr<unsigned char, BufferFree> buf(raw);
        if (n == -NLE_NOMEM && seq == 0)
            return failure("events were lost (the socket buffer overflowed)", ENOBUFS);
        if (n < 0)
            return failure("receiving from the module: " + nl_text(n));
        // Only the kernel speaks on this socket.
        if (from.nl_pid != 0)
            continue;
        for (auto* hdr = reinterpret_cast<nlmsghdr*>(buf.get()); nlmsg_ok(hdr, n);
             hdr = nlmsg_next(hdr, &n)) {
            // A late answer to an abandoned request; events carry 0.
            if (hdr->nlmsg_seq != seq)
                continue;
            switch (hdr->nlmsg_type) {
            case NLMSG_NOOP:
                continue;
            case NLMSG_OVERRUN:
                return failure("the module's answer overran the socket buffer", ENOBUFS);
            case NLMSG_DONE: {
                // Its payload is the dump's final status.
                int status = 0;
                if (nlmsg_datalen(hdr) >= static_cast<int>(sizeof(status)))
                    std::memcpy(&status, nlmsg_data(hdr), sizeof(status));
                if (status < 0)
                    return failure("the dump failed: " + std::string(strerror(-status)), -status);
                return Ok{};
            }
            case NLMSG_ERROR: {
                if (nlmsg_datalen(hdr) < static_cast<int>(sizeof(nlmsgerr)))
                    return failure("a truncated error message from the module");
                auto* err = static_cast<nlmsgerr*>(nlmsg_data(hdr));
                if (err->error == 0) // the ACK
                    return Ok{};
                return kernel_error(hdr, err);
            }
            default:
                if (auto s = on_reply(hdr); !s)
                    return s;
            }
        }
    }
    return Ok{};
}

Status AtcpNetlink::exchange(uint8_t cmd, int flags, const SockFilter* filter,
                             const std::function<Status(nlmsghdr*)>& on_reply)
{
    std::unique_ptr<nl_msg, void (*)(nl_msg*)> msg(nlmsg_alloc(), nlmsg_free);
    // NLM_F_ACK: a request that is not a dump ends with the ACK; a dump
    // ends with NLMSG_DONE.  Either way an error ends it.
    if (!msg || !genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0,
                             flags | (flags & NLM_F_DUMP ? 0 : NLM_F_ACK), cmd, ATCP_GENL_VERSION))
        return failure("cannot build a netlink request", ENOMEM);
    if (filter) {
        nl_msg* m = msg.get();
        bool put =
            (!filter->states || nla_put_u32(m, ATCP_A_FILTER_STATES, *filter->states) == 0) &&
            (!filter->local_port ||
             nla_put_u16(m, ATCP_A_FILTER_LOCAL_PORT, *filter->local_port) == 0) &&
            (!filter->remote_port ||
             nla_put_u16(m, ATCP_A_FILTER_REMOTE_PORT, *filter->remote_port) == 0) &&
            (!filter->listeners || nla_put_flag(m, ATCP_A_FILTER_LISTENERS) == 0) &&
            (!filter->info || nla_put_flag(m, ATCP_A_WANT_INFO) == 0);
        if (!put)
            return failure("cannot build a netlink request", ENOMEM);
    }
    if (int err = nl_send_auto(sk_.get(), msg.get()); err < 0)
        return failure("sending the request: " + nl_text(err));
    return receive(nlmsg_hdr(msg.get())->nlmsg_seq, on_reply, [] { return true; });
}

Status AtcpNetlink::dump(const SockFilter& filter, const std::function<void(SockRecord&&)>& each)
{
    return exchange(ATCP_CMD_SOCK_GET, NLM_F_DUMP, &filter, [&](nlmsghdr* hdr) -> Status {
        auto rec = parse_sock_message(hdr);
        if (!rec)
            return failure("the module sent " + rec.error().message);
        each(std::move(*rec));
        return Ok{};
    });
}

Result<std::vector<SockRecord>> AtcpNetlink::sockets(const SockFilter& filter)
{
    std::vector<SockRecord> all;
    auto s = dump(filter, [&](SockRecord&& r) { all.push_back(std::move(r)); });
    if (!s)
        return s.error();
    return all;
}

Result<Counters> AtcpNetlink::counters()
{
    std::optional<Counters> got;
    auto s = exchange(ATCP_CMD_STATS_GET, 0, nullptr, [&](nlmsghdr* hdr) -> Status {
        auto c = parse_stats_message(hdr);
        if (!c)
            return failure("the module sent " + c.error().message);
        got = *c;
        return Ok{};
    });
    if (!s)
        return s.error();
    if (!got)
        return failure("the module acknowledged ATCP_CMD_STATS_GET without an answer");
    return *got;
}

Status AtcpNetlink::subscribe_events()
{
    int group = genl_ctrl_resolve_grp(sk_.get(), ATCP_GENL_NAME, ATCP_GENL_MCGRP_EVENTS);
    if (group < 0)
        return failure("the family \"" ATCP_GENL_NAME "\" has no group \"" ATCP_GENL_MCGRP_EVENTS
                       "\": " +
                       nl_text(group));
    if (int err = nl_socket_add_membership(sk_.get(), group); err < 0)
        return failure("joining the events group: " + nl_text(err));
    return Ok{};
}

Status AtcpNetlink::watch(const std::function<bool(const Event&)>& each,
                          const std::function<void(const std::string&)>& warn)
{
    bool stop = false;
    auto on_event = [&](nlmsghdr* hdr) -> Status {
        auto ev = parse_event_message(hdr);
        if (!ev)
            warn("the module sent " + ev.error().message);
        else if (!stop && !each(*ev))
            stop = true;
        return Ok{};
    };
    while (!stop) {
        auto s = receive(0, on_event, [&] { return !stop; });
        // ENOBUFS: the kernel dropped events for us; the ones after still come.
        if (!s && s.error().err == ENOBUFS) {
            warn(s.error().message);
            continue;
        }
        if (!s)
            return s;
    }
    return Ok{};
}

} // namespace atcp_tools
