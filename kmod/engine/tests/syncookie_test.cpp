// SPDX-License-Identifier: GPL-2.0
// SYN cookies (RFC 4987 3.6) as Linux lays them out (net/ipv4/syncookies.c):
// the SYN-ACK a listener sends without keeping anything, the check of the
// ACK that echoes it, and the connection opened from it.
#include "harness.hpp"

#include <gtest/gtest.h>

#include "../tcb.hpp"

namespace atcp::test {
namespace {

constexpr const char* kSyn = "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 7 ecr 0,nop,wscale 7>";
// The normal SYN-ACK at virtual time 1 s, and the cookie's: TSval 1000
// rounded down to 960, its low bits window scale 7 and SACK (16).
constexpr const char* kSynAck =
    "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1000 ecr 7,nop,wscale 7>";
constexpr const char* kCookieSynAck =
    "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 983 ecr 7,nop,wscale 7>";
constexpr const char* kCookieAck = ". 1:1(0) ack 1 win 512 <nop,nop,TS val 8 ecr 983>";

TEST(SynCookie, SynAckCarriesTheOptionsANormalOneDoes)
{
    Harness normal;
    normal.accept(kSyn);
    normal.out(kSynAck);

    Harness h;
    h.syncookie_syn(kSyn);
    h.out(kCookieSynAck);
    h.no_out();
    // Nothing is kept: the listener stays as it was, nothing is timed.
    EXPECT_EQ(h.last().state, ATCP_LISTEN);
    EXPECT_EQ(h.last().deadline_us, 0u);
    EXPECT_EQ(h.wakes(), 0);
    EXPECT_EQ(h.mib().out_segs, 1);
    EXPECT_EQ(h.mib().passive_opens, 0);
}

TEST(SynCookie, SynAckAgreesToEcnInItsTimestamp)
{
    constexpr const char* syn =
        "SEW 0:0(0) win 65535 <mss 1460,sackOK,TS val 7 ecr 0,nop,wscale 7>";
    Harness normal;
    normal.accept(syn);
    normal.out("S.E 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1000 ecr 7,nop,wscale 7>");

    // 960 | 7 | SACK 16 | ECN 32 is 1015, ahead of the clock: 64 less.
    Harness h;
    h.syncookie_syn(syn);
    h.out("S.E 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 951 ecr 7,nop,wscale 7>");
    ASSERT_TRUE(h.syncookie_ack(". 1:1(0) ack 1 win 512 <nop,nop,TS val 8 ecr 951>"));
    EXPECT_EQ(h.cookie().ecn, 1);
    EXPECT_EQ(h.info().ecn, 1);
}

// Without timestamps nothing but the MSS could come back, so the SYN-ACK
// offers nothing else, ECN included (Linux's tcp_conn_request()).
TEST(SynCookie, SynAckWithoutTimestampsOffersOnlyTheMss)
{
    Harness h;
    h.syncookie_syn("SEW 0:0(0) win 65535 <mss 1460,sackOK,nop,wscale 7>");
    h.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");

    // Nor does a listener without RFC 7323, which sends no timestamps to
    // keep SACK-permitted in, where a normal SYN-ACK offers it.
    Harness off;
    off.params().rfc1323 = 0;
    off.syncookie_syn(kSyn);
    off.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    Harness normal;
    normal.params().rfc1323 = 0;
    normal.accept(kSyn);
    normal.out("S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>");
}

TEST(SynCookie, AckOpensAnEstablishedConnection)
{
    Harness h;
    h.syncookie_syn(kSyn);
    h.out(kCookieSynAck);
    ASSERT_TRUE(h.syncookie_ack(kCookieAck));
    h.no_out();
    h.expect_state(ATCP_ESTABLISHED);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_CONNECTED);
    EXPECT_EQ(h.mib().passive_opens, 1);
    EXPECT_EQ(h.mib().curr_estab, 1);
    EXPECT_EQ(h.mib().in_segs, 1);
    const atcp_conn_info i = h.info();
    EXPECT_EQ(i.rtt_us, 0u); // no round trip measured
    EXPECT_EQ(i.rto_us, 1000000u);
    EXPECT_EQ(i.snd_wnd, 512u << 7);
}

// After the handshake, a script both connections run: data each way, then
// the peer's FIN and ours.  Returns what was sent.  Nothing waits in flight
// for a timer: only the normal connection measured the handshake's round
// trip, and its loss probe would be due first.
std::vector<std::string> exchange_and_close(Harness& h)
{
    std::vector<std::string> sent;
    const auto take = [&] {
        for (const std::string& s : h.drain())
            sent.push_back(s);
    };
    h.advance_ms(10);
    h.in("P. 1:101(100) ack 1 win 512 <nop,nop,TS val 20 ecr 1000>");
    take();
    h.advance_ms(40); // the delayed ACK
    take();
    h.consumed(100);
    h.send(3000);
    take();
    h.in(". 101:101(0) ack 2897 win 512 <nop,nop,TS val 30 ecr 1050>");
    take();
    h.in(". 101:101(0) ack 3001 win 512 <nop,nop,TS val 30 ecr 1050>");
    take();
    h.in("F. 101:101(0) ack 3001 win 512 <nop,nop,TS val 31 ecr 1050>");
    take();
    h.close();
    take();
    h.in(". 102:102(0) ack 3002 win 512 <nop,nop,TS val 32 ecr 1060>");
    take();
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.delivered(), 100u);
    EXPECT_EQ(h.acked(), 3000u);
    return sent;
}

