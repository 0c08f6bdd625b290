// SPDX-License-Identifier: GPL-2.0
#include "parse.h"

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace atcp_tools {

namespace {

// ATCP_A_STATS's counters go through nla_parse_nested with this policy: each
// exactly a u64, so that a module that changed a width is caught.
struct StatsPolicy {
    std::array<nla_policy, ATCP_STATS_A_MAX + 1> attrs{};

    StatsPolicy()
    {
        for (int mib = 0; mib < ATCP_MIB_COUNT; mib++) {
            attrs[ATCP_STATS_A(mib)].type = NLA_U64;
            attrs[ATCP_STATS_A(mib)].minlen = 8;
            attrs[ATCP_STATS_A(mib)].maxlen = 8;
        }
    }
};

std::string nl_message(const char* what, int nlerr)
{
    return std::string(what) + ": " + nl_geterror(nlerr);
}

// The message's genl header and command, or why not.
Result<genlmsghdr*> genl_header(nlmsghdr* msg, uint8_t want_cmd)
{
    if (!genlmsg_valid_hdr(msg, 0))
        return failure("a message too short for its generic netlink header");
    auto* genl = static_cast<genlmsghdr*>(nlmsg_data(msg));
    if (genl->cmd != want_cmd) {
        return failure("a message with command " + std::to_string(genl->cmd) + " where " +
                       std::to_string(want_cmd) + " was expected");
    }
    return genl;
}

const char* attr_label(int attr)
{
    static constexpr std::array<const char*, ATCP_A_MAX + 1> labels{
        "ATCP_A_UNSPEC",
        "ATCP_A_PAD",
        "ATCP_A_FILTER_STATES",
        "ATCP_A_FILTER_LOCAL_PORT",
        "ATCP_A_FILTER_REMOTE_PORT",
        "ATCP_A_FILTER_LISTENERS",
        "ATCP_A_SOCK_FAMILY",
        "ATCP_A_SOCK_STATE",
        "ATCP_A_SOCK_LOCAL_ADDR",
        "ATCP_A_SOCK_LOCAL_PORT",
        "ATCP_A_SOCK_REMOTE_ADDR",
        "ATCP_A_SOCK_REMOTE_PORT",
        "ATCP_A_SOCK_INODE",
        "ATCP_A_SOCK_UID",
        "ATCP_A_SOCK_RECV_Q",
        "ATCP_A_SOCK_SEND_Q",
        "ATCP_A_SOCK_ACCEPT_Q",
        "ATCP_A_SOCK_ACCEPT_MAX",
        "ATCP_A_SOCK_TIMER",
        "ATCP_A_SOCK_TIMER_MS",
        "ATCP_A_SOCK_OPTIONS",
        "ATCP_A_SOCK_MSS",
        "ATCP_A_SOCK_SND_WSCALE",
        "ATCP_A_SOCK_RCV_WSCALE",
        "ATCP_A_SOCK_RTT_US",
        "ATCP_A_SOCK_RTTVAR_US",
        "ATCP_A_SOCK_RTO_US",
        "ATCP_A_SOCK_CWND",
        "ATCP_A_SOCK_SSTHRESH",
        "ATCP_A_SOCK_RETRANSMITS",
        "ATCP_A_SOCK_BYTES_ACKED",
        "ATCP_A_SOCK_BYTES_RECEIVED",
        "ATCP_A_STATS",
        "ATCP_A_EVENT",
        "ATCP_A_WANT_INFO",
        "ATCP_A_SOCK_CC",
        "ATCP_A_SOCK_ECN",
        "ATCP_A_SOCK_SACKED",
        "ATCP_A_SOCK_LOST",
        "ATCP_A_SOCK_RETRANS_OUT",
        "ATCP_A_SOCK_REORDERING",
        "ATCP_A_SOCK_MIN_RTT_US",
        "ATCP_A_SOCK_DELIVERY_RATE",
        "ATCP_A_SOCK_SYN_Q",
        "ATCP_A_SOCK_SKMEM",
        "ATCP_A_MEM_PAGES",
        "ATCP_A_MEM_PRESSURE",
        "ATCP_A_ORPHANS",
        "ATCP_A_TIME_WAIT",
    };
    // An attribute newer than this list has none.
    return attr >= 0 && attr <= ATCP_A_MAX && labels[attr] ? labels[attr] : "an attribute";
}

// An attribute's payload, as libnl's nla_len and nla_data compute it, but
// inline: each libnl accessor is a call into the shared library, and under
// the guest's emulation the calls were most of a dump's parsing time.
// nla_ok, which checked that the attribute lies within the message, has
// been called on every attribute that reaches these.
int payload_len(const nlattr* a)
{
    return a->nla_len - NLA_HDRLEN;
}

const void* payload(const nlattr* a)
{
    return reinterpret_cast<const char*>(a) + NLA_HDRLEN;
}

// An integer attribute of exactly T's width.
template <class T> bool take(const nlattr* a, T& out)
{
    if (payload_len(a) != static_cast<int>(sizeof(T)))
        return false;
    std::memcpy(&out, payload(a), sizeof(T));
    return true;
}

// A NUL-terminated string attribute, as the kernel's nla_put_string puts it.
bool take_string(const nlattr* a, std::string& out)
{
    const auto* text = static_cast<const char*>(payload(a));
    const void* nul = std::memchr(text, '\0', static_cast<size_t>(payload_len(a)));
    if (!nul)
        return false;
    out.assign(text, static_cast<const char*>(nul));
    return true;
}

Status read_address(const nlattr* attr, int family, Address& out)
{
    int want = family == AF_INET6 ? 16 : 4;
    if (payload_len(attr) != want) {
        return failure("an address of " + std::to_string(payload_len(attr)) + " bytes for family " +
                       std::to_string(family));
    }
    out.family = family;
    std::memcpy(out.bytes.data(), payload(attr), static_cast<size_t>(want));
    return Ok{};
}

/*
 * A socket record, and the event kind when the message carries one.  One
 * pass with libnl's iterator that checks each attribute's width as it reads
 * it: genlmsg_parse with a policy, then a read of each attribute, made the
 * parsing 65 of a 10,000-socket dump's milliseconds in the guest, where all
 * of it may take 100.  Types past ATCP_A_MAX (a later module's) and the
 * padding are skipped.
 */
Result<SockRecord> read_record(genlmsghdr* genl, std::optional<uint8_t>* event)
{
    SockRecord r;
    uint8_t family = 0;
    const nlattr* local = nullptr;
    const nlattr* remote = nullptr;
    nlattr* a;
    int rem;
    nla_for_each_attr(a, genlmsg_attrdata(genl, 0), genlmsg_attrlen(genl, 0), rem)
    {
        int type = a->nla_type & NLA_TYPE_MASK;
        bool ok = true;
        switch (type) {
        case ATCP_A_SOCK_FAMILY:
            ok = take(a, family);
            break;
        case ATCP_A_SOCK_STATE:
            ok = take(a, r.state);
            break;
        case ATCP_A_SOCK_LOCAL_ADDR:
            local = a;
            break;
        case ATCP_A_SOCK_LOCAL_PORT:
            ok = take(a, r.local_port);
            break;
        case ATCP_A_SOCK_REMOTE_ADDR:
            remote = a;
            break;
        case ATCP_A_SOCK_REMOTE_PORT:
            ok = take(a, r.remote_port);
            break;
        case ATCP_A_SOCK_INODE:
            ok = take(a, r.inode);
            break;
        case ATCP_A_SOCK_UID:
            ok = take(a, r.uid);
            break;
        case ATCP_A_SOCK_RECV_Q:
            ok = take(a, r.recv_q);
            break;
        case ATCP_A_SOCK_SEND_Q:
            ok = take(a, r.send_q);
            break;
        case ATCP_A_SOCK_ACCEPT_Q:
            ok = take(a, r.accept_q);
            break;
        case ATCP_A_SOCK_ACCEPT_MAX:
            ok = take(a, r.accept_max);
            break;
        case ATCP_A_SOCK_TIMER:
            ok = take(a, r.timer);
            break;
        case ATCP_A_SOCK_TIMER_MS:
            ok = take(a, r.timer_ms);
            break;
        case ATCP_A_SOCK_OPTIONS:
            ok = take(a, r.options);
            break;
        case ATCP_A_SOCK_MSS:
            ok = take(a, r.mss);
            break;
        case ATCP_A_SOCK_SND_WSCALE:
            ok = take(a, r.snd_wscale);
            break;
        case ATCP_A_SOCK_RCV_WSCALE:
            ok = take(a, r.rcv_wscale);
            break;
        case ATCP_A_SOCK_RTT_US:
            ok = take(a, r.rtt_us);
            break;
        case ATCP_A_SOCK_RTTVAR_US:
            ok = take(a, r.rttvar_us);
            break;
        case ATCP_A_SOCK_RTO_US:
            ok = take(a, r.rto_us);
            break;
        case ATCP_A_SOCK_CWND:
            ok = take(a, r.cwnd);
            break;
        case ATCP_A_SOCK_SSTHRESH:
            ok = take(a, r.ssthresh);
            break;
        case ATCP_A_SOCK_RETRANSMITS:
            ok = take(a, r.retransmits);
            break;
        case ATCP_A_SOCK_BYTES_ACKED:
            ok = take(a, r.bytes_acked);
            break;
        case ATCP_A_SOCK_BYTES_RECEIVED:
            ok = take(a, r.bytes_received);
            break;
        case ATCP_A_SOCK_CC:
            ok = take_string(a, r.congestion);
            break;
        case ATCP_A_SOCK_ECN:
            ok = take(a, r.ecn);
            break;
        case ATCP_A_SOCK_SACKED:
            ok = take(a, r.sacked);
            break;
        case ATCP_A_SOCK_LOST:
            ok = take(a, r.lost);
            break;
        case ATCP_A_SOCK_RETRANS_OUT:
            ok = take(a, r.retrans_out);
            break;
        case ATCP_A_SOCK_REORDERING:
            ok = take(a, r.reordering);
            break;
        case ATCP_A_SOCK_MIN_RTT_US:
            ok = take(a, r.min_rtt_us);
            break;
        case ATCP_A_SOCK_DELIVERY_RATE:
            ok = take(a, r.delivery_rate);
            break;
        case ATCP_A_SOCK_SYN_Q:
            ok = take(a, r.syn_q);
            break;
        case ATCP_A_SOCK_SKMEM:
            ok = take(a, r.skmem);
            break;
        case ATCP_A_EVENT: {
            uint8_t kind;
            ok = take(a, kind);
            if (ok && event)
                *event = kind;
            break;
        }
        default:
            continue;
        }
        if (!ok) {
            return failure(std::string("a malformed attribute: ") + attr_label(type) + " of " +
                           std::to_string(payload_len(a)) + " bytes");
        }
        r.present.set(static_cast<size_t>(type));
    }

    for (int required : {ATCP_A_SOCK_STATE, ATCP_A_SOCK_LOCAL_ADDR, ATCP_A_SOCK_LOCAL_PORT}) {
        if (!r.has(required))
            return failure(std::string("a socket record without ") + attr_label(required));
    }
    // Without a family attribute the address's length tells.
    int fam = r.has(ATCP_A_SOCK_FAMILY) ? family : payload_len(local) == 16 ? AF_INET6 : AF_INET;
    if (fam != AF_INET && fam != AF_INET6)
        return failure("a socket record of family " + std::to_string(fam));
    if (auto s = read_address(local, fam, r.local); !s)
        return s.error();
    r.remote.family = fam;
    if (remote) {
        if (auto s = read_address(remote, fam, r.remote); !s)
            return s.error();
    }
    return r;
}

} // namespace

Result<SockRecord> parse_sock_message(nlmsghdr* msg)
{
    auto genl = genl_header(msg, ATCP_CMD_SOCK_GET);
    if (!genl)
        return genl.error();
    return read_record(*genl, nullptr);
}

Result<Counters> parse_stats_message(nlmsghdr* msg)
{
    static const StatsPolicy policy;
    auto genl = genl_header(msg, ATCP_CMD_STATS_GET);
    if (!genl)
        return genl.error();
    nlattr* stats_attr = nlmsg_find_attr(msg, GENL_HDRLEN, ATCP_A_STATS);
    if (!stats_attr)
        return failure("an answer without ATCP_A_STATS");
    std::array<nlattr*, ATCP_STATS_A_MAX + 1> stats{};
    int err = nla_parse_nested(stats.data(), ATCP_STATS_A_MAX, stats_attr, policy.attrs.data());
    if (err < 0)
        return failure(nl_message("a malformed counter", err));
    Counters c;
    for (int mib = 0; mib < ATCP_MIB_COUNT; mib++) {
        if (stats[ATCP_STATS_A(mib)])
            c.value[mib] = nla_get_u64(stats[ATCP_STATS_A(mib)]);
    }
    // The totals, from modules that send them.
    uint64_t pages;
    uint8_t pressure;
    uint32_t orphans;
    if (const nlattr* a = nlmsg_find_attr(msg, GENL_HDRLEN, ATCP_A_MEM_PAGES); a && take(a, pages))
        c.mem_pages = pages;
    if (const nlattr* a = nlmsg_find_attr(msg, GENL_HDRLEN, ATCP_A_MEM_PRESSURE);
        a && take(a, pressure))
        c.mem_pressure = pressure != 0;
    if (const nlattr* a = nlmsg_find_attr(msg, GENL_HDRLEN, ATCP_A_ORPHANS); a && take(a, orphans))
        c.orphans = orphans;
    uint32_t time_wait;
    if (const nlattr* a = nlmsg_find_attr(msg, GENL_HDRLEN, ATCP_A_TIME_WAIT);
        a && take(a, time_wait))
        c.time_wait = time_wait;
    return c;
}

Result<Event> parse_event_message(nlmsghdr* msg)
{
    auto genl = genl_header(msg, ATCP_CMD_EVENT);
    if (!genl)
        return genl.error();
    std::optional<uint8_t> kind;
    auto sock = read_record(*genl, &kind);
    if (!sock)
        return sock.error();
    if (!kind)
        return failure("an event without ATCP_A_EVENT");
    return Event{*kind, *sock};
}

} // namespace atcp_tools
