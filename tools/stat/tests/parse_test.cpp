// SPDX-License-Identifier: GPL-2.0
/*
 * The message parsers on messages built as the module builds them: libnl's
 * nlmsg_alloc, genlmsg_put and nla_put, with a zero-length ATCP_A_PAD before
 * each u64 whose payload would not be 64-bit aligned (what the kernel's
 * nla_put_u64_64bit does).
 */
#include "parse.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <memory>

namespace {

using namespace atcp_tools;

constexpr int family_id = 0x1d; // any: the parsers do not look at it

struct MsgFree {
    void operator()(nl_msg* m) const { nlmsg_free(m); }
};
using Msg = std::unique_ptr<nl_msg, MsgFree>;

Msg message(uint8_t cmd, int flags = NLM_F_MULTI)
{
    Msg m(nlmsg_alloc());
    EXPECT_TRUE(genlmsg_put(m.get(), 4242, 7, family_id, 0, flags, cmd, ATCP_GENL_VERSION));
    return m;
}

// The kernel's nla_put_u64_64bit, for a message whose start is 8-aligned.
void put_u64_64bit(nl_msg* m, int type, uint64_t value, int pad = ATCP_A_PAD)
{
    if (nlmsg_hdr(m)->nlmsg_len % 8 == 0) {
        ASSERT_EQ(nla_put(m, pad, 0, nullptr), 0);
    }
    ASSERT_EQ(nla_put_u64(m, type, value), 0);
}

void put_v4(nl_msg* m, int type, const char* text)
{
    in_addr a{};
    ASSERT_EQ(inet_pton(AF_INET, text, &a), 1);
    ASSERT_EQ(nla_put(m, type, 4, &a), 0);
}

// A connection's full record, every attribute in the header's order.
void put_full_record(nl_msg* m)
{
    nla_put_u8(m, ATCP_A_SOCK_FAMILY, AF_INET);
    nla_put_u8(m, ATCP_A_SOCK_STATE, ATCP_ESTABLISHED);
    put_v4(m, ATCP_A_SOCK_LOCAL_ADDR, "127.0.0.1");
    nla_put_u16(m, ATCP_A_SOCK_LOCAL_PORT, 7007);
    put_v4(m, ATCP_A_SOCK_REMOTE_ADDR, "127.0.0.2");
    nla_put_u16(m, ATCP_A_SOCK_REMOTE_PORT, 40000);
    put_u64_64bit(m, ATCP_A_SOCK_INODE, 0x1'0000'1234ULL);
    nla_put_u32(m, ATCP_A_SOCK_UID, 1000);
    nla_put_u32(m, ATCP_A_SOCK_RECV_Q, 11);
    nla_put_u32(m, ATCP_A_SOCK_SEND_Q, 22);
    nla_put_u32(m, ATCP_A_SOCK_ACCEPT_Q, 0);
    nla_put_u32(m, ATCP_A_SOCK_ACCEPT_MAX, 0);
    nla_put_u8(m, ATCP_A_SOCK_TIMER, ATCP_TIMER_DELACK);
    nla_put_u32(m, ATCP_A_SOCK_TIMER_MS, 40);
    nla_put_u32(m, ATCP_A_SOCK_OPTIONS, ATCP_SOCKOPT_NODELAY | ATCP_SOCKOPT_SACK);
    nla_put_u32(m, ATCP_A_SOCK_MSS, 65483);
    nla_put_u8(m, ATCP_A_SOCK_SND_WSCALE, 7);
    nla_put_u8(m, ATCP_A_SOCK_RCV_WSCALE, 9);
    nla_put_u32(m, ATCP_A_SOCK_RTT_US, 120);
    nla_put_u32(m, ATCP_A_SOCK_RTTVAR_US, 60);
    nla_put_u32(m, ATCP_A_SOCK_RTO_US, 200000);
    nla_put_u32(m, ATCP_A_SOCK_CWND, 655360);
    nla_put_u32(m, ATCP_A_SOCK_SSTHRESH, 0xffffffff);
    nla_put_u32(m, ATCP_A_SOCK_RETRANSMITS, 3);
    put_u64_64bit(m, ATCP_A_SOCK_BYTES_ACKED, 5'000'000'000ULL);
    put_u64_64bit(m, ATCP_A_SOCK_BYTES_RECEIVED, 77);
}

// The figures a module with loss recovery adds, after put_full_record's.
void put_recovery_figures(nl_msg* m)
{
    nla_put_string(m, ATCP_A_SOCK_CC, "newreno");
    nla_put_u8(m, ATCP_A_SOCK_ECN, ATCP_SOCK_ECN_AGREED | ATCP_SOCK_ECN_SEEN);
    nla_put_u32(m, ATCP_A_SOCK_SACKED, 2 * 65483);
    nla_put_u32(m, ATCP_A_SOCK_LOST, 65483);
    nla_put_u32(m, ATCP_A_SOCK_RETRANS_OUT, 100);
    nla_put_u32(m, ATCP_A_SOCK_REORDERING, 5);
    nla_put_u32(m, ATCP_A_SOCK_MIN_RTT_US, 90);
    put_u64_64bit(m, ATCP_A_SOCK_DELIVERY_RATE, 6'000'000'000ULL);
}

// The least a record may carry.
void put_minimal_record(nl_msg* m, uint8_t state = ATCP_LISTEN)
{
    nla_put_u8(m, ATCP_A_SOCK_STATE, state);
    put_v4(m, ATCP_A_SOCK_LOCAL_ADDR, "0.0.0.0");
    nla_put_u16(m, ATCP_A_SOCK_LOCAL_PORT, 80);
}

TEST(Parse, AFullRecord)
{
    Msg m = message(ATCP_CMD_SOCK_GET);
    put_full_record(m.get());
    auto r = parse_sock_message(nlmsg_hdr(m.get()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->state, ATCP_ESTABLISHED);
    EXPECT_EQ(r->local.family, AF_INET);
    EXPECT_EQ(r->local.to_string(), "127.0.0.1");
    EXPECT_EQ(r->local_port, 7007);
    EXPECT_EQ(r->remote.to_string(), "127.0.0.2");
    EXPECT_EQ(r->remote_port, 40000);
    EXPECT_EQ(r->inode, 0x1'0000'1234ULL);
    EXPECT_EQ(r->uid, 1000u);
    EXPECT_EQ(r->recv_q, 11u);
    EXPECT_EQ(r->send_q, 22u);
    EXPECT_EQ(r->timer, ATCP_TIMER_DELACK);
    EXPECT_EQ(r->timer_ms, 40u);
    EXPECT_EQ(r->options, ATCP_SOCKOPT_NODELAY | ATCP_SOCKOPT_SACK);
    EXPECT_EQ(r->mss, 65483u);
    EXPECT_EQ(r->snd_wscale, 7);
    EXPECT_EQ(r->rcv_wscale, 9);
    EXPECT_EQ(r->rtt_us, 120u);
    EXPECT_EQ(r->rttvar_us, 60u);
    EXPECT_EQ(r->rto_us, 200000u);
    EXPECT_EQ(r->cwnd, 655360u);
    EXPECT_EQ(r->ssthresh, 0xffffffffu);
    EXPECT_EQ(r->retransmits, 3u);
    EXPECT_EQ(r->bytes_acked, 5'000'000'000ULL);
    EXPECT_EQ(r->bytes_received, 77u);
    for (int a = ATCP_A_SOCK_FAMILY; a <= ATCP_A_SOCK_BYTES_RECEIVED; a++)
        EXPECT_TRUE(r->has(a)) << a;
    EXPECT_FALSE(r->has(ATCP_A_EVENT));
}

TEST(Parse, TheRecoveryFigures)
{
    Msg m = message(ATCP_CMD_SOCK_GET);
    put_full_record(m.get());
    put_recovery_figures(m.get());
    auto r = parse_sock_message(nlmsg_hdr(m.get()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->congestion, "newreno");
    EXPECT_EQ(r->ecn, ATCP_SOCK_ECN_AGREED | ATCP_SOCK_ECN_SEEN);
    EXPECT_EQ(r->sacked, 2u * 65483);
    EXPECT_EQ(r->lost, 65483u);
    EXPECT_EQ(r->retrans_out, 100u);
    EXPECT_EQ(r->reordering, 5u);
    EXPECT_EQ(r->min_rtt_us, 90u);
    EXPECT_EQ(r->delivery_rate, 6'000'000'000ULL);
    EXPECT_EQ(r->bytes_received, 77u); // the figures before them still read
    for (int a = ATCP_A_SOCK_CC; a <= ATCP_A_SOCK_DELIVERY_RATE; a++)
        EXPECT_TRUE(r->has(a)) << a;
}

TEST(Parse, AnOlderModulesRecordHasNoRecoveryFigures)
{
    Msg m = message(ATCP_CMD_SOCK_GET);
    put_full_record(m.get());
    auto r = parse_sock_message(nlmsg_hdr(m.get()));
    ASSERT_TRUE(r) << r.error().message;
    for (int a = ATCP_A_SOCK_CC; a <= ATCP_A_SOCK_DELIVERY_RATE; a++)
        EXPECT_FALSE(r->has(a)) << a;
    EXPECT_EQ(r->congestion, "");
    EXPECT_EQ(r->ecn, 0);
}

TEST(Parse, AttributeNumbersAreFixed)
{
    // The ABI: recorded replies (testdata/recorded) and older tools read
    // these numbers; new attributes only ever come after the last.
    EXPECT_EQ(ATCP_A_SOCK_FAMILY, 6);
    EXPECT_EQ(ATCP_A_SOCK_BYTES_RECEIVED, 31);
    EXPECT_EQ(ATCP_A_WANT_INFO, 34);
    EXPECT_EQ(ATCP_A_SOCK_CC, 35);
    EXPECT_EQ(ATCP_A_SOCK_ECN, 36);
    EXPECT_EQ(ATCP_A_SOCK_SACKED, 37);
    EXPECT_EQ(ATCP_A_SOCK_LOST, 38);
    EXPECT_EQ(ATCP_A_SOCK_RETRANS_OUT, 39);
    EXPECT_EQ(ATCP_A_SOCK_REORDERING, 40);
    EXPECT_EQ(ATCP_A_SOCK_MIN_RTT_US, 41);
    EXPECT_EQ(ATCP_A_SOCK_DELIVERY_RATE, 42);
}

TEST(Parse, TheAlgorithmNameMustEndInNul)
{
    Msg m = message(ATCP_CMD_SOCK_GET);
    put_minimal_record(m.get());
    nla_put(m.get(), ATCP_A_SOCK_CC, 5, "cubic");
    auto r = parse_sock_message(nlmsg_hdr(m.get()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "a malformed attribute: ATCP_A_SOCK_CC of 5 bytes");

    Msg padded = message(ATCP_CMD_SOCK_GET);
    put_minimal_record(padded.get());
    // Padded as TCP_CONGESTION pads it: the name ends at the first NUL.
    nla_put(padded.get(), ATCP_A_SOCK_CC, 16, "cubic\0\0\0\0\0\0\0\0\0\0");
    auto p = parse_sock_message(nlmsg_hdr(padded.get()));
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->congestion, "cubic");
}

TEST(Parse, TheU64sWereReallyPadded)
{
    // The test's own premise: some u64 needed a pad, and the payloads are aligned.
    Msg m = message(ATCP_CMD_SOCK_GET);
    put_full_record(m.get());
    put_recovery_figures(m.get());
    nlmsghdr* h = nlmsg_hdr(m.get());
    int pads = 0, rem;
    nlattr* a;
    nla_for_each_attr(a, genlmsg_attrdata(static_cast<genlmsghdr*>(nlmsg_data(h)), 0),
                      genlmsg_attrlen(static_cast<genlmsghdr*>(nlmsg_data(h)), 0), rem)
    {
        if (nla_type(a) == ATCP_A_PAD)
            pads++;
        if (nla_type(a) == ATCP_A_SOCK_INODE || nla_type(a) == ATCP_A_SOCK_BYTES_ACKED ||
            nla_type(a) == ATCP_A_SOCK_DELIVERY_RATE) {
            EXPECT_EQ((reinterpret_cast<char*>(nla_data(a)) - reinterpret_cast<char*>(h)) % 8, 0);
        }
    }
    EXPECT_GT(pads, 0);
}

TEST(Parse, AMinimalRecordDefaultsTheRest)
{
    Msg m = message(ATCP_CMD_SOCK_GET);
    put_minimal_record(m.get());
    auto r = parse_sock_message(nlmsg_hdr(m.get()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->state, ATCP_LISTEN);
    EXPECT_EQ(r->local.family, AF_INET); // from the address's length
    EXPECT_TRUE(r->local.is_wildcard());
    EXPECT_EQ(r->remote.family, AF_INET);
    EXPECT_TRUE(r->remote.is_wildcard());
    EXPECT_EQ(r->remote_port, 0);
    EXPECT_FALSE(r->has(ATCP_A_SOCK_INODE));
    EXPECT_FALSE(r->has(ATCP_A_SOCK_RTT_US));
}

TEST(Parse, AnIpv6Record)
{
    Msg m = message(ATCP_CMD_SOCK_GET);
    in6_addr a{};
    inet_pton(AF_INET6, "2001:db8::1", &a);
    nla_put_u8(m.get(), ATCP_A_SOCK_FAMILY, AF_INET6);
    nla_put_u8(m.get(), ATCP_A_SOCK_STATE, ATCP_SYN_SENT);
    nla_put(m.get(), ATCP_A_SOCK_LOCAL_ADDR, 16, &a);
    nla_put_u16(m.get(), ATCP_A_SOCK_LOCAL_PORT, 5555);
    nla_put(m.get(), ATCP_A_SOCK_REMOTE_ADDR, 16, &a);
    nla_put_u16(m.get(), ATCP_A_SOCK_REMOTE_PORT, 443);
    auto r = parse_sock_message(nlmsg_hdr(m.get()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->local.family, AF_INET6);
    EXPECT_EQ(r->local.to_string(), "2001:db8::1");
    EXPECT_EQ(r->remote.to_string(), "2001:db8::1");
    EXPECT_EQ(r->remote_port, 443);
}

TEST(Parse, AttributesOfALaterModuleAreIgnored)
{
    Msg m = message(ATCP_CMD_SOCK_GET);
    put_minimal_record(m.get());
    nla_put_u32(m.get(), ATCP_A_MAX + 1, 99);
    nla_put_u64(m.get(), ATCP_A_MAX + 20, 99);
    auto r = parse_sock_message(nlmsg_hdr(m.get()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->local_port, 80);
}

TEST(Parse, EachRequiredAttributeIsRequired)
{
    for (int missing : {ATCP_A_SOCK_STATE, ATCP_A_SOCK_LOCAL_ADDR, ATCP_A_SOCK_LOCAL_PORT}) {
        Msg m = message(ATCP_CMD_SOCK_GET);
        if (missing != ATCP_A_SOCK_STATE)
            nla_put_u8(m.get(), ATCP_A_SOCK_STATE, ATCP_LISTEN);
        if (missing != ATCP_A_SOCK_LOCAL_ADDR)
            put_v4(m.get(), ATCP_A_SOCK_LOCAL_ADDR, "0.0.0.0");
        if (missing != ATCP_A_SOCK_LOCAL_PORT)
            nla_put_u16(m.get(), ATCP_A_SOCK_LOCAL_PORT, 80);
        auto r = parse_sock_message(nlmsg_hdr(m.get()));
        ASSERT_FALSE(r) << missing;
        EXPECT_NE(r.error().message.find("without ATCP_A_SOCK_"), std::string::npos)
            << r.error().message;
    }
}

TEST(Parse, WrongWidthsAreRefused)
{
    struct Case {
        int attr;
        int len;
    };
    // A u8 sent as u32, a u16 as u32, a u32 as u16, a u64 as u32.
    for (Case c :
         {Case{ATCP_A_SOCK_STATE, 4}, Case{ATCP_A_SOCK_LOCAL_PORT, 4}, Case{ATCP_A_SOCK_RECV_Q, 2},
          Case{ATCP_A_SOCK_INODE, 4}, Case{ATCP_A_SOCK_BYTES_ACKED, 16}, Case{ATCP_A_SOCK_ECN, 4},
          Case{ATCP_A_SOCK_LOST, 8}, Case{ATCP_A_SOCK_DELIVERY_RATE, 4}}) {
        Msg m = message(ATCP_CMD_SOCK_GET);
        uint8_t zeros[16] = {};
        nla_put(m.get(), c.attr, c.len, zeros);
        put_minimal_record(m.get());
        auto r = parse_sock_message(nlmsg_hdr(m.get()));
        ASSERT_FALSE(r) << c.attr;
        EXPECT_NE(r.error().message.find("malformed attribute"), std::string::npos);
    }
}

TEST(Parse, AddressesMustFitTheFamily)
{
    uint8_t five[5] = {127, 0, 0, 1, 0};
    Msg m = message(ATCP_CMD_SOCK_GET);
    nla_put_u8(m.get(), ATCP_A_SOCK_STATE, ATCP_LISTEN);
    nla_put(m.get(), ATCP_A_SOCK_LOCAL_ADDR, 5, five);
    nla_put_u16(m.get(), ATCP_A_SOCK_LOCAL_PORT, 80);
    EXPECT_FALSE(parse_sock_message(nlmsg_hdr(m.get())));

    Msg v6_as_v4 = message(ATCP_CMD_SOCK_GET);
    uint8_t sixteen[16] = {};
    nla_put_u8(v6_as_v4.get(), ATCP_A_SOCK_FAMILY, AF_INET);
    nla_put_u8(v6_as_v4.get(), ATCP_A_SOCK_STATE, ATCP_LISTEN);
    nla_put(v6_as_v4.get(), ATCP_A_SOCK_LOCAL_ADDR, 16, sixteen);
    nla_put_u16(v6_as_v4.get(), ATCP_A_SOCK_LOCAL_PORT, 80);
    auto r = parse_sock_message(nlmsg_hdr(v6_as_v4.get()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "an address of 16 bytes for family 2");

    Msg bad_family = message(ATCP_CMD_SOCK_GET);
    nla_put_u8(bad_family.get(), ATCP_A_SOCK_FAMILY, 1);
    put_minimal_record(bad_family.get());
    EXPECT_FALSE(parse_sock_message(nlmsg_hdr(bad_family.get())));
}

TEST(Parse, TheCommandMustMatch)
{
    Msg m = message(ATCP_CMD_EVENT);
    put_minimal_record(m.get());
    auto r = parse_sock_message(nlmsg_hdr(m.get()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "a message with command 3 where 1 was expected");
}

TEST(Parse, ATruncatedMessage)
{
    Msg m(nlmsg_alloc_simple(family_id, 0));
    auto r = parse_sock_message(nlmsg_hdr(m.get()));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("too short"), std::string::npos);
}

TEST(Parse, Counters)
{
    Msg m = message(ATCP_CMD_STATS_GET, 0);
    nlattr* nest = nla_nest_start(m.get(), ATCP_A_STATS);
    ASSERT_TRUE(nest);
    for (int mib = 0; mib < ATCP_MIB_COUNT; mib++) {
        if (mib != ATCP_MIB_IN_ERRS) // a counter the module did not send
            put_u64_64bit(m.get(), ATCP_STATS_A(mib), 1000 + mib, ATCP_STATS_A_PAD);
    }
    nla_nest_end(m.get(), nest);
    auto c = parse_stats_message(nlmsg_hdr(m.get()));
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->value[ATCP_MIB_ACTIVE_OPENS], 1000u);
    EXPECT_EQ(c->value[ATCP_MIB_OUT_RSTS], 1000u + ATCP_MIB_OUT_RSTS);
    EXPECT_FALSE(c->value[ATCP_MIB_IN_ERRS]);
}

TEST(Parse, CountersMustBeNestedU64s)
{
    Msg none = message(ATCP_CMD_STATS_GET, 0);
    auto r = parse_stats_message(nlmsg_hdr(none.get()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "an answer without ATCP_A_STATS");

    Msg narrow = message(ATCP_CMD_STATS_GET, 0);
    nlattr* nest = nla_nest_start(narrow.get(), ATCP_A_STATS);
    nla_put_u32(narrow.get(), ATCP_STATS_A(ATCP_MIB_IN_SEGS), 5);
    nla_nest_end(narrow.get(), nest);
    EXPECT_FALSE(parse_stats_message(nlmsg_hdr(narrow.get())));
}

TEST(Parse, AnEvent)
{
    Msg m = message(ATCP_CMD_EVENT, 0);
    nla_put_u8(m.get(), ATCP_A_EVENT, ATCP_EVENT_RESET);
    put_full_record(m.get());
    auto e = parse_event_message(nlmsg_hdr(m.get()));
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(e->kind, ATCP_EVENT_RESET);
    EXPECT_EQ(e->sock.local_port, 7007);
    EXPECT_EQ(e->sock.bytes_received, 77u);
}

TEST(Parse, AnEventNeedsItsKindAndRecord)
{
    Msg no_kind = message(ATCP_CMD_EVENT, 0);
    put_minimal_record(no_kind.get());
    auto r = parse_event_message(nlmsg_hdr(no_kind.get()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "an event without ATCP_A_EVENT");

    Msg no_record = message(ATCP_CMD_EVENT, 0);
    nla_put_u8(no_record.get(), ATCP_A_EVENT, ATCP_EVENT_LISTEN);
    EXPECT_FALSE(parse_event_message(nlmsg_hdr(no_record.get())));
}

} // namespace