TEST(SynCookie, ConnectionRunsAsANormalOne)
{
    Harness normal;
    normal.accept(kSyn);
    normal.out(kSynAck);
    normal.in(". 1:1(0) ack 1 win 512 <nop,nop,TS val 8 ecr 1000>");

    Harness h;
    h.syncookie_syn(kSyn);
    h.out(kCookieSynAck);
    ASSERT_TRUE(h.syncookie_ack(kCookieAck));

    const std::vector<std::string> expected = exchange_and_close(normal);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(exchange_and_close(h), expected);
}

// Field by field, the TCB a cookie opens and the one a handshake leaves.
TEST(SynCookie, TcbIsTheOneAHandshakeLeaves)
{
    Harness normal;
    normal.accept(kSyn);
    normal.out(kSynAck);
    normal.in(". 1:1(0) ack 1 win 512 <nop,nop,TS val 8 ecr 1000>");
    Harness h;
    h.syncookie_syn(kSyn);
    h.out(kCookieSynAck);
    ASSERT_TRUE(h.syncookie_ack(kCookieAck));

    const Tcb& a = tcb_of(&normal.tcb());
    const Tcb& b = tcb_of(&h.tcb());
#define SAME(f) EXPECT_EQ(a.f, b.f) << #f
#define SAME_SEQ(f) EXPECT_EQ(a.f - a.iss, b.f - b.iss) << #f
    SAME(flags);
    SAME(state);
    SAME(snd_wscale);
    SAME(rcv_wscale);
    SAME(backoff);
    SAME(retries);
    SAME(dupacks);
    SAME(keepalive_probes);
    SAME(ooo_count);
    SAME(delack_segs);
    SAME(soft_error);
    SAME(local_port);
    SAME(remote_port);
    SAME(user_mss);
    SAME(mss_max);
    SAME(adv_mss);
    SAME(snd_mss);
    SAME(peer_mss);
    SAME(challenge_acks);
    SAME(blackhole_saved_mss);
    SAME(irs);
    SAME_SEQ(snd_una);
    SAME_SEQ(snd_nxt);
    SAME_SEQ(snd_max);
    SAME(snd_wnd);
    SAME(max_snd_wnd);
    SAME(snd_wl1);
    SAME_SEQ(snd_wl2);
    SAME(send_queued);
    SAME(rcv_nxt);
    SAME(rcv_adv);
    SAME(rcv_buf);
    SAME(rcv_queued);
    SAME(rcv_held);
    SAME(rcvq_space);
    SAME(rcvq_copied);
    SAME(last_ack_sent);
    SAME(hold_clock);
    SAME(ts_recent);
    SAME(ts_recent_us);
    SAME(cwnd);
    SAME(ssthresh);
    SAME(recover);
    SAME(bytes_acked_ca);
    SAME(limited_bytes);
    SAME(ecn_cwr_end);
    SAME(keepalive_idle_ms);
    SAME(keepalive_intvl_ms);
    SAME(keepalive_count);
    SAME(user_timeout_ms);
    SAME(rexmt_at);
    SAME(delack_at);
    SAME(keepalive_at);
    SAME(close_at);
    SAME(head_sent_us);
    SAME(last_send_us);
    SAME(cork_at);
    SAME(last_recv_us);
    SAME(rcvq_since_us);
    SAME(last_ack_recv_us);
    SAME(challenge_window_us);
    SAME(blackhole_retry_at);
    SAME(sacked_count);
    SAME(recover_fs);
    SAME(prr_delivered);
    SAME(prr_out);
    SAME(sent_count);
    SAME(rack.flags);
    SAME(rack.reordering);
    SAME_SEQ(rate_round_end);
    SAME(rate_since_us);
    SAME(rate_acked_at);
    SAME(delivery_rate);
    SAME(bytes_acked);
    SAME(bytes_received);
    SAME(segs_in);
    SAME(total_retrans);
    SAME(cc_algo);
    SAME(cc.hystart);
#undef SAME
#undef SAME_SEQ
    // What differs, by design: the ISS is the cookie; the listener sent
    // the SYN-ACK; and no round trip was measured.  max_snd_wnd is the
    // same here only because the ACK's window is the larger: the SYN's is
    // lost, and a cookie's child takes the ACK's alone, as Linux's do.
    EXPECT_NE(a.iss, b.iss);
    EXPECT_EQ(a.segs_out, 1u);
    EXPECT_EQ(b.segs_out, 0u);
    EXPECT_NE(a.srtt_us, 0u);
    EXPECT_EQ(b.srtt_us, 0u);
    EXPECT_EQ(b.rto_us, b.params.rto_initial_ms * 1000);
    EXPECT_EQ(b.min_rtt_us, 0u);
}

