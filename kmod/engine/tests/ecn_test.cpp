// SPDX-License-Identifier: GPL-2.0
// ECN (RFC 3168 6.1) as packet traces: the SYNs' agreement, which segments
// go ECT(0), the receiver's ECE until CWR, and the sender's once-per-window
// reduction.  The IP header's ECN field is written before the flags, as
// packetdrill writes it.
#include "harness.hpp"

#include <gtest/gtest.h>

namespace atcp::test {
namespace {

constexpr uint32_t kMss = 1460;

// An active open with net.atcp.ecn 1 that the peer agrees to, no other
// options but the MSS.
void establish(Harness& h, atcp_cc cc = ATCP_CC_NEWRENO)
{
    h.params().ecn = 1;
    h.params().congestion = static_cast<uint8_t>(cc);
    h.connect();
    h.out("SEW 0:0(0) win 65535 <...>");
    h.advance_ms(100);
    h.in("S.E 0:0(0) ack 1 win 65535 <mss 1460>");
    h.out(". 1:1(0) ack 1 win 65535");
    h.no_out();
    EXPECT_TRUE(h.info().ecn);
}

// Ten full segments in flight, ten more queued.
void ten_in_flight(Harness& h, atcp_cc cc = ATCP_CC_NEWRENO)
{
    establish(h, cc);
    h.send(20 * kMss);
    for (uint32_t i = 0; i < 10; ++i)
        h.out("[ect0] . " + range(1 + i * kMss, 1 + (i + 1) * kMss) + " ack 1 win 65535");
    h.no_out();
}

// 6.1.1: with net.atcp.ecn 1 an active open's SYN is ECN-setup (ECE and
// CWR), and Not-ECT itself; the SYN-ACK's ECE without CWR agrees.
TEST(Ecn, ActiveOpenAsksAndThePeerAgrees)
{
    Harness h;
    establish(h);
    EXPECT_FALSE(h.info().ecn_seen);
}

// 6.1.1: net.atcp.ecn 2, the default, does not ask.
TEST(Ecn, DefaultDoesNotAsk)
{
    Harness h;
    EXPECT_EQ(h.params().ecn, 2u);
    h.connect();
    h.out("S 0:0(0) win 65535 <...>");
    h.in("S.E 0:0(0) ack 1 win 65535 <mss 1460>");
    h.out(". 1:1(0) ack 1 win 65535");
    EXPECT_FALSE(h.info().ecn);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 65535");
}

// 6.1.1: a SYN-ACK with ECE and CWR both is no agreement: it comes from a
// host that reflects the flags it got.  Nor is one without ECE.
TEST(Ecn, ReflectedOrMissingEceIsNoAgreement)
{
    for (const char* synack :
         {"S.EW 0:0(0) ack 1 win 65535 <mss 1460>", "S. 0:0(0) ack 1 win 65535 <mss 1460>"}) {
        Harness h;
        h.params().ecn = 1;
        h.connect();
        h.out("SEW 0:0(0) win 65535 <...>");
        h.in(synack);
        h.out(". 1:1(0) ack 1 win 65535");
        EXPECT_FALSE(h.info().ecn) << synack;
        h.send(100);
        h.out("P. 1:101(100) ack 1 win 65535");
    }
}

// 6.1.1.1: a SYN that went unanswered is sent again as a plain SYN, in case
// the path drops ECN-setup SYNs; an ECE in the SYN-ACK then agrees to
// nothing.
TEST(Ecn, RetransmittedSynDoesNotAsk)
{
    Harness h;
    h.params().ecn = 1;
    h.connect();
    h.out("SEW 0:0(0) win 65535 <...>");
    h.fire_deadline();
    h.out("S 0:0(0) win 65535 <...>");
    h.in("S.E 0:0(0) ack 1 win 65535 <mss 1460>");
    h.out(". 1:1(0) ack 1 win 65535");
    EXPECT_FALSE(h.info().ecn);
}

// 6.1.1: a passive open agrees to an ECN-setup SYN with ECE alone, with
// net.atcp.ecn 1 or 2; the SYN-ACK is Not-ECT, the data after it ECT(0).
TEST(Ecn, PassiveOpenAgrees)
{
    for (uint32_t ecn : {1u, 2u}) {
        Harness h;
        h.params().ecn = ecn;
        h.accept("SEW 0:0(0) win 65535 <mss 1460>");
        h.out("S.E 0:0(0) ack 1 win 65535 <mss 1460>");
        h.in(". 1:1(0) ack 1 win 65535");
        EXPECT_TRUE(h.info().ecn) << ecn;
        h.send(100);
        h.out("[ect0] P. 1:101(100) ack 1 win 65535");
    }
}

// net.atcp.ecn 0 (Linux's tcp_ecn 0) agrees to nothing; nor does any
// setting agree to a SYN with ECE alone, which is not ECN-setup (6.1.1).
TEST(Ecn, PassiveOpenDeclines)
{
    for (const auto& [ecn, syn] : {std::pair{0u, "SEW 0:0(0) win 65535 <mss 1460>"},
                                   std::pair{2u, "SE 0:0(0) win 65535 <mss 1460>"}}) {
        Harness h;
        h.params().ecn = ecn;
        h.accept(syn);
        h.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");
        h.in(". 1:1(0) ack 1 win 65535");
        EXPECT_FALSE(h.info().ecn) << syn;
        h.send(100);
        h.out("P. 1:101(100) ack 1 win 65535");
    }
}

// 6.1.5: retransmissions go Not-ECT, go-back-N after a timeout included;
// so do pure ACKs and a FIN without data (6.1.4's "data packets" only).
TEST(Ecn, OnlyNewDataIsEct)
{
    Harness h;
    establish(h);
    h.send(2 * kMss);
    h.out("[ect0] . 1:1461(1460) ack 1 win 65535");
    h.out("[ect0] P. 1461:2921(1460) ack 1 win 65535");
    h.fire_deadline();
    h.out(". 1:1461(1460) ack 1 win 65535");
    h.no_out();
    h.in(". 1:1(0) ack 2921 win 65535");
    h.in("[ect0] P. 1:101(100) ack 2921 win 65535");
    h.in("[ect0] P. 101:201(100) ack 2921 win 65535");
    h.out(". 2921:2921(0) ack 201 win 65535");
    EXPECT_TRUE(h.info().ecn_seen);
    h.close();
    h.out("F. 2921:2921(0) ack 201 win 65535");
}

// 6.1.5: a window probe is Not-ECT.
TEST(Ecn, WindowProbeIsNotEct)
{
    Harness h;
    establish(h);
    h.send(kMss);
    h.out("[ect0] P. 1:1461(1460) ack 1 win 65535");
    h.in(". 1:1(0) ack 1461 win 0");
    h.send(kMss);
    h.no_out();
    h.fire_deadline();
    h.out(". 1460:1460(0) ack 1 win 65535");
}

// 6.1.3: data that arrived CE is acknowledged at once with ECE, and every
// ACK after it carries ECE until a segment with CWR arrives; a CE after
// that starts the echo again.
TEST(Ecn, ReceiverEchoesCeUntilCwr)
{
    Harness h;
    establish(h);
    h.in("[ce] P. 1:101(100) ack 1 win 65535");
    h.out(".E 1:1(0) ack 101 win 65535");
    h.in("[ect0] P. 101:201(100) ack 1 win 65535");
    h.in("[ect0] P. 201:301(100) ack 1 win 65535");
    h.out(".E 1:1(0) ack 301 win 65535");
    h.send(100);
    h.out("[ect0] P.E 1:101(100) ack 301 win 65535");
    h.in("[ect0] P.W 301:401(100) ack 101 win 65535");
    h.in("[ect0] P. 401:501(100) ack 101 win 65535");
    h.out(". 101:101(0) ack 501 win 65535");
    h.in("[ce] P. 501:601(100) ack 101 win 65535");
    h.out(".E 101:101(0) ack 601 win 65535");
    EXPECT_EQ(h.mib().ecn_ce_rcvd, 2u);
    EXPECT_TRUE(h.info().ecn_seen);
}

// 6.1.3: a CE on the very segment that carries CWR is a new mark.
TEST(Ecn, CeWithCwrEchoesAgain)
{
    Harness h;
    establish(h);
    h.in("[ce] P. 1:101(100) ack 1 win 65535");
    h.out(".E 1:1(0) ack 101 win 65535");
    h.in("[ce] P.W 101:201(100) ack 1 win 65535");
    h.out(".E 1:1(0) ack 201 win 65535");
    h.in("[ect0] P. 201:301(100) ack 1 win 65535");
    h.in("[ect0] P. 301:401(100) ack 1 win 65535");
    h.out(".E 1:1(0) ack 401 win 65535");
}

// Without agreement the receiver ignores the field: no ECE for a CE.
TEST(Ecn, CeWithoutAgreementIsNotEchoed)
{
    Harness h;
    h.connect();
    h.out("S 0:0(0) win 65535 <...>");
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.out(". 1:1(0) ack 1 win 65535");
    h.in("[ce] P. 1:101(100) ack 1 win 65535");
    h.in("[ce] P. 101:201(100) ack 1 win 65535");
    h.out(". 1:1(0) ack 201 win 65535");
    EXPECT_EQ(h.mib().ecn_ce_rcvd, 0u);
    EXPECT_FALSE(h.info().ecn_seen);
}

// 6.1.2: an ECE reduces the window as a loss would (NewReno: half the
// flight), retransmits nothing, and the next new data carries CWR.  Until
// the window the mark was in is acknowledged, more ECEs change nothing and
// the window does not grow (Linux's CWR state); after it, an ECE reduces
// again.
TEST(Ecn, SenderReducesOncePerWindow)
{
    Harness h;
    ten_in_flight(h);
    h.in(".E 1:1(0) ack 1461 win 65535");
    EXPECT_EQ(h.info().snd_ssthresh, 5 * kMss);
    EXPECT_EQ(h.info().snd_cwnd, 5 * kMss);
    EXPECT_EQ(h.info().ca_state, ATCP_CA_CWR);
    for (uint32_t i = 2; i <= 5; ++i)
        h.in(".E 1:1(0) ack " + std::to_string(1 + i * kMss) + " win 65535");
    h.no_out(); // five segments in flight fill the new window
    EXPECT_EQ(h.info().snd_ssthresh, 5 * kMss);
    EXPECT_EQ(h.info().snd_cwnd, 5 * kMss);
    EXPECT_EQ(h.mib().ecn_ece_rcvd, 5u);
    h.in(". 1:1(0) ack " + std::to_string(1 + 6 * kMss) + " win 65535");
    h.out("[ect0] .W " + range(1 + 10 * kMss, 1 + 11 * kMss) + " ack 1 win 65535");
    for (uint32_t i = 7; i <= 9; ++i) {
        h.in(". 1:1(0) ack " + std::to_string(1 + i * kMss) + " win 65535");
        h.out("[ect0] . " + range(1 + (i + 4) * kMss, 1 + (i + 5) * kMss) + " ack 1 win 65535");
    }
    h.no_out();
    EXPECT_EQ(h.info().snd_cwnd, 5 * kMss);
    EXPECT_EQ(h.info().ca_state, ATCP_CA_CWR);
    EXPECT_EQ(h.mib().retrans_segs, 0u);
    EXPECT_EQ(h.mib().ecn_cwr_sent, 1u);

    // What was in flight at the ECE is acknowledged: out of CWR, and a
    // new ECE reduces again, from the flight then.
    h.in(". 1:1(0) ack " + std::to_string(1 + 10 * kMss) + " win 65535");
    h.out("[ect0] . " + range(1 + 14 * kMss, 1 + 15 * kMss) + " ack 1 win 65535");
    EXPECT_EQ(h.info().ca_state, ATCP_CA_OPEN);
    h.in(".E 1:1(0) ack " + std::to_string(1 + 11 * kMss) + " win 65535");
    EXPECT_EQ(h.info().ca_state, ATCP_CA_CWR);
    EXPECT_EQ(h.info().snd_ssthresh, 2 * kMss + kMss / 2);
    h.no_out();
    h.in(". 1:1(0) ack " + std::to_string(1 + 14 * kMss) + " win 65535");
    h.out("[ect0] .W " + range(1 + 15 * kMss, 1 + 16 * kMss) + " ack 1 win 65535");
    EXPECT_EQ(h.mib().ecn_cwr_sent, 2u);
}

// 6.1.2: CUBIC's multiplicative decrease, beta 0.7 (RFC 9438 4.6), is the
// response through the connection's algorithm.
TEST(Ecn, CubicReducesByItsBeta)
{
    Harness h;
    ten_in_flight(h, ATCP_CC_CUBIC);
    h.in(".E 1:1(0) ack 1461 win 65535");
    EXPECT_EQ(h.info().snd_ssthresh, 10 * kMss * 717 / 1024);
    EXPECT_EQ(h.info().snd_cwnd, h.info().snd_ssthresh);
}

// 6.1.2: an ECE within a loss's recovery is no new congestion: the window
// was reduced for this one already.
TEST(Ecn, EceInRecoveryIsIgnored)
{
    Harness h;
    ten_in_flight(h);
    for (int i = 0; i < 3; ++i)
        h.in(". 1:1(0) ack 1 win 65535");
    h.drain();
    EXPECT_TRUE(h.info().in_recovery);
    const uint32_t ssthresh = h.info().snd_ssthresh;
    h.in(".E 1:1(0) ack 1 win 65535");
    EXPECT_EQ(h.info().snd_ssthresh, ssthresh);
    EXPECT_EQ(h.info().ca_state, ATCP_CA_RECOVERY);
}

// 6.1.2: a loss in the window an ECE reduced is still repaired at once, but
// the window is not reduced a second time for it.
TEST(Ecn, LossInTheReducedWindowKeepsSsthresh)
{
    Harness h;
    ten_in_flight(h);
    h.in(".E 1:1(0) ack 1461 win 65535");
    EXPECT_EQ(h.info().snd_ssthresh, 5 * kMss);
    for (int i = 0; i < 3; ++i)
        h.in(". 1:1(0) ack 1461 win 65535");
    h.out(". " + range(1461, 2921) + " ack 1 win 65535");
    EXPECT_TRUE(h.info().in_recovery);
    EXPECT_EQ(h.info().snd_ssthresh, 5 * kMss);
}

// An ECE without agreement is a flag the sender does not read.
TEST(Ecn, EceWithoutAgreementIsIgnored)
{
    Harness h;
    h.connect();
    h.out("S 0:0(0) win 65535 <...>");
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.out(". 1:1(0) ack 1 win 65535");
    h.send(4 * kMss);
    h.drain();
    const uint32_t cwnd = h.info().snd_cwnd;
    h.in(".E 1:1(0) ack 1461 win 65535");
    EXPECT_GT(h.info().snd_cwnd, cwnd);
    EXPECT_EQ(h.mib().ecn_ece_rcvd, 0u);
}

// 6.1.1: in a simultaneous open both SYNs asked; the SYN-ACK answers with
// ECE alone, and the peer's SYN-ACK's ECE is its agreement, no echo.
TEST(Ecn, SimultaneousOpen)
{
    Harness h;
    h.params().ecn = 1;
    h.connect();
    h.out("SEW 0:0(0) win 65535 <...>");
    h.in("SEW 0:0(0) win 65535 <mss 1460>");
    h.out("S.E 0:0(0) ack 1 win 65535 <mss 1460>");
    h.in("S.E 0:0(0) ack 1 win 65535 <mss 1460>");
    h.expect_state(ATCP_ESTABLISHED);
    EXPECT_TRUE(h.info().ecn);
    h.drain();
    h.send(4 * kMss);
    h.out("[ect0] . 1:1461(1460) ack 1 win 65535");
    EXPECT_EQ(h.mib().ecn_ece_rcvd, 0u);
}

} // namespace
} // namespace atcp::test