TEST(SynCookie, DataAndFinInTheAckAreDelivered)
{
    Harness h;
    h.syncookie_syn(kSyn);
    h.out(kCookieSynAck);
    ASSERT_TRUE(h.syncookie_ack("FP. 1:101(100) ack 1 win 512 <nop,nop,TS val 8 ecr 983>"));
    h.out(". 1:1(0) ack 102 win 1024 <nop,nop,TS val 1000 ecr 8>");
    h.expect_state(ATCP_CLOSE_WAIT);
    EXPECT_EQ(h.delivered(), 100u);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_EOF);
}

TEST(SynCookie, ForgedAcksAreRejected)
{
    Harness h;
    h.syncookie_syn(kSyn);
    h.out(kCookieSynAck);
    // The MSS index (3, for 1460) is added in the low bits: an ACK one
    // above the cookie's would say index 4, past the table.  (One below
    // says 1440, as on Linux: only the hashes keep a forger out.)
    EXPECT_FALSE(h.syncookie_ack(". 1:1(0) ack 2 win 512 <nop,nop,TS val 8 ecr 983>"));
    // Not from the ISN the cookie was made for.
    EXPECT_FALSE(h.syncookie_ack(". 0:0(0) ack 1 win 512 <nop,nop,TS val 8 ecr 983>"));
    // Hashes of another 4-tuple, or with another secret.
    atcp_syncookie_hashes wrong = h.syncookie_hashes();
    wrong.tuple ^= 1u << 5;
    EXPECT_FALSE(h.syncookie_ack(kCookieAck, &wrong));
    wrong = h.syncookie_hashes();
    wrong.at_counter[0] ^= 1u << 5;
    EXPECT_FALSE(h.syncookie_ack(kCookieAck, &wrong));
    // A cookie from a counter yet to come.
    const uint32_t counter = atcp_syncookie_counter(h.now_us());
    const atcp_syncookie_hashes behind = h.syncookie_hashes(counter - 1);
    EXPECT_FALSE(h.syncookie_ack(kCookieAck, &behind));
    h.expect_state(ATCP_CLOSED);

    EXPECT_TRUE(h.syncookie_ack(kCookieAck));
}

// As Linux's MAX_SYNCOOKIE_AGE: the counter the cookie was made with, or
// the one after it.
TEST(SynCookie, ACookieLivesTwoCounters)
{
    const uint64_t period_ms = ATCP_SYNCOOKIE_PERIOD_US / 1000;
    Harness young;
    young.syncookie_syn(kSyn);
    young.out(kCookieSynAck);
    young.advance_ms(2 * period_ms - Harness::kStartUs / 1000 - 1);
    EXPECT_EQ(atcp_syncookie_counter(young.now_us()), 1u);
    EXPECT_TRUE(young.syncookie_ack(kCookieAck));

    Harness old;
    old.syncookie_syn(kSyn);
    old.out(kCookieSynAck);
    old.advance_ms(2 * period_ms - Harness::kStartUs / 1000);
    EXPECT_EQ(atcp_syncookie_counter(old.now_us()), 2u);
    EXPECT_FALSE(old.syncookie_ack(kCookieAck));
}

// The ACK's TSecr must echo a TSval a cookie SYN-ACK could have carried.
TEST(SynCookie, EchoOfATimestampNeverSentIsRejected)
{
    Harness h;
    h.syncookie_syn(kSyn);
    h.out(kCookieSynAck);
    EXPECT_FALSE(h.syncookie_ack(". 1:1(0) ack 1 win 512 <nop,nop,TS val 8 ecr 1001>"));
    // Older than any cookie lives: 130 s before the clock's 1000 ms.
    EXPECT_FALSE(h.syncookie_ack(". 1:1(0) ack 1 win 512 <nop,nop,TS val 8 ecr 4294838296>"));

    // A listener that sends no timestamps.
    Harness off;
    off.params().rfc1323 = 0;
    off.syncookie_syn(kSyn);
    off.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    EXPECT_FALSE(off.syncookie_ack(kCookieAck));
    EXPECT_TRUE(off.syncookie_ack(". 1:1(0) ack 1 win 512"));
}

TEST(SynCookie, MssRoundsDownToTheTable)
{
    struct Case {
        const char* syn;
        bool ipv6;
        uint16_t mss;
    };
    const Case cases[] = {
        {"S 0:0(0) win 65535 <mss 1460>", false, 1460},
        {"S 0:0(0) win 65535 <mss 1459>", false, 1440},
        {"S 0:0(0) win 65535 <mss 1300>", false, 1300},
        {"S 0:0(0) win 65535 <mss 1299>", false, 536},
        {"S 0:0(0) win 65535 <mss 9000>", false, 1460},
        // Below the table: its least, as on Linux.
        {"S 0:0(0) win 65535 <mss 400>", false, 536},
        {"S 0:0(0) win 65535", false, 536},
        {"S 0:0(0) win 65535 <mss 9000>", true, 8940},
        {"S 0:0(0) win 65535 <mss 1500>", true, 1440},
        {"S 0:0(0) win 65535 <mss 1430>", true, 1420},
        {"S 0:0(0) win 65535 <mss 1300>", true, 1220},
        {"S 0:0(0) win 65535", true, 1220},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(std::string(c.syn) + (c.ipv6 ? " over IPv6" : ""));
        Harness h;
        h.syncookie_syn(c.syn, 9000, c.ipv6);
        h.out("S. 0:0(0) ack 1 win 65535 <mss 9000>");
        ASSERT_TRUE(h.syncookie_ack(". 1:1(0) ack 1 win 512"));
        EXPECT_EQ(h.cookie().mss, c.mss);
        EXPECT_EQ(h.info().snd_mss, c.mss);
    }
}

TEST(SynCookie, WithTimestampsWindowScaleAndSackSurvive)
{
    Harness h;
    h.syncookie_syn(kSyn);
    h.out(kCookieSynAck);
    ASSERT_TRUE(h.syncookie_ack(kCookieAck));
    const atcp_syncookie& c = h.cookie();
    EXPECT_EQ(c.mss, 1460);
    EXPECT_EQ(c.timestamps, 1);
    EXPECT_EQ(c.window_scale, 1);
    EXPECT_EQ(c.wscale, 7);
    EXPECT_EQ(c.sack_permitted, 1);
    EXPECT_EQ(c.ecn, 0);
    const atcp_conn_info i = h.info();
    EXPECT_EQ(i.timestamps, 1);
    EXPECT_EQ(i.window_scale, 1);
    EXPECT_EQ(i.snd_wscale, 7);
    EXPECT_EQ(i.rcv_wscale, 7);
    EXPECT_EQ(i.sack_permitted, 1);
    EXPECT_EQ(i.snd_mss, 1460u - 12);

    // A SYN without window scaling: 0xf in the TSval says so.
    Harness unscaled;
    unscaled.syncookie_syn("S 0:0(0) win 65535 <mss 1460,sackOK,TS val 7 ecr 0>");
    unscaled.out("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 991 ecr 7>");
    ASSERT_TRUE(unscaled.syncookie_ack(". 1:1(0) ack 1 win 512 <nop,nop,TS val 8 ecr 991>"));
    EXPECT_EQ(unscaled.cookie().window_scale, 0);
    EXPECT_EQ(unscaled.info().window_scale, 0);
    EXPECT_EQ(unscaled.info().rcv_wscale, 0);
    EXPECT_EQ(unscaled.info().sack_permitted, 1);
}

// Without timestamps the child runs without the options the cookie lost,
// as a connection whose SYN offered none.  (The peer's window is the
// largest unscaled one: a cookie's child knows only the ACK's, not the
// SYN's, which sender SWS avoidance measures against.)
TEST(SynCookie, WithoutTimestampsOnlyTheMssSurvives)
{
    Harness h;
    h.syncookie_syn("S 0:0(0) win 65535 <mss 1460,sackOK,nop,wscale 7>");
    h.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    ASSERT_TRUE(h.syncookie_ack(". 1:1(0) ack 1 win 65535"));
    const atcp_syncookie& c = h.cookie();
    EXPECT_EQ(c.mss, 1460);
    EXPECT_EQ(c.timestamps, 0);
    EXPECT_EQ(c.window_scale, 0);
    EXPECT_EQ(c.sack_permitted, 0);
    const atcp_conn_info i = h.info();
    EXPECT_EQ(i.timestamps, 0);
    EXPECT_EQ(i.window_scale, 0);
    EXPECT_EQ(i.rcv_wscale, 0);
    EXPECT_EQ(i.sack_permitted, 0);
    EXPECT_EQ(i.snd_wnd, 65535u);

    Harness normal;
    normal.accept("S 0:0(0) win 65535 <mss 1460>");
    normal.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    normal.in(". 1:1(0) ack 1 win 65535");
    const auto run = [](Harness& x) {
        x.in("P. 1:101(100) ack 1 win 65535");
        x.in("P. 201:301(100) ack 1 win 65535"); // out of order: no SACK to say so
        x.send(1000);
        return x.drain();
    };
    const std::vector<std::string> expected = run(normal);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(run(h), expected);

    // A SYN with timestamps whose ACK comes without: the same, as on Linux.
    Harness dropped;
    dropped.syncookie_syn(kSyn);
    dropped.out(kCookieSynAck);
    ASSERT_TRUE(dropped.syncookie_ack(". 1:1(0) ack 1 win 512"));
    EXPECT_EQ(dropped.info().timestamps, 0);
    EXPECT_EQ(dropped.info().window_scale, 0);
    EXPECT_EQ(dropped.info().sack_permitted, 0);
}

// The glue's view: only a plain ACK is checked as a cookie's.
TEST(SynCookie, RstSynOrNoAckIsNoCookie)
{
    atcp_params p;
    atcp_params_default(&p);
    atcp_tcb listener;
    atcp_engine_init(&listener, &p);
    atcp_engine_listen(&listener, Harness::kLocalPort);
    Harness glue; // for its hashes
    const atcp_syncookie_hashes hashes = glue.syncookie_hashes();

    Segment syn{};
    ASSERT_TRUE(parse_segment(kSyn, Harness::kPeerIsn, 0, &syn, nullptr));
    syn.hdr.src_port = Harness::kRemotePort;
    syn.hdr.dst_port = Harness::kLocalPort;
    atcp_actions act;
    atcp_engine_syncookie_synack(&listener, &syn.hdr, false, 1460, &hashes, Harness::kStartUs,
                                 &act);
    ASSERT_EQ(act.nsegs, 1);
    Segment ack{};
    ASSERT_TRUE(parse_segment(kCookieAck, Harness::kPeerIsn, act.segs[0].hdr.seq, &ack, nullptr));
    atcp_syncookie cookie;
    ASSERT_TRUE(atcp_engine_syncookie_check(&listener, &ack.hdr, false, &hashes, Harness::kStartUs,
                                            &cookie));

    for (const uint8_t flags :
         {uint8_t{ATCP_TCP_ACK | ATCP_TCP_RST}, uint8_t{ATCP_TCP_ACK | ATCP_TCP_SYN},
          uint8_t{ATCP_TCP_RST}, uint8_t{ATCP_TCP_PSH}}) {
        SCOPED_TRACE(flags);
        atcp_tcp_header h = ack.hdr;
        h.flags = flags;
        EXPECT_FALSE(
            atcp_engine_syncookie_check(&listener, &h, false, &hashes, Harness::kStartUs, &cookie));
    }
}

} // namespace
} // namespace atcp::test
